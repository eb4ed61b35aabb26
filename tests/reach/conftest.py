"""Factories for reach tests: circles and topics (shared with the circle tests), official accounts,
and a fake clock for the counting code."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from community.extensions import db
from community.official.models import OfficialAccount, OfficialAccountMember, OfficialPost
from tests.circles.conftest import login, make_circle, make_topic  # noqa: F401 - fixtures re-used here


@pytest.fixture
def make_account(app):
    def make(slug="bousai", name="防災課", members=()) -> OfficialAccount:
        account = OfficialAccount(slug=slug, name=name)
        db.session.add(account)
        db.session.flush()
        for user in members:
            db.session.add(OfficialAccountMember(account_id=account.id, user_id=user.id))
        db.session.commit()
        return account

    return make


@pytest.fixture
def make_official_post(app):
    def make(account, author, title="避難所のお知らせ") -> OfficialPost:
        post = OfficialPost(account_id=account.id, author_id=author.id, title=title, body="本文")
        db.session.add(post)
        db.session.commit()
        return post

    return make


class Clock:
    """What `utcnow()` returns inside community.reach.services; set it with `clock.at(...)`."""

    def __init__(self):
        self.now = datetime(2026, 11, 17, 10, 30, tzinfo=UTC)  # Tuesday 19:30 in Tokyo

    def at(self, value: datetime) -> None:
        self.now = value

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr("community.reach.services.utcnow", fake)
    return fake


def tokyo(*args) -> datetime:
    from community.policy.accounts import TOKYO

    return datetime(*args, tzinfo=TOKYO)


__all__ = ["login", "tokyo"]
