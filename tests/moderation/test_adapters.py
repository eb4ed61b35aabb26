"""The real content kinds: diary entries and comments, circle content and profiles."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from community.core.database import utcnow
from community.diaries.models import DiaryComment, DiaryEntry
from community.extensions import db
from community.social.models import Friendship
from moderation.models import ModerationCase


def _entry(author, title="日記", body="本文", visibility="members", minutes_ago=10):
    entry = DiaryEntry(author_id=author.id, title=title, body=body, visibility=visibility,
                       created_at=utcnow() - timedelta(minutes=minutes_ago))
    db.session.add(entry)
    db.session.commit()
    return entry


def _comment(entry, author, body="コメント"):
    comment = DiaryComment(entry_id=entry.id, author_id=author.id, body=body)
    db.session.add(comment)
    db.session.commit()
    return comment


def test_patrol_shows_only_what_members_may_see(make_user, login):
    author, supporter = make_user(), make_user(role="supporter")
    _entry(author, "会員向けの日記", visibility="members")
    _entry(author, "全体公開の日記", visibility="public")
    _entry(author, "友達までの日記", visibility="friends")
    _entry(author, "自分だけの日記", visibility="private")
    _entry(author, "指定した人だけの日記", visibility="selected")
    page = login(supporter).get("/patrol").get_data(as_text=True)
    assert "会員向けの日記" in page and "全体公開の日記" in page
    for hidden in ("友達までの日記", "自分だけの日記", "指定した人だけの日記"):
        assert hidden not in page


def test_patrol_includes_friends_only_content_when_the_supporter_is_a_friend(make_user, login):
    author, supporter = make_user(), make_user(role="supporter")
    db.session.add(Friendship(requester_id=author.id, addressee_id=supporter.id, status="accepted",
                              accepted_at=utcnow()))
    db.session.commit()
    _entry(author, "友達までの日記", visibility="friends")
    assert "友達までの日記" in login(supporter).get("/patrol").get_data(as_text=True)


def test_diary_comment_report_hide_and_thread(make_user, login):
    author, commenter, staff = make_user(), make_user(nickname="コメント主"), make_user(role="staff")
    entry = _entry(author, "散歩の日記")
    _comment(entry, author, "前のコメント")
    comment = _comment(entry, commenter, "ひどいコメント")
    assert login(make_user(role="supporter")).post(
        f"/report/diary_comment/{comment.id}", data={"reason": "harassment"}
    ).status_code == 302
    case = db.session.scalar(select(ModerationCase))
    client = login(staff)
    page = client.get(f"/moderation/cases/{case.id}").get_data(as_text=True)
    assert "散歩の日記" in page and "前のコメント" in page and "ひどいコメント" in page
    client.post(f"/moderation/cases/{case.id}/act",
                data={"version": case.version, "action": "hide", "rule": "harassment"})
    db.session.expire_all()
    assert db.session.get(DiaryComment, comment.id).moderation_state == "hidden"
    # The hidden comment is gone for other members, so it can no longer be reported by them.
    assert login(make_user()).get(f"/report/diary_comment/{comment.id}").status_code == 404


def test_a_private_diary_entry_cannot_be_reported_by_others(make_user, login):
    entry = _entry(make_user(), visibility="private")
    assert login(make_user()).get(f"/report/diary_entry/{entry.id}").status_code == 404


def test_profile_can_be_reported_but_not_hidden(make_user, login):
    member = make_user(nickname="問題のある名前")
    assert login(make_user()).post(f"/report/profile/{member.id}", data={"reason": "harassment"}).status_code == 302
    case = db.session.scalar(select(ModerationCase))
    client = login(make_user(role="staff"))
    response = client.post(f"/moderation/cases/{case.id}/act",
                           data={"version": case.version, "action": "hide", "rule": "harassment"})
    assert response.status_code == 400
    assert "非表示や削除はできません" in response.get_data(as_text=True)
    response = client.post(f"/moderation/cases/{case.id}/act",
                           data={"version": case.version, "action": "warn", "rule": "harassment"})
    assert response.status_code == 302


def test_report_links_on_diary_pages(make_user, login):
    author, commenter, reader = make_user(), make_user(), make_user()
    entry = _entry(author, "読まれる日記")
    comment = _comment(entry, commenter, "感想です")
    page = login(reader).get(f"/diaries/{entry.id}").get_data(as_text=True)
    assert f"/report/diary_entry/{entry.id}" in page and f"/report/diary_comment/{comment.id}" in page
    page = login(author).get(f"/diaries/{entry.id}").get_data(as_text=True)
    assert f"/report/diary_entry/{entry.id}" not in page and f"/report/diary_comment/{comment.id}" in page


def test_circle_post_report_and_link(make_user, login):
    from community.circles.models import Circle, CircleMembership, Post, Topic

    owner, writer, reader = make_user(), make_user(), make_user()
    circle = Circle(name="写真の会", visibility="public", created_by_id=owner.id)
    db.session.add(circle)
    db.session.flush()
    db.session.add(CircleMembership(circle_id=circle.id, user_id=writer.id))
    topic = Topic(circle_id=circle.id, author_id=writer.id, title="はじめまして")
    db.session.add(topic)
    db.session.flush()
    post = Post(topic_id=topic.id, circle_id=circle.id, author_id=writer.id, body="よろしくお願いします")
    db.session.add(post)
    db.session.commit()
    client = login(reader)
    assert f"/report/circle_post/{post.id}" in client.get(f"/circles/topics/{topic.id}").get_data(as_text=True)
    assert client.post(f"/report/circle_post/{post.id}", data={"reason": "spam"}).status_code == 302
    case = db.session.scalar(select(ModerationCase))
    page = login(make_user(role="staff")).get(f"/moderation/cases/{case.id}").get_data(as_text=True)
    assert "写真の会" in page and "はじめまして" in page and "よろしくお願いします" in page
