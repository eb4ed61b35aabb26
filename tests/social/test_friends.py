"""Friend requests: who may send them, and request / accept / decline / cancel / remove."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.extensions import db
from community.policy import are_friends, friend_ids, is_friend_of_viewer
from community.social.models import Friendship
from tests.social.conftest import minor_birth_date


def friendships() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Friendship))


def send(client, target):
    return client.post(f"/members/{target.id}/friend-request")


# sender kind -> (status, message the sender reads)
SENDERS = [
    ("applied", 403, "本人確認"),
    ("minor", 403, "中学生以下"),
    ("member", 303, None),
    ("friend", 409, "すでに友達です"),
    ("blocked", 403, "友達申請を送ることができません"),
    ("supporter", 303, None),
    ("staff", 303, None),
]


@pytest.mark.parametrize(("kind", "status", "message"), SENDERS)
def test_who_may_send_a_friend_request(client, auth, make_user, viewer_of, kind, status, message):
    target = make_user(nickname="相手")
    sender = viewer_of(kind, target)
    auth.login(sender)
    before = friendships()
    response = send(client, target)
    assert response.status_code == status
    if message:
        assert message in response.get_data(as_text=True)
        assert friendships() == before
    else:
        assert friendships() == before + 1


def test_anonymous_visitors_are_sent_to_log_in(client, make_user):
    target = make_user()
    response = send(client, target)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_suspended_members_cannot_send(client, auth, make_user):
    target = make_user()
    auth.login(make_user(status="suspended"))
    send(client, target)
    assert friendships() == 0


# target kind -> (status, message)
TARGETS = [
    ("self", 400, "自分自身に友達申請"),
    ("applied", 409, "現在利用できない"),
    ("suspended", 409, "現在利用できない"),
    ("withdrawn", 409, "現在利用できない"),
    ("minor", 403, "友達申請を送ることができません"),
    ("blocked_by_me", 409, "ブロックを解除"),
]


@pytest.mark.parametrize(("kind", "status", "message"), TARGETS)
def test_requests_to_members_who_cannot_receive_them(client, auth, make_user, block_member, kind, status, message):
    sender = make_user()
    target = {
        "self": lambda: sender,
        "applied": lambda: make_user(status="applied"),
        "suspended": lambda: make_user(status="suspended"),
        "withdrawn": lambda: make_user(status="withdrawn"),
        "minor": lambda: make_user(birth_date=minor_birth_date()),
        "blocked_by_me": lambda: make_user(),
    }[kind]()
    if kind == "blocked_by_me":
        block_member(sender, target)
    auth.login(sender)
    response = send(client, target)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert friendships() == 0


def test_sending_twice_is_refused_with_a_message(client, auth, make_user):
    sender, target = make_user(), make_user()
    auth.login(sender)
    assert send(client, target).status_code == 303
    response = send(client, target)
    assert response.status_code == 409
    assert "すでに友達申請を送っています" in response.get_data(as_text=True)
    assert friendships() == 1


def test_request_then_accept_makes_friends_both_ways(app, make_user):
    a, b = make_user(nickname="あき"), make_user(nickname="ゆう")
    ca, cb = app.test_client(), app.test_client()
    ca.post("/login", data={"login_id": a.login_id, "password": "correct horse battery"})
    cb.post("/login", data={"login_id": b.login_id, "password": "correct horse battery"})
    ca.post(f"/members/{b.id}/friend-request")
    page = cb.get("/friends").get_data(as_text=True)
    assert "届いた友達申請" in page and "あき" in page
    row = db.session.scalar(select(Friendship))
    response = cb.post(f"/friends/requests/{row.id}/accept", follow_redirects=True)
    assert "あきさんと友達になりました" in response.get_data(as_text=True)
    assert are_friends(a, b) and are_friends(b, a)
    assert "ゆう" in ca.get("/friends").get_data(as_text=True)


def test_asking_someone_who_already_asked_you_accepts_their_request(client, auth, make_user):
    a, b = make_user(), make_user()
    db.session.add(Friendship(requester_id=b.id, addressee_id=a.id, status="pending"))
    db.session.commit()
    auth.login(a)
    assert send(client, b).status_code == 303
    assert are_friends(a, b)
    assert friendships() == 1


def test_decline_and_cancel_remove_the_request(client, auth, make_user):
    a, b, c = make_user(), make_user(), make_user()
    incoming = Friendship(requester_id=b.id, addressee_id=a.id, status="pending")
    outgoing = Friendship(requester_id=a.id, addressee_id=c.id, status="pending")
    db.session.add_all([incoming, outgoing])
    db.session.commit()
    auth.login(a)
    assert client.post(f"/friends/requests/{incoming.id}/decline").status_code == 303
    assert client.post(f"/friends/requests/{outgoing.id}/cancel").status_code == 303
    assert friendships() == 0


def test_nobody_else_can_answer_or_cancel_a_request(client, auth, make_user):
    a, b, stranger = make_user(), make_user(), make_user()
    row = Friendship(requester_id=a.id, addressee_id=b.id, status="pending")
    db.session.add(row)
    db.session.commit()
    auth.login(stranger)
    for action in ("accept", "decline", "cancel"):
        response = client.post(f"/friends/requests/{row.id}/{action}")
        assert response.status_code == 404
        assert "この友達申請はもうありません" in response.get_data(as_text=True)
    auth.logout()
    auth.login(a)  # the sender cannot accept their own request
    assert client.post(f"/friends/requests/{row.id}/accept").status_code == 404
    assert friendships() == 1 and not are_friends(a, b)


def test_accepting_twice_is_harmless(client, auth, make_user):
    a, b = make_user(), make_user()
    row = Friendship(requester_id=a.id, addressee_id=b.id, status="pending")
    db.session.add(row)
    db.session.commit()
    auth.login(b)
    assert client.post(f"/friends/requests/{row.id}/accept").status_code == 303
    assert client.post(f"/friends/requests/{row.id}/accept").status_code == 404
    assert are_friends(a, b)


def test_remove_a_friend(client, auth, make_user, befriend):
    a, b = make_user(), make_user()
    befriend(b, a)
    auth.login(a)
    assert client.post(f"/members/{b.id}/unfriend").status_code == 303
    assert not are_friends(a, b)
    assert client.post(f"/members/{b.id}/unfriend").status_code == 404


def test_a_minor_sees_why_instead_of_a_button(client, auth, make_user):
    target = make_user(nickname="おとな")
    auth.login(make_user(birth_date=minor_birth_date()))
    page = client.get(f"/members/{target.id}").get_data(as_text=True)
    assert "友達申請を送る" not in page
    assert "中学生以下" in page
    friends_page = client.get("/friends").get_data(as_text=True)
    assert "友達申請はほかの会員への連絡にあたる" in friends_page


def test_a_minor_cannot_accept_a_request_made_before_the_rules(client, auth, make_user):
    adult, minor = make_user(), make_user(birth_date=minor_birth_date())
    row = Friendship(requester_id=adult.id, addressee_id=minor.id, status="pending")
    db.session.add(row)
    db.session.commit()
    auth.login(minor)
    response = client.post(f"/friends/requests/{row.id}/accept")
    assert response.status_code == 403
    assert not are_friends(adult, minor)
    # ...but declining is a safety action and always works
    assert client.post(f"/friends/requests/{row.id}/decline").status_code == 303


def test_friend_ids_and_the_friends_clause_in_sql(app, make_user, befriend):
    from community.accounts.models import User

    me, f1, f2, pending, stranger = (make_user() for _ in range(5))
    befriend(me, f1)
    befriend(f2, me)
    db.session.add(Friendship(requester_id=me.id, addressee_id=pending.id, status="pending"))
    db.session.commit()
    assert set(db.session.scalars(friend_ids(me))) == {f1.id, f2.id}
    ids = set(db.session.scalars(select(User.id).where(is_friend_of_viewer(User.id, me))))
    assert ids == {me.id, f1.id, f2.id}
    assert list(db.session.scalars(select(User.id).where(is_friend_of_viewer(User.id, None)))) == []


def test_friends_page_lists_without_a_query_per_friend(client, auth, make_user, befriend):
    from sqlalchemy import event

    me = make_user()
    for _ in range(6):
        befriend(me, make_user())
    auth.login(me)
    statements = []
    engine = db.engine

    def count(*args):
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        client.get("/friends")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    friend_queries = [s for s in statements if "friendship" in s.lower()]
    assert len(friend_queries) <= 4, friend_queries


def test_friend_requests_and_acceptances_are_notified(app, make_user):
    from community.notifications.services import describe, visible_query

    a, b = make_user(nickname="あき"), make_user(nickname="ゆう")
    ca, cb = app.test_client(), app.test_client()
    ca.post("/login", data={"login_id": a.login_id, "password": "correct horse battery"})
    cb.post("/login", data={"login_id": b.login_id, "password": "correct horse battery"})

    def texts(user):
        db.session.expire_all()
        with app.test_request_context():
            return [s.text for s in describe(db.session.scalars(visible_query(user)).all())]

    ca.post(f"/members/{b.id}/friend-request")
    assert texts(b) == ["あきさんから友達申請が届きました"]
    row = db.session.scalar(select(Friendship))
    cb.post(f"/friends/requests/{row.id}/accept")
    assert texts(a) == ["ゆうさんが友達申請を承認しました"]
    assert texts(b) == []  # the answered request no longer shows
    cb.post(f"/members/{a.id}/block")
    assert texts(a) == []  # nothing from someone with a block between you
