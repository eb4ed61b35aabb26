"""Every GET route, walked from app.url_map with bad arguments: nothing may answer 5xx.

Ids beyond the database's range, ids that do not exist and odd text (full-width digits, a NUL)
go into each URL argument and into the query parameters that views read as numbers, as a visitor,
a member, staff and an admin.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from werkzeug.routing import AnyConverter, IntegerConverter

from community.core.urls import MAX_ID

OUT_OF_RANGE = [str(2**64), str(2**63), str(MAX_ID + 1)]
# One variant per URL: every int argument gets the same kind of value, strings get odd text.
INT_VALUES = [*OUT_OF_RANGE, "１２", "999999"]
TEXT_VALUES = ["abc", "１２", "%00", "abc", "%E3%81%82"]
# Query parameters that views or their GET forms read as numbers.
NUMERIC_ARGS = ("page", "district", "days", "target_id", "account", "year", "month", "id")
ROLES = (None, "member", "staff", "admin")


def _get_rules(app):
    return sorted(
        (rule for rule in app.url_map.iter_rules()
         if "GET" in rule.methods and not rule.endpoint.endswith("static")),
        key=lambda rule: rule.rule,
    )


def _urls(rule) -> list[str]:
    """The rule's path with each argument filled, one URL per kind of bad value."""
    if not rule.arguments:
        return [rule.rule]
    urls = []
    for i in range(len(INT_VALUES)):
        def fill(match, i=i):
            name = match.group("name")
            converter = rule._converters[name]
            if isinstance(converter, IntegerConverter):
                return quote(INT_VALUES[i], safe="")
            if isinstance(converter, AnyConverter):
                return sorted(converter.items)[i % len(converter.items)]
            return TEXT_VALUES[i]

        urls.append(re.sub(r"<(?:[^:<>]+:)?(?P<name>\w+)>", fill, rule.rule))
    return urls


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
    for rule in _get_rules(app):
        urls = _urls(rule)
        # The numeric query parameters ride on the URL with a well-formed (non-existent) id.
        for target in [*urls, f"{urls[-2 if rule.arguments else 0]}?{bad_query}"]:
            response = client.get(target)
            if response.status_code >= 500:
                failures.append(f"{response.status_code} {target}")
    assert not failures, "\n".join(failures)
