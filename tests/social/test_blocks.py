"""Blocking a member: what it stops, and unblocking."""

from __future__ import annotations

from sqlalchemy import select

from community.accounts.models import User
from community.extensions import db
from community.policy import (
    are_friends,
    can_interact,
    has_blocked,
    is_blocked,
    not_blocked_by_owner,
)
from community.social.models import Block, Friendship
from tests.social.conftest import minor_birth_date


def test_blocking_asks_first_then_removes_the_friendship(client, auth, make_user, befriend):
    me, other = make_user(), make_user(nickname="ともだち")
    befriend(me, other)
    auth.login(me)
    confirm = client.get(f"/members/{other.id}/block").get_data(as_text=True)
    assert "ともだちさんをブロック" in confirm and "友達ではなくなります" in confirm
    assert not has_blocked(me, other)  # the GET changed nothing
    response = client.post(f"/members/{other.id}/block", follow_redirects=True)
    assert "ともだちさんをブロックしました" in response.get_data(as_text=True)
    assert has_blocked(me, other) and not are_friends(me, other)


def test_blocking_also_withdraws_pending_requests(client, auth, make_user):
    me, other = make_user(), make_user()
    db.session.add(Friendship(requester_id=other.id, addressee_id=me.id, status="pending"))
    db.session.commit()
    auth.login(me)
    client.post(f"/members/{other.id}/block")
    db.session.expire_all()
    assert db.session.scalars(select(Friendship)).all() == []


def test_blocked_member_loses_the_profile_and_cannot_send_requests(app, make_user):
    me, other = make_user(), make_user()
    mine, theirs = app.test_client(), app.test_client()
    mine.post("/login", data={"login_id": me.login_id, "password": "correct horse battery"})
    theirs.post("/login", data={"login_id": other.login_id, "password": "correct horse battery"})
    mine.post(f"/members/{other.id}/block")
    assert theirs.get(f"/members/{me.id}").status_code == 404
    response = theirs.post(f"/members/{me.id}/friend-request")
    assert response.status_code == 403
    assert "友達申請を送ることができません" in response.get_data(as_text=True)


def test_block_twice_and_unblock(client, auth, make_user):
    me, other = make_user(), make_user(nickname="ブロック相手")
    auth.login(me)
    client.post(f"/members/{other.id}/block")
    client.post(f"/members/{other.id}/block")
    db.session.expire_all()
    assert len(db.session.scalars(select(Block)).all()) == 1
    page = client.get("/settings/blocks").get_data(as_text=True)
    assert "ブロック相手" in page
    client.post(f"/members/{other.id}/unblock")
    assert not has_blocked(me, other)
    assert "ブロックしている会員はいません" in client.get("/settings/blocks").get_data(as_text=True)


def test_cannot_block_yourself(client, auth, make_user):
    me = make_user()
    auth.login(me)
    response = client.post(f"/members/{me.id}/block")
    assert response.status_code == 400
    assert "自分自身をブロック" in response.get_data(as_text=True)


def test_minors_may_block_it_is_a_safety_tool(client, auth, make_user):
    minor, other = make_user(birth_date=minor_birth_date()), make_user()
    auth.login(minor)
    assert client.post(f"/members/{other.id}/block").status_code == 303
    assert has_blocked(minor, other)


def test_applicants_cannot_block(client, auth, make_user):
    other = make_user()
    auth.login(make_user(status="applied"))
    assert client.post(f"/members/{other.id}/block").status_code == 404


def test_block_booleans_and_the_sql_clause(app, make_user, block_member):
    owner, blocked, bystander, staff = make_user(), make_user(), make_user(), make_user(role="staff")
    block_member(owner, blocked)
    block_member(owner, staff)
    assert is_blocked(owner, blocked) and is_blocked(blocked, owner)
    assert is_blocked(owner, blocked, either=False) and not is_blocked(blocked, owner, either=False)
    assert has_blocked(owner, blocked) and not has_blocked(blocked, owner)
    assert not can_interact(blocked, owner) and not can_interact(owner, blocked)
    assert can_interact(bystander, owner)

    def owners_visible_to(viewer):
        return set(db.session.scalars(select(User.id).where(User.id == owner.id,
                                                            not_blocked_by_owner(User.id, viewer))))

    assert owners_visible_to(blocked) == set()
    assert owners_visible_to(bystander) == {owner.id}
    assert owners_visible_to(staff) == {owner.id}  # a block never hides anything from moderation
