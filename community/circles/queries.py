"""Read-side queries for circle pages: one statement per list, filtered by the policy in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from community.circles.models import Circle, CircleMembership, Event, EventSignup, Post, Topic
from community.core.database import utcnow
from community.extensions import db
from community.policy import member_circles, visible_circles, visible_events, visible_posts, visible_topics

LIVELINESS_DAYS = 30
SORTS = ("lively", "new", "members", "name")


@dataclass
class CircleRow:
    circle: Circle
    posts_recent: int
    unread: int = 0

    @property
    def member_count(self) -> int:
        return self.circle.member_count

    @property
    def last_activity_at(self) -> datetime | None:
        return self.circle.last_activity_at


def _recent_posts(since: datetime):
    """Visible posts in the last 30 days: a correlated subquery, so a listing is one query."""
    return (
        select(func.count(Post.id))
        .where(Post.circle_id == Circle.id, Post.created_at >= since, Post.moderation_state == "visible")
        .correlate(Circle)
        .scalar_subquery()
    )


def circle_listing(viewer, *, category: str | None = None, district_id: int | None = None, sort: str = "lively",
                   q: str | None = None, limit: int = 100) -> list[CircleRow]:
    recent = _recent_posts(utcnow() - timedelta(days=LIVELINESS_DAYS)).label("posts_recent")
    stmt = visible_circles(select(Circle, recent), viewer).options(joinedload(Circle.district))
    if category:
        stmt = stmt.where(Circle.category == category)
    if district_id:
        stmt = stmt.where(Circle.district_id == district_id)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(Circle.name.ilike(like) | Circle.description.ilike(like))
    if sort == "new":
        stmt = stmt.order_by(Circle.created_at.desc(), Circle.id.desc())
    elif sort == "members":
        stmt = stmt.order_by(Circle.member_count.desc(), Circle.id)
    elif sort == "name":
        stmt = stmt.order_by(Circle.name, Circle.id)
    else:
        stmt = stmt.order_by(recent.desc(), Circle.member_count.desc(), Circle.last_activity_at.desc(), Circle.id)
    return [CircleRow(circle, posts or 0) for circle, posts in db.session.execute(stmt.limit(limit))]


def my_circles(viewer) -> list[CircleRow]:
    """The viewer's circles with the number of others' posts since they last looked."""
    recent = _recent_posts(utcnow() - timedelta(days=LIVELINESS_DAYS)).label("posts_recent")
    unread = (
        select(func.count(Post.id))
        .where(
            Post.circle_id == Circle.id,
            Post.created_at > CircleMembership.last_read_at,
            Post.author_id != viewer.id,
            Post.moderation_state == "visible",
        )
        .correlate(Circle, CircleMembership)
        .scalar_subquery()
        .label("unread")
    )
    stmt = (
        member_circles(select(Circle, recent, unread), viewer)
        .join(CircleMembership, (CircleMembership.circle_id == Circle.id) & (CircleMembership.user_id == viewer.id))
        .options(joinedload(Circle.district))
        .order_by(Circle.last_activity_at.desc().nulls_last(), Circle.id)
    )
    return [CircleRow(c, p or 0, u or 0) for c, p, u in db.session.execute(stmt)]


def circle_topics(viewer, circle: Circle, limit: int = 50) -> list[tuple[Topic, int]]:
    replies = (
        select(func.count(Post.id) - 1)
        .where(Post.topic_id == Topic.id, Post.moderation_state == "visible")
        .correlate(Topic)
        .scalar_subquery()
    )
    stmt = (
        visible_topics(select(Topic, replies), viewer)
        .where(Topic.circle_id == circle.id)
        .options(joinedload(Topic.author))
        .order_by(Topic.is_pinned.desc(), Topic.last_posted_at.desc(), Topic.id.desc())
        .limit(limit)
    )
    return [(t, max(n or 0, 0)) for t, n in db.session.execute(stmt)]


def topic_posts(viewer, topic: Topic) -> list[Post]:
    stmt = (
        visible_posts(select(Post), viewer)
        .where(Post.topic_id == topic.id)
        .options(joinedload(Post.author))
        .order_by(Post.created_at, Post.id)
    )
    return list(db.session.scalars(stmt))


def photos_by_post(post_ids: list[int]) -> dict[int, list]:
    """All photos of the listed posts in one query."""
    from community.media.models import Photo

    if not post_ids:
        return {}
    grouped: dict[int, list] = {}
    for photo in db.session.scalars(
        select(Photo)
        .where(Photo.owner_type == "circle_post", Photo.owner_id.in_(post_ids))
        .order_by(Photo.owner_id, Photo.position, Photo.id)
    ):
        grouped.setdefault(photo.owner_id, []).append(photo)
    return grouped


def cover_photos(circle_ids: list[int]) -> dict[int, object]:
    from community.media.models import Photo

    if not circle_ids:
        return {}
    return {
        p.owner_id: p
        for p in db.session.scalars(
            select(Photo).where(Photo.owner_type == "circle_cover", Photo.owner_id.in_(circle_ids))
        )
    }


def upcoming_events(viewer, circle: Circle | None = None, limit: int = 50) -> list[Event]:
    stmt = visible_events(select(Event), viewer).where(Event.ends_at >= utcnow())
    if circle is not None:
        stmt = stmt.where(Event.circle_id == circle.id)
    stmt = stmt.options(joinedload(Event.circle)).order_by(Event.starts_at, Event.id).limit(limit)
    return list(db.session.scalars(stmt))


def waiting_position(event: Event, signup: EventSignup) -> int:
    return (
        db.session.scalar(
            select(func.count(EventSignup.id)).where(
                EventSignup.event_id == event.id,
                EventSignup.status == "waiting",
                (EventSignup.created_at < signup.created_at)
                | ((EventSignup.created_at == signup.created_at) & (EventSignup.id < signup.id)),
            )
        )
        + 1
    )


def waiting_count(event: Event) -> int:
    return db.session.scalar(
        select(func.count(EventSignup.id)).where(EventSignup.event_id == event.id, EventSignup.status == "waiting")
    )
