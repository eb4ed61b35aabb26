"""policy.memo: a page asks each policy question once, and never gets a stale answer."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from community.circles.models import Circle, CircleMembership
from community.diaries.models import DiaryEntry
from community.extensions import db
from community.policy import circles as circle_policy
from community.policy import memo, visible_entries


@pytest.fixture
def entry(make_user):
    found = DiaryEntry(author_id=make_user().id, title="公園", body="本文", visibility="members")
    db.session.add(found)
    db.session.commit()
    return found


def _visible(viewer, entry_id, asked):
    def compute():
        asked.append(entry_id)
        return db.session.scalar(visible_entries(select(DiaryEntry.id).where(DiaryEntry.id == entry_id), viewer)) \
            is not None

    return memo.remembered("diary_entry", viewer, entry_id, compute)


def test_inside_a_get_page_the_question_is_asked_once_per_viewer_and_item(app, make_user, entry):
    reader, other = make_user(), make_user()
    asked = []
    with app.test_request_context("/", method="GET"), memo.reading():
        assert _visible(reader, entry.id, asked) and _visible(reader, entry.id, asked)
        assert _visible(other, entry.id, asked)  # another viewer is another question
        assert _visible(None, entry.id, asked) is False  # members-only: not for visitors
        assert asked == [entry.id, entry.id, entry.id]
    with app.test_request_context("/", method="GET"):
        _visible(reader, entry.id, asked)  # the memo ended with its block
    assert len(asked) == 4


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_requests_that_write_never_use_it(app, make_user, entry, method):
    reader, asked = make_user(), []
    with app.test_request_context("/", method=method), memo.reading():
        _visible(reader, entry.id, asked)
        _visible(reader, entry.id, asked)
    assert len(asked) == 2


def test_outside_reading_every_call_asks(app, make_user, entry):
    reader, asked = make_user(), []
    with app.test_request_context("/"):
        _visible(reader, entry.id, asked)
        _visible(reader, entry.id, asked)
    _visible(reader, entry.id, asked)  # no request at all (a CLI command, a test)
    assert len(asked) == 3


def test_a_change_in_the_same_request_is_seen_at_once(app, make_user, entry):
    reader, asked = make_user(), []
    with app.test_request_context("/"), memo.reading():
        assert _visible(reader, entry.id, asked)
        entry.visibility = "private"  # not flushed yet: the memo must not answer
        assert _visible(reader, entry.id, asked) is False
        entry.visibility = "members"
        db.session.flush()  # flushed: the memo starts afresh
        assert _visible(reader, entry.id, asked)
        entry.visibility = "private"
        db.session.flush()
        assert _visible(reader, entry.id, asked) is False
        assert len(asked) == 4
        db.session.rollback()


def test_a_circle_page_looks_up_the_membership_row_once(app, make_user):
    owner, member = make_user(), make_user()
    circle = Circle(name="歩こう会", created_by_id=owner.id, visibility="private", member_count=2)
    db.session.add(circle)
    db.session.flush()
    db.session.add_all([CircleMembership(circle_id=circle.id, user_id=owner.id, role="owner"),
                        CircleMembership(circle_id=circle.id, user_id=member.id, role="member")])
    db.session.commit()
    statements = []

    def counter(*args):
        if "FROM circle_membership" in args[2]:
            statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", counter)
    try:
        with app.test_request_context("/"), memo.reading():
            answers = [circle_policy.can_read_circle_content(member, circle), circle_policy.can_leave_circle(member, circle),
                       circle_policy.can_admin_circle(member, circle), circle_policy.can_admin_circle(owner, circle),
                       circle_policy.can_join_circle(member, circle)]
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)
    assert answers == [True, True, False, True, False]
    assert len(statements) == 2  # one per viewer
