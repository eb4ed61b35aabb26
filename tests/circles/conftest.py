"""Factories for circle tests: real rows, real commits."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from PIL import Image

from community.circles.models import Circle, CircleMembership, Event, Invitation, JoinRequest, Post, Topic
from community.core.database import utcnow
from community.extensions import db

CHILD = date(2013, 8, 20)


@pytest.fixture
def make_circle(app, make_user):
    def make(owner=None, *, name=None, members=(), admins=(), banned=(), **fields) -> Circle:
        owner = owner or make_user()
        circle = Circle(name=name or f"サークル{owner.id}-{len(fields)}", created_by_id=owner.id, **fields)
        db.session.add(circle)
        db.session.flush()
        rows = [(owner, "owner", "active")] + [(u, "admin", "active") for u in admins]
        rows += [(u, "member", "active") for u in members] + [(u, "member", "banned") for u in banned]
        for user, role, state in rows:
            db.session.add(CircleMembership(circle_id=circle.id, user_id=user.id, role=role, state=state))
        circle.member_count = sum(1 for r in rows if r[2] == "active")
        db.session.commit()
        return circle

    return make


@pytest.fixture
def make_topic(app):
    def make(circle, author, title="トピック", body="本文", *, created_at=None, **fields) -> Topic:
        when = created_at or utcnow()
        topic = Topic(circle_id=circle.id, author_id=author.id, title=title, created_at=when, last_posted_at=when,
                      **fields)
        db.session.add(topic)
        db.session.flush()
        db.session.add(Post(topic_id=topic.id, circle_id=circle.id, author_id=author.id, body=body, created_at=when))
        db.session.commit()
        return topic

    return make


@pytest.fixture
def make_post(app):
    def make(topic, author, body="返信", *, created_at=None, **fields) -> Post:
        post = Post(topic_id=topic.id, circle_id=topic.circle_id, author_id=author.id, body=body,
                    created_at=created_at or utcnow(), **fields)
        db.session.add(post)
        db.session.commit()
        return post

    return make


@pytest.fixture
def make_event(app):
    def make(circle, author, *, capacity=None, starts_in=timedelta(days=3), **fields) -> Event:
        start = utcnow() + starts_in
        event = Event(circle_id=circle.id, created_by_id=author.id, title=fields.pop("title", "講座"),
                      starts_at=start, ends_at=start + timedelta(hours=2), capacity=capacity, **fields)
        db.session.add(event)
        db.session.commit()
        return event

    return make


@pytest.fixture
def invite(app):
    def make(circle, user, by, **fields) -> Invitation:
        inv = Invitation(circle_id=circle.id, user_id=user.id, invited_by_id=by.id,
                         expires_at=utcnow() + timedelta(days=7), **fields)
        db.session.add(inv)
        db.session.commit()
        return inv

    return make


@pytest.fixture
def ask_to_join(app):
    def make(circle, user, message="") -> JoinRequest:
        req = JoinRequest(circle_id=circle.id, user_id=user.id, message=message)
        db.session.add(req)
        db.session.commit()
        return req

    return make


def jpeg(color=(200, 100, 50)) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, "JPEG")
    buffer.seek(0)
    return buffer


def login(app, user):
    """A separate browser (client) logged in as user."""
    from tests.conftest import PASSWORD

    client = app.test_client()
    response = client.post("/login", data={"login_id": user.login_id, "password": PASSWORD})
    assert response.status_code == 302
    return client
