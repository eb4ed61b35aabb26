"""Diary factories: entries, friendships, blocks, lists; all committed like real requests."""

from __future__ import annotations

import pytest

from community.diaries.models import (
    AudienceList,
    AudienceListMember,
    DiaryAudienceList,
    DiaryAudienceMember,
    DiaryComment,
    DiaryEntry,
)
from community.extensions import db
from community.social.models import Block, Friendship


@pytest.fixture
def make_entry(app):
    def make(author, visibility="members", *, title="今日の日記", body="本文です。", selected=(), lists=(),
             moderation_state="visible") -> DiaryEntry:
        entry = DiaryEntry(author_id=author.id, title=title, body=body, visibility=visibility,
                           moderation_state=moderation_state)
        db.session.add(entry)
        db.session.flush()
        for user in selected:
            db.session.add(DiaryAudienceMember(entry_id=entry.id, user_id=user.id))
        for audience_list in lists:
            db.session.add(DiaryAudienceList(entry_id=entry.id, list_id=audience_list.id))
        db.session.commit()
        return entry

    return make


@pytest.fixture
def befriend(app):
    def make(a, b):
        from community.core.database import utcnow

        db.session.add(Friendship(requester_id=a.id, addressee_id=b.id, status="accepted", accepted_at=utcnow()))
        db.session.commit()

    return make


@pytest.fixture
def block(app):
    def make(blocker, blocked):
        db.session.add(Block(blocker_id=blocker.id, blocked_id=blocked.id))
        db.session.commit()

    return make


@pytest.fixture
def make_list(app):
    def make(owner, name, members):
        audience_list = AudienceList(owner_id=owner.id, name=name)
        db.session.add(audience_list)
        db.session.flush()
        for user in members:
            db.session.add(AudienceListMember(list_id=audience_list.id, user_id=user.id))
        db.session.commit()
        return audience_list

    return make


@pytest.fixture
def make_comment(app):
    def make(entry, author, body="コメントです", moderation_state="visible"):
        comment = DiaryComment(entry_id=entry.id, author_id=author.id, body=body, moderation_state=moderation_state)
        db.session.add(comment)
        db.session.commit()
        return comment

    return make
