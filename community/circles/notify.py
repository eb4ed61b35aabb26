"""What circles tell members, through the shared notifications package.

Notifications point at a target (topic, post, event, join request, invitation); the policy's
registered target filters decide at show time whether the recipient may still open it, so a
member who leaves a secret circle stops seeing its notifications at once.
"""

from __future__ import annotations

from flask import Flask, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from community.accounts.models import User
from community.extensions import db

KINDS = (
    "circle_new_topic",
    "circle_reply",
    "circle_join_requested",
    "circle_join_approved",
    "circle_join_rejected",
    "circle_invited",
    "circle_event_promoted",
    "circle_event_reminder",
)


def _notify(user_ids, kind: str, *, actor_id: int | None, target_type: str, target_id: int) -> None:
    from community.notifications.services import notify

    ids = [uid for uid in dict.fromkeys(user_ids) if uid is not None and uid != actor_id]
    if not ids:
        return
    actor = db.session.get(User, actor_id) if actor_id else None
    for user in db.session.scalars(select(User).where(User.id.in_(ids))):
        notify(user, kind, actor=actor, target_type=target_type, target_id=target_id)


def join_requested(req, admin_ids) -> None:
    _notify(admin_ids, "circle_join_requested", actor_id=req.user_id, target_type="circle_join_request",
            target_id=req.id)


def join_decided(req, approved: bool) -> None:
    kind = "circle_join_approved" if approved else "circle_join_rejected"
    _notify([req.user_id], kind, actor_id=None, target_type="circle_join_request", target_id=req.id)


def invited(inv) -> None:
    _notify([inv.user_id], "circle_invited", actor_id=inv.invited_by_id, target_type="circle_invitation",
            target_id=inv.id)


def new_topic(topic, post) -> None:
    """Members who opted in (フォロー) hear of new topics."""
    from community.circles.models import CircleMembership

    followers = db.session.scalars(
        select(CircleMembership.user_id).where(
            CircleMembership.circle_id == topic.circle_id,
            CircleMembership.state == "active",
            CircleMembership.notify_new_topics.is_(True),
        )
    )
    _notify(list(followers), "circle_new_topic", actor_id=topic.author_id, target_type="circle_topic",
            target_id=topic.id)


def replied(topic, post) -> None:
    """Everyone who wrote in the topic before hears of a reply to it."""
    from community.circles.models import Post

    earlier = db.session.scalars(
        select(Post.author_id).where(Post.topic_id == topic.id, Post.id != post.id).distinct()
    )
    _notify(list(earlier), "circle_reply", actor_id=post.author_id, target_type="circle_post", target_id=post.id)


def promoted(event, user_id: int) -> None:
    _notify([user_id], "circle_event_promoted", actor_id=None, target_type="circle_event", target_id=event.id)


def event_reminder(event, user_ids) -> None:
    _notify(user_ids, "circle_event_reminder", actor_id=None, target_type="circle_event", target_id=event.id)


# -- how they read ----------------------------------------------------------------------------------


def _by_id(model, ids, *options):
    if not ids:
        return {}
    return {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)).options(*options))}


def _actor(n) -> str:
    return n.actor.nickname if n.actor is not None else _("A member")


def describe_many(notifications) -> dict[int, tuple[str, str]]:
    from community.circles.models import Event, Invitation, JoinRequest, Post, Topic

    ids: dict[str, set[int]] = {}
    for n in notifications:
        ids.setdefault(n.target_type, set()).add(n.target_id)
    topics = _by_id(Topic, ids.get("circle_topic", set()), joinedload(Topic.circle))
    posts = _by_id(Post, ids.get("circle_post", set()), joinedload(Post.topic))
    events = _by_id(Event, ids.get("circle_event", set()), joinedload(Event.circle))
    requests_ = _by_id(JoinRequest, ids.get("circle_join_request", set()), joinedload(JoinRequest.circle))
    invitations = _by_id(Invitation, ids.get("circle_invitation", set()), joinedload(Invitation.circle))
    out: dict[int, tuple[str, str]] = {}
    for n in notifications:
        if n.kind == "circle_new_topic" and n.target_id in topics:
            t = topics[n.target_id]
            out[n.id] = (_("New topic \u300c%(title)s\u300d in %(circle)s", title=t.title, circle=t.circle.name),
                         url_for("circles.topic", topic_id=t.id))
        elif n.kind == "circle_reply" and n.target_id in posts:
            p = posts[n.target_id]
            out[n.id] = (_("%(name)s replied in \u300c%(title)s\u300d", name=_actor(n), title=p.topic.title),
                         url_for("circles.topic", topic_id=p.topic_id, _anchor=f"post-{p.id}"))
        elif n.kind == "circle_join_requested" and n.target_id in requests_:
            r = requests_[n.target_id]
            out[n.id] = (_("%(name)s asked to join %(circle)s", name=_actor(n), circle=r.circle.name),
                         url_for("circles.members", circle_id=r.circle_id))
        elif n.kind == "circle_join_approved" and n.target_id in requests_:
            r = requests_[n.target_id]
            out[n.id] = (_("Your request to join %(circle)s was approved", circle=r.circle.name),
                         url_for("circles.show", circle_id=r.circle_id))
        elif n.kind == "circle_join_rejected" and n.target_id in requests_:
            r = requests_[n.target_id]
            out[n.id] = (_("Your request to join %(circle)s was declined", circle=r.circle.name),
                         url_for("circles.index"))
        elif n.kind == "circle_invited" and n.target_id in invitations:
            i = invitations[n.target_id]
            out[n.id] = (_("%(name)s invited you to %(circle)s", name=_actor(n), circle=i.circle.name),
                         url_for("circles.show", circle_id=i.circle_id))
        elif n.kind == "circle_event_promoted" and n.target_id in events:
            e = events[n.target_id]
            out[n.id] = (_("A place became free: you are now signed up for \u300c%(title)s\u300d", title=e.title),
                         url_for("circles.event", event_id=e.id))
        elif n.kind == "circle_event_reminder" and n.target_id in events:
            e = events[n.target_id]
            out[n.id] = (_("Reminder: \u300c%(title)s\u300d starts soon", title=e.title),
                         url_for("circles.event", event_id=e.id))
    return out


def register(app: Flask) -> None:
    from community.notifications import register_kind

    for kind in KINDS:
        register_kind(app, kind, describe_many)
