"""Appeals: once per action, within 14 days, up to 2,000 characters, decided by another staff member."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from community.audit import AuditLog
from community.extensions import db
from moderation.models import Appeal, ModerationAction, ModerationCase


@pytest.fixture
def hidden(notes, make_user, login):
    """A note reported and hidden by staff member `acting`: (note, author, reporter, acting, action)."""
    author, reporter, acting = make_user(), make_user(role="supporter"), make_user(role="staff")
    note = notes.add(author, "隠された投稿")
    login(reporter).post(f"/report/test_note/{note.id}", data={"reason": "spam"})
    case = db.session.scalar(select(ModerationCase))
    login(acting).post(f"/moderation/cases/{case.id}/act",
                       data={"version": case.version, "action": "hide", "rule": "commercial", "note": "宣伝です"})
    action = db.session.scalar(select(ModerationAction))
    return note, author, reporter, acting, action


def test_author_appeals_and_another_staff_member_overturns(hidden, make_user, login):
    note, author, reporter, acting, action = hidden
    client = login(author)
    assert "宣伝です" in client.get(f"/moderation/actions/{action.id}/appeal").get_data(as_text=True)
    response = client.post(f"/moderation/actions/{action.id}/appeal", data={"body": "宣伝ではありません"})
    assert response.status_code == 302
    appeal = db.session.scalar(select(Appeal))
    assert "判断待ち" in client.get("/moderation/notices").get_data(as_text=True)

    # The staff member who acted may not decide.
    response = login(acting).post(f"/moderation/appeals/{appeal.id}", data={"decision": "overturned", "note": "x"})
    assert response.status_code == 403
    assert "別の職員が判断します" in response.get_data(as_text=True)

    other = login(make_user(role="staff"))
    assert "宣伝ではありません" in other.get(f"/moderation/appeals/{appeal.id}").get_data(as_text=True)
    response = other.post(f"/moderation/appeals/{appeal.id}",
                          data={"decision": "overturned", "note": "地域のお祭りの案内でした"})
    assert response.status_code == 302
    assert note.moderation_state == "visible"
    notices = login(author).get("/moderation/notices").get_data(as_text=True)
    assert "異議申し立てを認め" in notices and "地域のお祭りの案内でした" in notices
    assert "表示を再開しました" in login(reporter).get("/reports/mine").get_data(as_text=True)
    actions = {e.action for e in db.session.scalars(select(AuditLog))}
    assert {"appeal.created", "appeal.decided"} <= actions


def test_upheld_appeal_keeps_the_action(hidden, make_user, login):
    note, author, _r, _a, action = hidden
    login(author).post(f"/moderation/actions/{action.id}/appeal", data={"body": "見直してください"})
    appeal = db.session.scalar(select(Appeal))
    login(make_user(role="staff")).post(f"/moderation/appeals/{appeal.id}",
                                        data={"decision": "upheld", "note": "規約どおりです"})
    assert note.moderation_state == "hidden"
    assert "対応は維持されます" in login(author).get("/moderation/notices").get_data(as_text=True)


def test_a_second_appeal_is_refused(hidden, login):
    _n, author, _r, _a, action = hidden
    client = login(author)
    client.post(f"/moderation/actions/{action.id}/appeal", data={"body": "一回目"})
    response = client.post(f"/moderation/actions/{action.id}/appeal", data={"body": "二回目"})
    assert response.status_code == 400
    assert "異議申し立ては1つの判断につき1回です" in response.get_data(as_text=True)
    assert len(db.session.scalars(select(Appeal)).all()) == 1


def test_an_appeal_after_14_days_is_refused(hidden, login):
    _n, author, _r, _a, action = hidden
    db.session.execute(update(ModerationAction).values(created_at=action.created_at - timedelta(days=15)))
    db.session.commit()
    client = login(author)
    response = client.post(f"/moderation/actions/{action.id}/appeal", data={"body": "遅れました"})
    assert response.status_code == 400
    assert "期限（14日）を過ぎています" in response.get_data(as_text=True)
    assert "異議申し立ての期間は終わりました" in client.get("/moderation/notices").get_data(as_text=True)


def test_too_long_appeal_is_refused_and_kept(hidden, login):
    _n, author, _r, _a, action = hidden
    text = "い" * 2001
    response = login(author).post(f"/moderation/actions/{action.id}/appeal", data={"body": text})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "2000文字以内" in body and text in body


def test_only_the_author_can_appeal(hidden, make_user, login):
    _n, _author, reporter, _a, action = hidden
    assert login(reporter).get(f"/moderation/actions/{action.id}/appeal").status_code == 404
    assert login(make_user()).post(f"/moderation/actions/{action.id}/appeal", data={"body": "x"}).status_code == 404


def test_a_suspended_author_can_read_why_and_appeal(reported_suspension):
    client, action = reported_suspension
    assert "利用を停止しました" in client.get("/moderation/notices").get_data(as_text=True)
    assert client.post(f"/moderation/actions/{action.id}/appeal", data={"body": "反省しています"}).status_code == 302


@pytest.fixture
def reported_suspension(notes, make_user, login):
    author = make_user()
    note = notes.add(author)
    login(make_user()).post(f"/report/test_note/{note.id}", data={"reason": "harassment"})
    case = db.session.scalar(select(ModerationCase))
    login(make_user(role="staff")).post(f"/moderation/cases/{case.id}/act",
                                        data={"version": case.version, "action": "suspend", "rule": "harassment",
                                              "indefinite": "y"})
    return login(author), db.session.scalar(select(ModerationAction))


def test_overturned_suspension_is_lifted(reported_suspension, make_user, login):
    client, action = reported_suspension
    client.post(f"/moderation/actions/{action.id}/appeal", data={"body": "誤解です"})
    appeal = db.session.scalar(select(Appeal))
    login(make_user(role="staff")).post(f"/moderation/appeals/{appeal.id}",
                                        data={"decision": "overturned", "note": "誤解でした"})
    from community.accounts.models import User

    author = db.session.get(User, action.author_id)
    db.session.refresh(author)
    assert author.status == "verified" and author.suspended_until is None


def test_deciding_twice_is_refused(hidden, make_user, login):
    _n, author, _r, _a, action = hidden
    login(author).post(f"/moderation/actions/{action.id}/appeal", data={"body": "見直してください"})
    appeal = db.session.scalar(select(Appeal))
    login(make_user(role="staff")).post(f"/moderation/appeals/{appeal.id}", data={"decision": "upheld", "note": "a"})
    response = login(make_user(role="staff")).post(
        f"/moderation/appeals/{appeal.id}", data={"decision": "overturned", "note": "b"}
    )
    assert response.status_code == 409
    assert "すでに対応済みです" in response.get_data(as_text=True)
