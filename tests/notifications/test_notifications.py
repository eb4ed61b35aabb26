"""Notifications: only the recipient's own, only while they may still open the target; e-mail on opt-in."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.core.database import utcnow
from community.extensions import db
from community.notifications import register_kind
from community.notifications.models import Notification
from community.notifications.services import notify, unread_count
from community.policy import register_notification_target

# A stand-in target kind: ids in OPEN are visible to everyone logged in, others to nobody.
OPEN: set[int] = set()


def _visible_ids(viewer):
    return select(Notification.target_id).where(Notification.target_id.in_(sorted(OPEN)))


@pytest.fixture
def kind(app):
    OPEN.clear()
    OPEN.add(1)
    register_notification_target("test_thing", _visible_ids)
    register_kind(app, "test_kind", lambda items: {n.id: (f"テスト{n.target_id}", f"/thing/{n.target_id}") for n in items})
    yield
    OPEN.clear()


def test_notification_appears_with_unread_count_and_opens(client, auth, make_user, kind):
    alice, bob = make_user("alice"), make_user("bob")
    notify(alice, "test_kind", actor=bob, target_type="test_thing", target_id=1)
    db.session.commit()
    auth.login(alice)
    html = client.get("/").get_data(as_text=True)
    assert "通知（未読 1件）" in html
    page = client.get("/notifications").get_data(as_text=True)
    assert "テスト1" in page
    note = db.session.scalar(select(Notification))
    response = client.post(f"/notifications/{note.id}/open")
    assert response.status_code == 302 and response.headers["Location"].endswith("/thing/1")
    assert "未読" not in client.get("/").get_data(as_text=True).split("</header>")[0]


def test_notification_vanishes_when_target_is_no_longer_visible(client, auth, make_user, kind):
    alice, bob = make_user("alice"), make_user("bob")
    notify(alice, "test_kind", actor=bob, target_type="test_thing", target_id=1)
    db.session.commit()
    note_id = db.session.scalar(select(Notification.id))
    OPEN.clear()
    assert unread_count(alice) == 0
    auth.login(alice)
    assert "テスト1" not in client.get("/notifications").get_data(as_text=True)
    assert client.post(f"/notifications/{note_id}/open").status_code == 404


def test_nothing_is_created_for_a_target_the_recipient_cannot_see(make_user, kind):
    alice, bob = make_user("alice"), make_user("bob")
    assert notify(alice, "test_kind", actor=bob, target_type="test_thing", target_id=2) is None
    assert notify(alice, "test_kind", actor=alice, target_type="test_thing", target_id=1) is None
    db.session.commit()
    assert db.session.scalar(select(db.func.count(Notification.id))) == 0


def test_someone_elses_notification_is_404(client, auth, make_user, kind):
    alice, bob = make_user("alice"), make_user("bob")
    note = notify(alice, "test_kind", actor=bob, target_type="test_thing", target_id=1)
    db.session.commit()
    auth.login(bob)
    assert client.post(f"/notifications/{note.id}/open").status_code == 404
    assert "テスト1" not in client.get("/notifications").get_data(as_text=True)


def test_notifications_from_a_blocked_member_are_hidden(make_user, kind):
    from community.social.models import Block

    alice, bob = make_user("alice"), make_user("bob")
    notify(alice, "test_kind", actor=bob, target_type="test_thing", target_id=1)
    db.session.add(Block(blocker_id=alice.id, blocked_id=bob.id))
    db.session.commit()
    assert unread_count(alice) == 0


def test_mark_all_read(client, auth, make_user, kind):
    alice, bob = make_user("alice"), make_user("bob")
    notify(alice, "test_kind", actor=bob, target_type="test_thing", target_id=1)
    db.session.commit()
    auth.login(alice)
    client.post("/notifications/read")
    db.session.expire_all()
    assert unread_count(alice) == 0


def test_email_only_after_opting_in(app, client, auth, make_user, kind):
    alice, bob = make_user("alice", email="alice@example.jp", email_confirmed_at=utcnow()), make_user("bob")
    outbox = app.extensions.setdefault("tsunagari.outbox", [])
    with app.test_request_context():
        notify(alice, "test_kind", actor=bob, target_type="test_thing", target_id=1)
        db.session.commit()
    assert outbox == []
    auth.login(alice)
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert "メールでも知らせる" in page
    client.post("/notifications/settings", data={"email_enabled": "y"})
    with app.test_request_context():
        notify(alice, "test_kind", actor=bob, target_type="test_thing", target_id=1)
        db.session.commit()
    assert len(outbox) == 1
    assert outbox[0]["To"] == "alice@example.jp"
    assert "テスト1" in outbox[0]["Subject"]


def test_anonymous_is_sent_to_login(client):
    response = client.get("/notifications")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
