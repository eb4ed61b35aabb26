"""Followers hear of a department's new posts and emergency notices: one INSERT ... SELECT for all
of them (the statement count does not grow with the followers), and each can turn it off."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy import func, select

from community.accounts.models import User, normalize_login_id
from community.announcements.models import Announcement
from community.core.database import utcnow
from community.extensions import db
from community.notifications.models import Notification
from community.official.models import OfficialFollow, OfficialPost
from tests.announcements.conftest import local


def _html(response) -> str:
    return response.get_data(as_text=True)


def _followers(account, count: int, *, prefix: str) -> list[User]:
    """Many verified followers in one commit (make_user commits one by one)."""
    users = [User(login_id=f"{prefix}{i}", login_key=normalize_login_id(f"{prefix}{i}"), nickname=f"{prefix}{i}",
                  password_hash="x", birth_date=utcnow().date().replace(year=1980), role="member", status="verified")
             for i in range(count)]
    db.session.add_all(users)
    db.session.flush()
    db.session.add_all(OfficialFollow(account_id=account.id, user_id=u.id) for u in users)
    db.session.commit()
    return users


def _notifications(kind: str) -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(select(Notification).where(Notification.kind == kind).order_by(Notification.id)))


def _post_as(client, dept, key: str, title: str = "給水所の場所"):
    return client.post("/official/posts/new", data={"account_id": dept.id, "title": title,
                                                    "body": "中央公民館に給水所を開設しました。", "submission_key": key})


def _statements_of(fn) -> list[str]:
    seen: list[str] = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", listen)
    try:
        fn()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listen)
    return seen


def test_a_new_post_notifies_each_follower_who_opens_it_from_the_list(
        app, client, auth, people, dept, make_account, login_as):
    other = make_account("子育て支援課", slug="kosodate")
    for viewer in ("member", "minor"):
        db.session.add(OfficialFollow(account_id=dept.id, user_id=people[viewer].id))
    db.session.add(OfficialFollow(account_id=other.id, user_id=people["supporter"].id))
    db.session.add(OfficialFollow(account_id=dept.id, user_id=people["staff_in"].id))  # the author follows too
    db.session.commit()
    login_as("staff_in")
    assert _post_as(client, dept, "k" * 32).status_code == 302
    post = db.session.scalar(select(OfficialPost))
    rows = _notifications("official_new_post")
    assert sorted(n.recipient_id for n in rows) == sorted([people["member"].id, people["minor"].id])
    assert {(n.target_type, n.target_id, n.actor_id) for n in rows} == {("official_post", post.id, None)}
    auth.logout()

    login_as("member")
    listing = _html(client.get("/notifications"))
    assert "防災課が「給水所の場所」を投稿しました。" in listing
    [mine] = [n for n in rows if n.recipient_id == people["member"].id]
    opened = client.post(f"/notifications/{mine.id}/open")
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/official/posts/{post.id}")


def test_a_double_submitted_post_notifies_once(client, people, dept, login_as):
    db.session.add(OfficialFollow(account_id=dept.id, user_id=people["member"].id))
    db.session.commit()
    login_as("staff_in")
    _post_as(client, dept, "d" * 32)
    _post_as(client, dept, "d" * 32)
    assert len(_notifications("official_new_post")) == 1


def test_an_emergency_notice_notifies_followers_and_links_to_the_notice(
        app, client, auth, people, dept, login_as):
    db.session.add(OfficialFollow(account_id=dept.id, user_id=people["member"].id))
    db.session.commit()
    login_as("staff_in")
    response = client.post("/announcements/new", data={
        "account_id": dept.id, "kind": "emergency", "title": "大雨警報：避難所を開設しました",
        "body": "中央公民館を避難所として開設しました。", "expires_at": local(utcnow() + timedelta(hours=12)),
        "submission_key": "e-1"})
    assert response.status_code == 303
    item = db.session.scalar(select(Announcement))
    [row] = _notifications("official_emergency")
    assert (row.recipient_id, row.target_type, row.target_id) == (people["member"].id, "announcement", item.id)
    auth.logout()
    login_as("member")
    listing = _html(client.get("/notifications"))
    assert "防災課の緊急情報：「大雨警報：避難所を開設しました」" in listing
    opened = client.post(f"/notifications/{row.id}/open")
    assert opened.headers["Location"].endswith(f"/announcements/{item.id}")


def test_an_ordinary_announcement_notifies_nobody(client, people, dept, login_as):
    db.session.add(OfficialFollow(account_id=dept.id, user_id=people["member"].id))
    db.session.commit()
    login_as("staff_in")
    response = client.post("/announcements/new", data={"account_id": dept.id, "kind": "normal",
                                                       "title": "防災訓練のお知らせ", "submission_key": "n-1"})
    assert response.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_statement_count_does_not_grow_with_the_number_of_followers(app, people, dept):
    from community.official import services

    author = people["staff_in"]

    def publish(n: int) -> tuple[int, int]:
        with app.test_request_context():
            statements = _statements_of(lambda: services.create_post(author, dept, title=f"投稿{n}", body="本文"))
            db.session.commit()
        inserts = [s for s in statements if s.lstrip().upper().startswith("INSERT INTO NOTIFICATION")]
        return len(statements), len(inserts)

    _followers(dept, 3, prefix="few")
    few, few_inserts = publish(1)
    _followers(dept, 300, prefix="many")
    many, many_inserts = publish(2)
    assert few == many and few_inserts == many_inserts == 1
    assert db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.kind == "official_new_post")) == 3 + 303


def test_withdrawn_members_and_followers_of_an_inactive_account_get_nothing(app, people, dept):
    from community.official import services

    gone = people["member"]
    gone.status = "withdrawn"
    db.session.add(OfficialFollow(account_id=dept.id, user_id=gone.id))
    db.session.add(OfficialFollow(account_id=dept.id, user_id=people["minor"].id))
    db.session.commit()
    with app.test_request_context():
        services.notify_followers(dept, "official_new_post", actor=people["staff_in"],
                                  target_type="official_post", target_id=1)
        assert [n.recipient_id for n in _notifications("official_new_post")] == [people["minor"].id]
        dept.deactivated_at = utcnow()
        services.notify_followers(dept, "official_new_post", actor=people["staff_in"],
                                  target_type="official_post", target_id=2)
        assert len(_notifications("official_new_post")) == 1


def test_a_follower_turns_the_notices_off_and_on_from_the_account_page(client, auth, people, dept, login_as):
    member = login_as("member")
    client.post("/official/bousai/follow")
    page = _html(client.get("/official/bousai"))
    assert "新しい投稿と緊急情報をお知らせします。" in page and "この通知を止める" in page
    response = client.post("/official/bousai/notify", data={"on": "0"})
    assert response.status_code == 302
    page = _html(client.get(response.headers["Location"]))
    assert "新しい投稿の通知を止めました" in page and "この通知を受け取る" in page
    follow = db.session.get(OfficialFollow, (dept.id, member.id))
    db.session.refresh(follow)
    assert follow.notify is False
    auth.logout()

    login_as("staff_in")
    _post_as(client, dept, "o" * 32)
    assert _notifications("official_new_post") == []
    auth.logout()
    login_as("member")
    assert "給水所の場所" in _html(client.get("/"))  # still in the home feed
    client.post("/official/bousai/notify", data={"on": "1"})
    db.session.refresh(follow)
    assert follow.notify is True


def test_turning_notices_off_without_following_changes_nothing(client, people, dept, login_as):
    login_as("member")
    response = client.post("/official/bousai/notify", data={"on": "0"}, follow_redirects=True)
    assert "フォローしていないため" in _html(response)
    assert db.session.scalar(select(func.count()).select_from(OfficialFollow)) == 0


def test_the_notice_switch_needs_a_csrf_token(app, client, people, dept, login_as):
    member = login_as("member")
    client.post("/official/bousai/follow")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/official/bousai/notify", data={"on": "0"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    follow = db.session.get(OfficialFollow, (dept.id, member.id))
    db.session.refresh(follow)
    assert follow.notify is True
