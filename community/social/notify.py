"""How friend notifications read, and which of them a member may still see."""

from __future__ import annotations

from flask import Flask, url_for
from flask_babel import gettext as _

KINDS = ("friend_request", "friend_accepted")


def _name(n) -> str:
    return n.actor.nickname if n.actor is not None else _("A member")


def describe_many(notifications) -> dict[int, tuple[str, str]]:
    out: dict[int, tuple[str, str]] = {}
    for n in notifications:
        if n.kind == "friend_request":
            out[n.id] = (_("%(name)s sent you a friend request", name=_name(n)), url_for("social.friends"))
        elif n.kind == "friend_accepted" and n.actor_id is not None:
            out[n.id] = (_("%(name)s accepted your friend request", name=_name(n)),
                         url_for("social.profile", user_id=n.actor_id))
    return out


def register(app: Flask) -> None:
    from community.notifications import register_kind
    from community.policy import register_notification_target
    from community.policy.social import friendship_ids_of, pending_request_ids_to

    register_notification_target("friend_request", pending_request_ids_to)
    register_notification_target("friendship", friendship_ids_of)
    for kind in KINDS:
        register_kind(app, kind, describe_many)
