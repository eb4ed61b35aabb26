"""Every moderation route × every kind of viewer. Supporters patrol and report; they never moderate."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from community.extensions import db
from moderation.models import Appeal, ModerationCase, Report
from tests.moderation.conftest import notes  # noqa: F401 - the test double content kind

VIEWERS = ["anonymous", "applied", "minor", "member", "supporter", "staff", "admin", "suspended"]

LOGIN, FORBIDDEN, OK, NOT_FOUND, CONFINED = "login", "forbidden", "ok", "not_found", "confined"


def _row(anonymous, applied, minor, member, supporter, staff, admin, suspended):
    return dict(zip(VIEWERS, (anonymous, applied, minor, member, supporter, staff, admin, suspended), strict=True))


REPORTERS = _row(LOGIN, FORBIDDEN, OK, OK, OK, OK, OK, CONFINED)
PATROL = _row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, OK, CONFINED)
STAFF = _row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, OK, CONFINED)
NOTICES = _row(LOGIN, FORBIDDEN, OK, OK, OK, OK, OK, OK)
# Only the author of the action may appeal; for everyone else it does not exist.
APPEAL = _row(LOGIN, FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)

ROUTES = [
    ("GET", "/report/test_note/{note}", None, REPORTERS),
    ("POST", "/report/test_note/{note}", {"reason": "spam"}, REPORTERS),
    ("GET", "/reports/mine", None, REPORTERS),
    ("GET", "/patrol", None, PATROL),
    ("GET", "/moderation/notices", None, NOTICES),
    ("GET", "/moderation/actions/{action}/appeal", None, APPEAL),
    ("POST", "/moderation/actions/{action}/appeal", {"body": "見直してください"}, APPEAL),
    ("GET", "/moderation", None, STAFF),
    ("GET", "/moderation/cases/{case}", None, STAFF),
    ("POST", "/moderation/cases/{case}/claim", {}, STAFF),
    ("POST", "/moderation/cases/{case}/release", {}, STAFF),
    ("POST", "/moderation/cases/{case}/act", {"version": "{version}", "action": "delete", "rule": "harassment"}, STAFF),
    ("GET", "/moderation/appeals", None, STAFF),
    ("GET", "/moderation/appeals/{appeal}", None, STAFF),
    ("POST", "/moderation/appeals/{appeal}", {"decision": "upheld", "note": "維持します"}, STAFF),
    ("GET", "/moderation/audit", None, STAFF),
    ("GET", "/moderation/audit.csv", None, STAFF),
    ("GET", "/moderation/stats", None, STAFF),
]


@pytest.fixture
def world(app, notes, make_user):  # noqa: F811
    """A note hidden after a report, and the author's pending appeal (built through the services)."""
    from moderation import services

    author, acting, reporter = make_user(), make_user(role="staff"), make_user()
    note = notes.add(author, "対象の投稿")
    other = notes.add(author, "通報用の投稿")
    with app.test_request_context():
        services.submit_report(reporter, "test_note", note.id, "spam", "")
        case = db.session.scalar(select(ModerationCase))
        action = services.act(acting, case.id, version=case.version, action="hide", rule="commercial")
        appeal = services.submit_appeal(author, action.id, "違います")
        db.session.commit()
        ids = {"note": other.id, "case": case.id, "version": db.session.get(ModerationCase, case.id).version,
               "action": action.id, "appeal": appeal.id}
    return ids


def _viewer(kind, make_user):
    if kind == "anonymous":
        return None
    if kind == "applied":
        return make_user(status="applied")
    if kind == "minor":
        return make_user(birth_date=date(date.today().year - 12, 6, 1))
    if kind == "suspended":
        return make_user(status="suspended")
    if kind in ("supporter", "staff", "admin"):
        return make_user(role=kind)
    return make_user()


def _fill(value, ids):
    return value.format(**ids) if isinstance(value, str) else value


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize(("method", "path", "data", "expected"), ROUTES, ids=[f"{m} {p}" for m, p, _d, _e in ROUTES])
def test_route_matrix(world, make_user, client, auth, method, path, data, expected, viewer):
    user = _viewer(viewer, make_user)
    if user is not None:
        auth.login(user)
    url = _fill(path, world)
    body = {k: _fill(v, world) for k, v in (data or {}).items()}
    response = client.get(url) if method == "GET" else client.post(url, data=body)
    want = expected[viewer]
    location = response.headers.get("Location", "")
    if want == LOGIN:
        assert response.status_code == 302 and "/login" in location
    elif want == CONFINED:
        assert response.status_code == 302 and "/suspended" in location
    elif want == FORBIDDEN:
        assert response.status_code == 403
    elif want == NOT_FOUND:
        assert response.status_code == 404
    else:
        assert response.status_code in (200, 302, 303), response.status_code
        assert "/login" not in location and "/suspended" not in location


SUPPORTER_REFUSED = [(m, p, d) for m, p, d, e in ROUTES if e is STAFF]


@pytest.mark.parametrize(("method", "path", "data"), SUPPORTER_REFUSED, ids=[f"{m} {p}" for m, p, _d in SUPPORTER_REFUSED])
def test_supporters_have_no_moderation_rights(world, make_user, client, auth, notes, method, path, data):  # noqa: F811
    """Supporters report (and count double), but every staff page and action refuses them and
    changes nothing."""
    auth.login(make_user(role="supporter"))
    before = (db.session.get(ModerationCase, world["case"]).version, notes.notes[1].moderation_state,
              db.session.get(Appeal, world["appeal"]).status, db.session.scalar(select(ModerationCase.claimed_by_id)))
    url = _fill(path, world)
    body = {k: _fill(v, world) for k, v in (data or {}).items()}
    response = client.get(url) if method == "GET" else client.post(url, data=body)
    assert response.status_code == 403
    db.session.expire_all()
    after = (db.session.get(ModerationCase, world["case"]).version, notes.notes[1].moderation_state,
             db.session.get(Appeal, world["appeal"]).status, db.session.scalar(select(ModerationCase.claimed_by_id)))
    assert after == before
    assert len(db.session.scalars(select(Report)).all()) == 1
