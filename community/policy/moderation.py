"""Reports and moderation: who may report, patrol, moderate, appeal and decide appeals.

Content kinds keep a `moderation_state` column (`visible`, `hidden`, `removed`); their own
policies read it (through `state_is_visible` / `visible_state`) and `moderation/` is the only
package that changes it. Whether the reporter can see an item at all is the content kind's own
`can_view_*`: moderation asks it, never restates it.
"""

from __future__ import annotations

import enum

from sqlalchemy import ColumnElement

from community.policy.accounts import Capability, can


class ModerationState(enum.StrEnum):
    visible = "visible"
    hidden = "hidden"  # 非表示: reversible; the author still sees it, marked as hidden
    removed = "removed"  # 削除: gone for everyone but staff handling the case


# Actions an author may appeal (異議申し立て); dismissals and restores change nothing for them.
APPEALABLE_ACTIONS = frozenset({"hide", "delete", "warn", "suspend"})


def state_is_visible(state: str | None) -> bool:
    return (state or ModerationState.visible.value) == ModerationState.visible.value


def visible_state(column) -> ColumnElement[bool]:
    """SQL: the row is not hidden or removed by moderation (for the content kinds' filters)."""
    return column == ModerationState.visible.value


def _uid(user) -> int | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.id


def can_report(viewer) -> bool:
    """Verified members (minors included: reporting is a safety feature) and supporters."""
    return can(viewer, Capability.report)


def is_own_content(viewer, author_id: int | None) -> bool:
    uid = _uid(viewer)
    return uid is not None and author_id is not None and uid == author_id


def can_report_item(viewer, author_id: int | None, can_view_item: bool) -> bool:
    """Show 「通報する」: may report, can see the item, and it is not their own."""
    return can_report(viewer) and can_view_item and not is_own_content(viewer, author_id)


def can_patrol(viewer) -> bool:
    return can(viewer, Capability.patrol)


def can_moderate(viewer) -> bool:
    """The staff queue, actions, audit log and statistics. Supporters never have this."""
    return can(viewer, Capability.moderate)


def may_see_own_notices(viewer) -> bool:
    """Moderation notices and appeals stay open to suspended members: they must learn why."""
    return _uid(viewer) is not None and getattr(viewer, "status", "") in ("verified", "suspended")


def can_appeal(viewer, action) -> bool:
    """Only the person the action was taken against, and only for actions that affect them.
    The deadline and "once per action" are checked by the service, which explains them."""
    return (
        may_see_own_notices(viewer)
        and action is not None
        and action.author_id == _uid(viewer)
        and action.action in APPEALABLE_ACTIONS
    )


def can_decide_appeal(viewer, action) -> bool:
    """A different staff member from the one who acted decides the appeal."""
    return can_moderate(viewer) and action is not None and action.actor_id != _uid(viewer)


def private_view_needs_logging(staff_can_view_item: bool) -> bool:
    """Staff open a reported item they could not otherwise see only through its case: log it."""
    return not staff_can_view_item
