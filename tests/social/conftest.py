"""Viewer kinds for the social permission matrices."""

from __future__ import annotations

from datetime import date

import pytest

from community.extensions import db
from community.policy import minor_until
from community.policy.accounts import today_in_japan
from community.social.models import Block, Friendship, ProfileSettings

VIEWER_KINDS = ["anonymous", "applied", "minor", "member", "friend", "blocked", "suspended", "supporter", "staff"]


def minor_birth_date() -> date:
    """A birth date that makes someone 中学生以下 today (about 13 years old)."""
    today = today_in_japan()
    birth = date(today.year - 13, 6, 1)
    assert minor_until(birth) >= today
    return birth


@pytest.fixture
def befriend(app):
    def make(a, b):
        db.session.add(Friendship(requester_id=a.id, addressee_id=b.id, status="accepted"))
        db.session.commit()

    return make


@pytest.fixture
def block_member(app):
    def make(blocker, blocked):
        db.session.add(Block(blocker_id=blocker.id, blocked_id=blocked.id))
        db.session.commit()

    return make


@pytest.fixture
def profile_of(make_user):
    """An owner with the given profile settings and a recognisable bio."""

    def make(public_nickname=False, bio_visibility="members", district_visibility="members", **fields):
        owner = make_user(nickname="持ち主", bio="自己紹介の本文です", **fields)
        db.session.add(ProfileSettings(user_id=owner.id, public_nickname=public_nickname,
                                       bio_visibility=bio_visibility, district_visibility=district_visibility))
        db.session.commit()
        return owner

    return make


@pytest.fixture
def viewer_of(make_user, befriend, block_member):
    """viewer_of(kind, owner) -> the viewer (None for anonymous), set up in relation to owner."""

    def make(kind, owner):
        if kind == "anonymous":
            return None
        options = {
            "applied": {"status": "applied"},
            "minor": {"birth_date": minor_birth_date()},
            "suspended": {"status": "suspended"},
            "supporter": {"role": "supporter"},
            "staff": {"role": "staff"},
        }.get(kind, {})
        viewer = make_user(**options)
        if kind == "friend":
            befriend(owner, viewer)
        if kind == "blocked":
            block_member(owner, viewer)
        return viewer

    return make
