"""Every route, walked from app.url_map with bad arguments: nothing may answer 5xx.

Ids beyond the database's range, ids that do not exist and odd text (full-width digits, a NUL)
go into each URL argument and into the query parameters that views read as numbers, as a visitor,
a member, staff and an admin; every POST route receives out-of-range ids in every id field. Then
the forms that carry ids, one by one: a 4xx with the form's Japanese message, what was typed kept.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from werkzeug.routing import AnyConverter, IntegerConverter

from community.circles.models import Circle, CircleMembership
from community.core.urls import MAX_ID
from community.extensions import db

OUT_OF_RANGE = [str(2**64), str(2**63), str(MAX_ID + 1)]
# One URL per kind of bad value: (int arguments, string arguments). Out-of-range ids take turns
# from rule to rule, which keeps the walk short.
VARIANTS = [(None, "abc"), ("999999", "%00"), ("１２", "１２")]
# Query parameters that views or their GET forms read as numbers.
NUMERIC_ARGS = ("page", "district", "days", "target_id", "account", "year", "month", "id")
ROLES = (None, "member", "staff", "admin")


def _get_rules(app, method="GET"):
    return sorted(
        (rule for rule in app.url_map.iter_rules()
         if method in rule.methods and not rule.endpoint.endswith("static")),
        key=lambda rule: rule.rule,
    )


def _fill(rule, int_value: str, text_value: str, turn: int = 0) -> str:
    def value(match):
        converter = rule._converters[match.group("name")]
        if isinstance(converter, IntegerConverter):
            return quote(int_value, safe="")
        if isinstance(converter, AnyConverter):
            return sorted(converter.items)[turn % len(converter.items)]
        return text_value

    return re.sub(r"<(?:[^:<>]+:)?(?P<name>\w+)>", value, rule.rule)


def _urls(rule, turn: int = 0) -> list[str]:
    """The rule's path with each argument filled, one URL per kind of bad value."""
    if not rule.arguments:
        return [rule.rule]
    return [_fill(rule, int_value or OUT_OF_RANGE[turn % len(OUT_OF_RANGE)], text_value, turn + i)
            for i, (int_value, text_value) in enumerate(VARIANTS)]


def test_the_walk_covers_the_routes_that_take_ids(app):
    rules = _get_rules(app)
    assert len(rules) > 100
    paths = {rule.rule for rule in rules}
    for path in ("/diaries/<int:entry_id>", "/circles/<int:circle_id>", "/members/<int:user_id>"):
        assert path in paths


@pytest.mark.parametrize("role", ROLES)
def test_no_get_route_answers_5xx_for_bad_ids(app, client, auth, make_user, role):
    if role:
        auth.login(make_user(role=role))
    bad_query = "&".join(f"{name}={2**64}" for name in NUMERIC_ARGS)
    failures = []
    for turn, rule in enumerate(_get_rules(app)):
        urls = _urls(rule, turn)
        # The numeric query parameters ride on the URL with a well-formed (non-existent) id.
        for target in [*urls, f"{urls[1 if rule.arguments else 0]}?{bad_query}"]:
            response = client.get(target)
            if response.status_code >= 500:
                failures.append(f"{response.status_code} {target}")
    assert not failures, "\n".join(failures)


# -- forms that carry ids -----------------------------------------------------------------------

# Routes that would end the session or the account instead of reading a form.
_SKIP_POST = {"accounts.logout", "accounts.login", "accounts.end_all", "kiosk.logout", "kiosk.login",
              "social.withdraw"}
# Every form field (or raw form value) that carries an id or a version, as the views name them.
ID_FIELDS = ("audience_members", "audience_lists", "remove_photos", "members", "district_id", "districts",
             "facility_id", "account_id", "version", "seen_answers", "target_id", "user_id", "direction")


@pytest.mark.parametrize("role", ROLES)
def test_no_form_answers_5xx_for_out_of_range_ids(app, client, auth, make_user, role):
    if role:
        auth.login(make_user(role=role))
    data = {name: str(2**64) for name in ID_FIELDS} | {"title": "題", "body": "本文", "visibility": "selected"}
    failures = []
    for rule in _get_rules(app, "POST"):
        if rule.endpoint in _SKIP_POST:
            continue
        url = _fill(rule, "999999", "abc")  # ids that do not exist, so no row changes
        response = client.post(url, data=data)
        if response.status_code >= 500:
            failures.append(f"{response.status_code} {url}")
    assert not failures, "\n".join(failures)


