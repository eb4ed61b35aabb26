"""Who may do what: 中学生以下 boundaries, the capability matrix and the HTTP routes of accounts."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from community.accounts.models import User
from community.policy import (
    Capability,
    TextField,
    can,
    can_publish_text,
    is_minor,
    minor_until,
    why_cannot_publish,
)

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("birth", "last_minor_day"),
    [
        (date(2011, 4, 1), date(2026, 3, 31)),  # 1 April: a school year ahead of 2 April
        (date(2011, 4, 2), date(2027, 3, 31)),
        (date(2012, 2, 29), date(2027, 3, 31)),  # 29 February: the same school year as 2 April 2011
        (date(2012, 4, 1), date(2027, 3, 31)),
        (date(2012, 3, 31), date(2027, 3, 31)),
        (date(2008, 2, 29), date(2023, 3, 31)),
    ],
)
def test_minor_until(birth, last_minor_day):
    assert minor_until(birth) == last_minor_day
    person = SimpleNamespace(birth_date=birth)
    assert is_minor(person, today=last_minor_day)
    assert not is_minor(person, today=date(last_minor_day.year, 4, 1))


# --- the capability matrix ---------------------------------------------------------------------

ADULT = date(1980, 6, 1)
CHILD = date(2012, 8, 20)  # 14 on TODAY: minor until 31 March 2028
AFTER_APRIL = date(2028, 4, 1)  # the same child on the following 1 April

STATES = {
    # state: (status, birth date, the day we ask)
    "anonymous": None,
    "applied": ("applied", ADULT, TODAY),
    "verified_adult": ("verified", ADULT, TODAY),
    "verified_minor": ("verified", CHILD, TODAY),
    "minor_after_april": ("verified", CHILD, AFTER_APRIL),
    "suspended": ("suspended", ADULT, TODAY),
    "withdrawn": ("withdrawn", ADULT, TODAY),
}
ROLES = ["member", "supporter", "staff", "admin"]

C = Capability
MEMBER_READ = {C.read_public, C.read_members, C.report}
MEMBER_WRITE = MEMBER_READ | {C.write, C.create_circle}
STAFF = {C.patrol, C.verify_accounts, C.moderate, C.publish_official, C.manage_kiosks}
ROLE_EXTRA = {
    "member": set(),
    "supporter": {C.patrol},
    "staff": STAFF,
    "admin": STAFF | {C.grant_roles, C.configure_site},
}
STATE_BASE = {
    "anonymous": None,
    "applied": set(),  # unverified: a role counts for nothing
    "verified_adult": MEMBER_WRITE,
    "verified_minor": MEMBER_READ,
    "minor_after_april": MEMBER_WRITE,
    "suspended": set(),
    "withdrawn": set(),
}


def expected(state: str, role: str) -> set[Capability]:
    if state == "anonymous":
        return {C.read_public}
    base = STATE_BASE[state]
    if not base:
        return {C.read_public}
    return base | ROLE_EXTRA[role]


def _person(state: str, role: str):
    if state == "anonymous":
        return SimpleNamespace(is_authenticated=False), TODAY
    status, birth, today = STATES[state]
    user = User(login_id="x", login_key="x", nickname="x", password_hash="", birth_date=birth, role=role,
                status=status)
    return user, today


CASES = [
    (state, role, cap)
    for state in STATES
    for role in (ROLES if state != "anonymous" else ["none"])
    for cap in Capability
]


@pytest.mark.parametrize(("state", "role", "capability"), CASES, ids=[f"{s}-{r}-{c.value}" for s, r, c in CASES])
def test_capability_matrix(state, role, capability):
    user, today = _person(state, role)
    assert can(user, capability, today=today) is (capability in expected(state, role if role != "none" else "member"))


# --- free text others read follows the rule for posting (one row per field) -------------------

F = TextField
# Read by other members: posting, so 中学生以下 (and anyone who may not write) leave it empty.
POSTING = {F.bio, F.join_request_message, F.question, F.circle_text}
# Identity (a member must have a name), or read only by staff or by the member: open to children.
NOT_POSTING = {F.nickname, F.audience_list_name, F.survey_answer, F.report_note, F.appeal, F.page_feedback}
TEXT_STATES = ["verified_minor", "verified_adult", "minor_after_april", "applied", "suspended"]
TEXT_CASES = [
    (field, state, role)
    for field in TextField
    for state in TEXT_STATES
    for role in ("member", "staff")
]


def test_every_text_field_is_decided():
    assert POSTING | NOT_POSTING == set(TextField) and not POSTING & NOT_POSTING


@pytest.mark.parametrize(("field", "state", "role"), TEXT_CASES, ids=[f"{f}-{s}-{r}" for f, s, r in TEXT_CASES])
def test_text_field_matrix(field, state, role):
    user, today = _person(state, role)
    writes = state in ("verified_adult", "minor_after_april")  # a staff role changes nothing here
    allowed = writes or field in NOT_POSTING
    assert can_publish_text(user, field, today=today) is allowed
    reason = why_cannot_publish(user, field, today=today)
    assert (reason is None) is allowed
    if state == "verified_minor" and not allowed:
        assert "junior-high-school age" in reason  # the same words as for posting (no locale here)


# --- the HTTP routes added by accounts ---------------------------------------------------------

ROUTE_STATES = ["anonymous", "applied", "member", "minor", "supporter", "staff", "admin", "suspended"]

# route -> expected status per state (302 to log in for anonymous; suspended go to /suspended).
ROUTES = {
    ("GET", "/apply"): dict(anonymous=200, applied=302, member=302, minor=302, supporter=302, staff=302, admin=302,
                            suspended=302),
    ("GET", "/account"): dict(anonymous=302, applied=200, member=200, minor=200, supporter=200, staff=200, admin=200,
                              suspended=302),
    ("GET", "/account/password"): dict(anonymous=302, applied=200, member=200, minor=200, supporter=200, staff=200,
                                       admin=200, suspended=302),
    ("GET", "/account/email"): dict(anonymous=302, applied=200, member=200, minor=200, supporter=200, staff=200,
                                    admin=200, suspended=302),
    ("GET", "/account/two-factor"): dict(anonymous=302, applied=200, member=200, minor=200, supporter=200, staff=200,
                                         admin=200, suspended=302),
    ("POST", "/staff/users/{target}/two-factor/reset"): dict(anonymous=302, applied=403, member=403, minor=403,
                                                             supporter=403, staff=302, admin=302, suspended=302),
    ("GET", "/apply/slip"): dict(anonymous=302, applied=200, member=302, minor=302, supporter=302, staff=302,
                                 admin=302, suspended=302),
    ("GET", "/suspended"): dict(anonymous=302, applied=404, member=404, minor=404, supporter=404, staff=404,
                                admin=404, suspended=200),
    ("GET", "/password/reset"): dict(anonymous=200, applied=200, member=200, minor=200, supporter=200, staff=200,
                                     admin=200, suspended=302),
    ("GET", "/staff/"): dict(anonymous=302, applied=403, member=403, minor=403, supporter=403, staff=200, admin=200,
                             suspended=302),
    ("GET", "/staff/register"): dict(anonymous=302, applied=403, member=403, minor=403, supporter=403, staff=200,
                                     admin=200, suspended=302),
    ("GET", "/staff/users/{target}"): dict(anonymous=302, applied=403, member=403, minor=403, supporter=403,
                                           staff=200, admin=200, suspended=302),
    ("GET", "/staff/users/999999"): dict(anonymous=302, applied=403, member=403, minor=403, supporter=403, staff=404,
                                         admin=404, suspended=302),
    ("GET", "/staff/users/{target}/history"): dict(anonymous=302, applied=403, member=403, minor=403, supporter=403,
                                                   staff=200, admin=200, suspended=302),
    ("POST", "/staff/users/{target}/role"): dict(anonymous=302, applied=403, member=403, minor=403, supporter=403,
                                                 staff=403, admin=302, suspended=302),
    ("POST", "/staff/users/{target}/reset-code"): dict(anonymous=302, applied=403, member=403, minor=403,
                                                       supporter=403, staff=200, admin=200, suspended=302),
    # 管理: administrators only (tests/admin/test_permissions.py covers every /admin/ route).
    ("GET", "/admin/"): dict(anonymous=302, applied=403, member=403, minor=403, supporter=403, staff=403, admin=200,
                             suspended=302),
    ("GET", "/admin/facilities/"): dict(anonymous=302, applied=403, member=403, minor=403, supporter=403, staff=403,
                                        admin=200, suspended=302),
    ("POST", "/admin/staff/{target}/revoke"): dict(anonymous=302, applied=403, member=403, minor=403, supporter=403,
                                                   staff=403, admin=409, suspended=302),
}

ROUTE_CASES = [(method, path, state, code) for (method, path), codes in ROUTES.items() for state, code in codes.items()]


@pytest.mark.parametrize(
    ("method", "path", "state", "status"), ROUTE_CASES, ids=[f"{m}{p}-{s}" for m, p, s, _ in ROUTE_CASES]
)
def test_route_matrix(client, auth, make_user, method, path, state, status):
    target = make_user("target-member")
    if state != "anonymous":
        fields = {
            "applied": dict(status="applied", application_code="TEST2345"),
            "member": {},
            "minor": dict(birth_date=date(date.today().year - 13, 1, 1)),
            "supporter": dict(role="supporter"),
            "staff": dict(role="staff"),
            "admin": dict(role="admin"),
            "suspended": dict(status="suspended", suspension_reason="テスト"),
        }[state]
        auth.login(make_user(f"viewer-{state}", **fields))
    url = path.format(target=target.id)
    response = client.post(url, data={"role": "supporter"}) if method == "POST" else client.get(url)
    assert response.status_code == status
