"""Which notifications a member sees: only those whose target they may still open.

Each target kind registers a SQL form of its own visibility rule; a notification of a kind nobody
registered is shown to no one. So when an entry turns private, is deleted or hidden by staff, or
its author blocks the recipient, the notification about it disappears with it.

    register_notification_target("diary_comment", lambda viewer: visible_comment_ids(viewer))
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select

from community.policy.social import block_partner_ids

VisibleIds = Callable[[object], Select]
_TARGETS: dict[str, VisibleIds] = {}


def register_notification_target(target_type: str, visible_ids: VisibleIds) -> None:
    """`visible_ids(viewer)` returns a SELECT of the target ids the viewer may open."""
    _TARGETS[target_type] = visible_ids


def _viewer_id(viewer) -> int | None:
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return None
    if getattr(viewer, "status", None) == "withdrawn":
        return None
    return viewer.id


def _visible_target(ids: Select, notification_model) -> ColumnElement[bool]:
    """EXISTS (the target is among the visible ids), correlated on the target's id.

    `target_id IN (every visible diary entry...)` made SQLite build the whole list of a city's
    visible entries for each count (1–2.5 s per signed-in page at 300,000 entries, issue 9); with
    the id correlated, each notification costs one indexed look-up.
    """
    visible = ids.subquery()
    (column,) = visible.c
    return exists().where(column == notification_model.target_id)


def visible_notifications(stmt: Select, viewer, kinds: Iterable[str] | None = None) -> Select:
    """Filter a SELECT over `Notification` to the viewer's own, still-visible notifications.

    `kinds` (target types) limits the rule to those the caller knows are there: each kind's rule is
    a large SQL expression, and building all of them on every page costs more than the query.
    """
    from community.notifications.models import Notification

    uid = _viewer_id(viewer)
    wanted = sorted(_TARGETS.items()) if kinds is None else [(k, _TARGETS[k]) for k in sorted(set(kinds))
                                                                if k in _TARGETS]
    if uid is None or not wanted:
        return stmt.where(false())
    targets = or_(*(and_(Notification.target_type == kind, _visible_target(visible_ids(viewer), Notification))
                    for kind, visible_ids in wanted))
    # Nothing from someone the recipient has a block with, in either direction.
    actor_ok = or_(Notification.actor_id.is_(None), Notification.actor_id.not_in(block_partner_ids(viewer)))
    return stmt.where(Notification.recipient_id == uid, targets, actor_ok)


def can_view_notification(viewer, notification) -> bool:
    from community.extensions import db
    from community.notifications.models import Notification

    stmt = visible_notifications(select(Notification.id).where(Notification.id == notification.id), viewer)
    return db.session.scalar(stmt) is not None
