"""The circle permission matrix: visibility x join state (and anonymous, minor, staff) x every path.

Each row is what one viewer gets on every read and write path of one circle, over HTTP, and the
boolean policy must agree with the SQL filters that listings, feeds and search use.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from community.circles.models import (
    Circle,
    CircleMembership,
    Event,
    EventSignup,
    Invitation,
    JoinRequest,
    Post,
    Topic,
)
from community.core.database import utcnow
from community.extensions import db
from community.media.services import store_photo
from community.policy import circles as policy
from tests.circles.conftest import jpeg

VIEWERS = ["anonymous", "none", "requested", "invited", "member", "admin", "owner", "banned", "minor", "staff"]
MEMBERS = {"member", "admin", "owner", "minor"}

# path -> visibility -> the viewers who succeed. Everyone else gets 404 when they may not even know
# the thing exists, 403 (or a refusal) when they may see it but not do this.
SEES_CIRCLE = {
    "public": set(VIEWERS),
    "private": set(VIEWERS),
    "secret": MEMBERS | {"invited", "staff"},
}
READS = {
    "public": set(VIEWERS) - {"banned"},
    "private": MEMBERS,
    "secret": MEMBERS,
}
LISTED = {
    "public": set(VIEWERS),
    "private": set(VIEWERS),
    "secret": MEMBERS,
}
WRITES = {"member", "admin", "owner"}  # minors read but never post
SIGNS_UP = MEMBERS  # taking part is not posting: minors may sign up
ADMINISTERS = {"admin", "owner"}


@pytest.fixture
def world(app, make_user):
    """One circle of the given visibility with a person in every join state, a topic, a photo, an event."""

    def build(visibility: str):
        people = {
            "owner": make_user(),
            "admin": make_user(),
            "member": make_user(),
            "minor": make_user(birth_date=date(2014, 5, 5)),
            "requested": make_user(),
            "invited": make_user(),
            "banned": make_user(),
            "none": make_user(),
            "staff": make_user(role="staff"),
        }
        circle = Circle(name=f"{visibility}の会", visibility=visibility,
                        join_mode="invitation" if visibility == "secret" else "approval",
                        created_by_id=people["owner"].id, member_count=4)
        db.session.add(circle)
        db.session.flush()
        for key, role, state in [("owner", "owner", "active"), ("admin", "admin", "active"),
                                 ("member", "member", "active"), ("minor", "member", "active"),
                                 ("banned", "member", "banned")]:
            db.session.add(CircleMembership(circle_id=circle.id, user_id=people[key].id, role=role, state=state))
        db.session.add(JoinRequest(circle_id=circle.id, user_id=people["requested"].id, message="入れてください"))
        db.session.add(Invitation(circle_id=circle.id, user_id=people["invited"].id, invited_by_id=people["owner"].id,
                                  expires_at=utcnow() + timedelta(days=3)))
        topic = Topic(circle_id=circle.id, author_id=people["owner"].id, title="お散歩の報告")
        db.session.add(topic)
        db.session.flush()
        post = Post(topic_id=topic.id, circle_id=circle.id, author_id=people["owner"].id, body="公園へ行きました")
        db.session.add(post)
        db.session.flush()
        photo = store_photo(jpeg().getvalue(), uploaded_by=people["owner"], owner_type="circle_post",
                            owner_id=post.id)
        event = Event(circle_id=circle.id, created_by_id=people["owner"].id, title="保護者会",
                      starts_at=utcnow() + timedelta(days=2), ends_at=utcnow() + timedelta(days=2, hours=1),
                      capacity=30)
        db.session.add(event)
        db.session.commit()
        return people, circle, topic, post, photo, event

    return build


CASES = [(v, who) for v in ("public", "private", "secret") for who in VIEWERS]


@pytest.mark.parametrize(("visibility", "who"), CASES)
def test_circle_matrix_over_http(client, auth, world, visibility, who):
    people, circle, topic, post, photo, event = world(visibility)
    user = people.get(who)
    if user is not None:
        auth.login(user)
    sees, reads = who in SEES_CIRCLE[visibility], who in READS[visibility]
    cid, tid, eid = circle.id, topic.id, event.id
    results = {
        "circle page": client.get(f"/circles/{cid}").status_code,
        "topic": client.get(f"/circles/topics/{tid}").status_code,
        "event": client.get(f"/circles/events/{eid}").status_code,
        "photo": client.get(f"/photos/{photo.token}/thumb").status_code,
        "listed": "の会" in client.get("/circles/").get_data(as_text=True),
        "members page": client.get(f"/circles/{cid}/members").status_code,
        "participants": client.get(f"/circles/events/{eid}/participants").status_code,
        "new topic": client.post(f"/circles/{cid}/topics/new", data={"title": "新しい話", "body": "本文"}).status_code,
        "reply": client.post(f"/circles/topics/{tid}/reply", data={"body": "返信します"}).status_code,
        "sign up": client.post(f"/circles/events/{eid}/signup").status_code,
    }
    login_needed = 302  # anonymous visitors are sent to the login page for every write and admin path
    not_seen = 404

    def read_code():
        return 200 if reads else not_seen

    def admin_code():
        if who == "anonymous":
            return login_needed
        if who in ADMINISTERS:
            return 200
        return 403 if sees else not_seen

    def write_code():
        if who == "anonymous":
            return login_needed
        if not reads:
            return not_seen
        return 302 if who in WRITES else (403 if path == "new topic" else 400)

    expected = {
        "circle page": 200 if sees else not_seen,
        "topic": read_code(),
        "event": read_code(),
        "photo": read_code(),
        "listed": who in LISTED[visibility],
        "members page": admin_code(),
        "participants": 200 if who in ADMINISTERS and reads else (login_needed if who == "anonymous" else
                                                                   (403 if reads else not_seen)),
    }
    for path in ("new topic", "reply"):
        expected[path] = write_code()
    expected["sign up"] = login_needed if who == "anonymous" else (302 if reads else not_seen)
    assert results == expected

    db.session.expire_all()
    new_topics = db.session.scalar(select(func.count(Topic.id)).where(Topic.title == "新しい話"))
    replies = db.session.scalar(select(func.count(Post.id)).where(Post.body == "返信します"))
    signups = db.session.scalar(select(func.count(EventSignup.id)))
    assert (new_topics, replies) == ((1, 1) if who in WRITES else (0, 0))
    assert signups == (1 if who in SIGNS_UP else 0)


@pytest.mark.parametrize(("visibility", "who"), CASES)
def test_booleans_agree_with_sql_filters(app, world, visibility, who):
    """Feeds and search use the SQL forms; they must let through exactly what the booleans allow."""
    from flask_login import AnonymousUserMixin

    people, circle, topic, post, photo, event = world(visibility)
    viewer = people.get(who) or AnonymousUserMixin()
    listed = db.session.scalar(policy.visible_circles(select(Circle.id), viewer)) is not None
    readable = db.session.scalar(select(Circle.id).where(policy.readable_circle_clause(viewer))) is not None
    topic_seen = db.session.scalar(policy.visible_topics(select(Topic.id), viewer)) is not None
    post_seen = db.session.scalar(policy.visible_posts(select(Post.id), viewer)) is not None
    event_seen = db.session.scalar(policy.visible_events(select(Event.id), viewer)) is not None

    assert listed == (who in LISTED[visibility])
    assert readable == policy.can_read_circle_content(viewer, circle) == (who in READS[visibility])
    assert topic_seen == policy.can_view_topic(viewer, topic) == readable
    assert post_seen == policy.can_view_post(viewer, post) == readable
    assert event_seen == policy.can_view_event(viewer, event) == readable
    assert policy.can_view_circle(viewer, circle) == (who in SEES_CIRCLE[visibility])
    assert policy.can_post_topic(viewer, circle) == (who in WRITES)
    assert policy.can_comment(viewer, topic) == (who in WRITES)
    assert policy.can_admin_circle(viewer, circle) == (who in ADMINISTERS)
    assert policy.can_own_circle(viewer, circle) == (who == "owner")
    assert policy.can_leave_circle(viewer, circle) == (who in MEMBERS - {"owner"})


@pytest.mark.parametrize("state", ["hidden", "removed"])
def test_moderated_content_disappears_for_readers_and_stays_marked_for_its_author(client, auth, world, state):
    people, circle, topic, post, photo, event = world("public")
    topic.moderation_state = state
    db.session.commit()
    auth.login(people["member"])
    assert client.get(f"/circles/topics/{topic.id}").status_code == 404
    assert client.get(f"/photos/{photo.token}/thumb").status_code == 404
    assert "お散歩の報告" not in client.get(f"/circles/{circle.id}").get_data(as_text=True)
    author = people["owner"]
    assert policy.can_view_topic(author, topic) == (state == "hidden")
    assert (db.session.scalar(policy.visible_topics(select(Topic.id), author)) is not None) == (state == "hidden")


@pytest.mark.parametrize("state", ["hidden", "removed"])
def test_a_moderated_circle_is_seen_by_staff_only(client, auth, world, state):
    people, circle, topic, post, photo, event = world("public")
    circle.moderation_state = state
    db.session.commit()
    auth.login(people["owner"])
    assert client.get(f"/circles/{circle.id}").status_code == 404
    assert client.get(f"/circles/topics/{topic.id}").status_code == 404
    assert "の会" not in client.get("/circles/").get_data(as_text=True)
    staff_view = policy.can_view_circle(people["staff"], circle)
    assert staff_view and not policy.can_read_circle_content(people["staff"], circle)


def test_official_circles_are_administered_by_staff_without_reading_them(app, world):
    people, circle, topic, post, photo, event = world("secret")
    circle.is_official = True
    db.session.commit()
    staff = people["staff"]
    assert policy.can_admin_circle(staff, circle) and policy.can_own_circle(staff, circle)
    assert not policy.can_read_circle_content(staff, circle)
    assert not policy.can_post_topic(staff, circle)
