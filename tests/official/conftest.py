"""Factories for official-account tests: real rows, real commits."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from community.extensions import db
from community.official.models import OfficialAccount, OfficialAccountMember, OfficialPost

CHILD = date(2014, 8, 20)
_counter = itertools.count(1)


@pytest.fixture
def make_account(app):
    def make(name=None, *, slug=None, members=(), **fields) -> OfficialAccount:
        number = next(_counter)
        account = OfficialAccount(name=name or f"テスト課{number}", slug=slug or f"dept{number}", **fields)
        account.members = [OfficialAccountMember(user_id=u.id) for u in members]
        db.session.add(account)
        db.session.commit()
        return account

    return make


@pytest.fixture
def make_official_post(app):
    def make(account, author=None, title="お知らせ", body="本文です。", **fields) -> OfficialPost:
        post = OfficialPost(account_id=account.id, author_id=getattr(author, "id", None), title=title, body=body,
                            **fields)
        db.session.add(post)
        db.session.commit()
        return post

    return make


@pytest.fixture
def people(make_user):
    """Every kind of viewer the permission matrix asks about."""
    return {
        "member": make_user(),
        "minor": make_user(birth_date=CHILD),
        "supporter": make_user(role="supporter"),
        "staff_other": make_user(role="staff"),
        "staff_in": make_user(role="staff"),
        "admin": make_user(role="admin"),
        "suspended_staff_in": make_user(role="staff"),
    }


@pytest.fixture
def dept(make_account, people):
    """防災課, whose members are `staff_in` and `suspended_staff_in` (suspended after logging in)."""
    return make_account("防災課", slug="bousai", members=[people["staff_in"], people["suspended_staff_in"]],
                        may_issue_emergencies=True)


@pytest.fixture
def login_as(auth, people):
    """Log a viewer in; the suspended one is suspended after signing in, as happens mid-session."""

    def login(viewer: str):
        if viewer == "anonymous":
            return None
        user = people[viewer]
        response = auth.login(user)
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        if viewer.startswith("suspended"):
            user.status = "suspended"
            db.session.commit()
        return user

    return login
