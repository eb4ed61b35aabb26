"""Circles' part in notifications, withdrawal (退会) and "download my data"."""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _
from sqlalchemy import delete, select

from community.circles import notify
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


def _hand_over(circle: Circle, leaving_user_id: int) -> None:
    """A circle is never left without an owner: the oldest admin, else the oldest member, takes over."""
    rows = db.session.scalars(
        select(CircleMembership)
        .where(
            CircleMembership.circle_id == circle.id,
            CircleMembership.state == "active",
            CircleMembership.user_id != leaving_user_id,
        )
        .order_by((CircleMembership.role == "admin").desc(), CircleMembership.joined_at, CircleMembership.id)
    ).all()
    if rows:
        rows[0].role = "owner"
    else:
        circle.status = "closed"


def withdraw(user, keep: bool) -> None:
    from community.circles import services
    from community.media.services import delete_photos_of

    owned = db.session.scalars(
        select(Circle).join(CircleMembership, CircleMembership.circle_id == Circle.id).where(
            CircleMembership.user_id == user.id, CircleMembership.role == "owner", CircleMembership.state == "active"
        )
    ).all()
    for circle in owned:
        _hand_over(circle, user.id)
    # Give back seats at events still to come, so those waiting move up.
    for signup in db.session.scalars(
        select(EventSignup).join(Event, Event.id == EventSignup.event_id).where(
            EventSignup.user_id == user.id, Event.starts_at > utcnow()
        )
    ).all():
        services.cancel_signup(user, db.session.get(Event, signup.event_id))
    db.session.execute(delete(EventSignup).where(EventSignup.user_id == user.id))
    circle_ids = list(db.session.scalars(select(CircleMembership.circle_id).where(CircleMembership.user_id == user.id)))
    db.session.execute(delete(CircleMembership).where(CircleMembership.user_id == user.id))
    db.session.execute(delete(JoinRequest).where(JoinRequest.user_id == user.id))
    db.session.execute(delete(Invitation).where(Invitation.user_id == user.id))
    for circle in db.session.scalars(select(Circle).where(Circle.id.in_(circle_ids))):
        services._recount_members(circle)
    if not keep:
        topic_ids = list(db.session.scalars(select(Topic.id).where(Topic.author_id == user.id)))
        post_ids = list(
            db.session.scalars(select(Post.id).where((Post.author_id == user.id) | Post.topic_id.in_(topic_ids)))
        )
        delete_photos_of("circle_post", post_ids)
        from community.notifications.services import delete_for_targets

        delete_for_targets("circle_post", post_ids)
        delete_for_targets("circle_topic", topic_ids)
        db.session.execute(delete(Post).where(Post.id.in_(post_ids)))
        db.session.execute(delete(Topic).where(Topic.id.in_(topic_ids)))
    db.session.flush()


def export(user) -> tuple[str, list[dict]]:
    rows: list[dict] = []
    for membership in db.session.scalars(
        select(CircleMembership).where(CircleMembership.user_id == user.id, CircleMembership.state == "active")
    ):
        rows.append({
            "kind": "membership",
            "circle": membership.circle.name,
            "role": membership.role,
            "joined_at": membership.joined_at.isoformat(),
        })
    for post in db.session.scalars(select(Post).where(Post.author_id == user.id).order_by(Post.created_at)):
        rows.append({
            "kind": "post",
            "circle": post.topic.circle.name,
            "topic": post.topic.title,
            "body": post.body,
            "created_at": post.created_at.isoformat(),
        })
    for signup in db.session.scalars(select(EventSignup).where(EventSignup.user_id == user.id)):
        event = db.session.get(Event, signup.event_id)
        rows.append({"kind": "event_signup", "event": event.title, "starts_at": event.starts_at.isoformat(),
                     "status": signup.status})
    return _("Circles"), rows


def register(app: Flask) -> None:
    notify.register(app)
    try:
        from community.social.hooks import register_export_section, register_withdraw_hook
    except ImportError:  # the social package provides these registries
        return
    register_withdraw_hook(app, withdraw)
    register_export_section(app, export)