HUGE = str(2**64)
NOT_FOUND = "ページが見つかりません"
BAD_REQUEST = "リクエストが正しくありません"
FROM_LIST = "一覧から選んでください。"


@pytest.mark.parametrize("path", [
    "/diaries/99999999999999999999",
    "/circles/9223372036854775808",
    "/members/9223372036854775808",
    "/moderation/cases/18446744073709551616",
    "/announcements/18446744073709551616/renew",
])
def test_an_id_beyond_the_range_is_the_japanese_404_page(client, auth, make_user, path):
    auth.login(make_user(role="admin"))
    response = client.get(path)
    assert response.status_code == 404
    assert NOT_FOUND in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/diaries?page=99999999999999999999", f"/circles/?district={HUGE}",
                                  f"/notifications?page={HUGE}"])
def test_an_out_of_range_number_in_a_query_string_is_ignored(client, auth, make_user, path):
    auth.login(make_user())
    assert client.get(path).status_code == 200


def _circle_owned_by(user) -> int:
    circle = Circle(name="写真クラブ", created_by_id=user.id, member_count=1)
    db.session.add(circle)
    db.session.flush()
    db.session.add(CircleMembership(circle_id=circle.id, user_id=user.id, role="owner", state="active"))
    db.session.commit()
    return circle.id


FORM_CASES = [
    # (who, path, form data, status, what the page says)
    ("member", "/diaries/new", {"title": "題", "body": "残る本文", "visibility": "selected",
                                "audience_members": HUGE}, 400, FROM_LIST),
    ("member", "/diaries/new", {"title": "題", "body": "残る本文", "visibility": "selected",
                                "audience_lists": HUGE}, 400, FROM_LIST),
    ("member", "/diaries/lists/new", {"name": "残るリスト名", "members": HUGE}, 400, FROM_LIST),
    ("member", "/settings/profile", {"nickname": "残る名前", "district_id": HUGE, "public_nickname": "y",
                                     "bio_visibility": "members", "district_visibility": "members",
                                     "avatar_visibility": "members"}, 400, "地区は一覧から選んでください"),
    ("member", "/circles/new", {"name": "残るサークル名", "description": "説明", "category": "hobby",
                                "district_id": HUGE, "visibility": "public", "join_mode": "open",
                                "topic_policy": "members", "comment_policy": "members"}, 400, FROM_LIST),
    ("owner", "/circles/{circle}/members/remove", {"user_id": HUGE}, 400, BAD_REQUEST),
    ("owner", "/circles/{circle}/members/remove", {"user_id": "１２"}, 400, BAD_REQUEST),
    ("staff", f"/moderation/audit?target_id={HUGE}", None, 400, "正しい番号を半角数字で入力してください。"),
    ("visitor", "/apply", {"nickname": "残る名前", "district_id": HUGE}, 400, FROM_LIST),
    ("member", "/questions/new", {"account_id": HUGE, "title": "題", "body": "残る本文"}, 400, FROM_LIST),
    ("staff", "/staff/register", {"nickname": "残る名前", "district_id": HUGE, "facility_id": HUGE}, 400, FROM_LIST),
]


@pytest.mark.parametrize(("who", "path", "data", "status", "message"), FORM_CASES)
def test_an_out_of_range_id_in_a_form_is_a_4xx_with_the_forms_message(client, auth, make_user, who, path, data,
                                                                     status, message):
    user = make_user(role="staff" if who == "staff" else "member")
    if who != "visitor":
        auth.login(user)
    if "{circle}" in path:
        path = path.format(circle=_circle_owned_by(user))
    response = client.get(path) if data is None else client.post(path, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == status
    assert message in html
    for typed in ("残る本文", "残るリスト名", "残る名前", "残るサークル名"):
        if data and typed in data.values():
            assert typed in html  # what the member typed is still in the form


@pytest.mark.parametrize(("method", "path", "data"), [
    ("get", "/circles/?q=%00", None),
    ("get", "/staff/?name=%00", None),
    ("get", "/moderation/audit?actor=%00", None),
    ("post", "/circles/new", {"name": "写真\x00クラブ", "category": "hobby", "district_id": "0",
                              "visibility": "public", "join_mode": "open", "topic_policy": "members",
                              "comment_policy": "members"}),
])
def test_a_nul_in_a_field_is_the_japanese_400_page(client, auth, make_user, method, path, data):
    auth.login(make_user(role="staff"))
    response = getattr(client, method)(path, data=data)
    assert response.status_code == 400
    assert BAD_REQUEST in response.get_data(as_text=True)
