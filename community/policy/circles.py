"""Who may see and do what in circles (サークル), as booleans and as SQL filters.

The rules, in one place:
- A circle whose moderation state is not `visible` exists only for staff (and only its page).
- `public` circles: anyone reads. `private`: anyone sees the circle's page, members read the
  content. `secret`: only active members and members with a pending invitation see that it exists.
- Staff see every circle's page (they create official ones and answer reports) but read the
  content of private and secret circles only if they are members; they administer official circles.
- Writing needs an active membership, the `write` capability (verified adults; minors read only)
  and an open circle; topics may be limited to admins, comments likewise.
- A ban, leaving or removal takes effect at once: every check reads the current membership row.
- Content (topics, posts, events) shows while its moderation state is `visible`; hidden content
  stays visible (marked) to its own author, removed content to no one here.
- A circle hidden or removed by moderation is seen by staff only.

The SQL filters express the same rules so that listings, feeds and search never load what the
viewer may not see; tests/policy/test_circle_matrix.py checks that both forms agree.
"""

from __future__ import annotations

from sqlalchemy import and_, false, or_, select
from sqlalchemy.sql import ColumnElement, Select

from community.core.database import utcnow
from community.policy.accounts import Capability, can
from community.policy.media import register_photo_owner
from community.policy.memo import remembered
from community.policy.moderation import state_is_visible, visible_state
from community.policy.notifications import register_notification_target

HIDDEN = "hidden"
ACTIVE = "active"
BANNED = "banned"
ADMIN_ROLES = ("owner", "admin")


def _models():
    # Imported lazily: the policy package must not import feature packages at import time.
    from community.circles import models

    return models


def _participant(viewer) -> bool:
    """Signed in, verified and not suspended: only such viewers' memberships count."""
    return can(viewer, Capability.read_members)


def _is_staff(viewer) -> bool:
    return can(viewer, Capability.moderate)


def membership(viewer, circle):
    """The viewer's membership row (active or banned) or None."""
    if not _participant(viewer):
        return None
    m = _models()
    from community.extensions import db

    # A page asks this for nearly every button (join, leave, admin, pin, comment): once per page
    # while a GET renders (policy.memo), every time otherwise.
    return remembered("circle_membership", viewer, circle.id, lambda: db.session.scalar(
        select(m.CircleMembership).where(
            m.CircleMembership.circle_id == circle.id, m.CircleMembership.user_id == viewer.id
        )
    ))


def circle_role(viewer, circle) -> str | None:
    """owner/admin/member for an active member, else None."""
    row = membership(viewer, circle)
    return row.role if row is not None and row.state == ACTIVE else None


def is_circle_member(viewer, circle) -> bool:
    return circle_role(viewer, circle) is not None


def is_banned(viewer, circle) -> bool:
    row = membership(viewer, circle)
    return row is not None and row.state == BANNED


def pending_invitation(viewer, circle):
    """A personal invitation the viewer has not answered yet (and that has not expired)."""
    if not _participant(viewer):
        return None
    m = _models()
    from community.extensions import db

    return db.session.scalar(
        select(m.Invitation)
        .where(
            m.Invitation.circle_id == circle.id,
            m.Invitation.user_id == viewer.id,
            m.Invitation.status == "pending",
            or_(m.Invitation.expires_at.is_(None), m.Invitation.expires_at > utcnow()),
        )
        .limit(1)
    )


def pending_join_request(viewer, circle):
    if not _participant(viewer):
        return None
    m = _models()
    from community.extensions import db

    return db.session.scalar(
        select(m.JoinRequest)
        .where(m.JoinRequest.circle_id == circle.id, m.JoinRequest.user_id == viewer.id, m.JoinRequest.status == "pending")
        .limit(1)
    )


# -- booleans ---------------------------------------------------------------------------------------


def can_create_circle(viewer) -> bool:
    return can(viewer, Capability.create_circle)


def can_create_official_circle(viewer) -> bool:
    return can(viewer, Capability.publish_official)


def can_view_circle(viewer, circle) -> bool:
    """May the viewer learn that this circle exists (open its page)? False means 404."""
    if circle is None:
        return False
    if _is_staff(viewer):
        return True
    if not state_is_visible(circle.moderation_state):
        return False
    if circle.visibility in ("public", "private"):
        return True
    return is_circle_member(viewer, circle) or pending_invitation(viewer, circle) is not None


def can_read_circle_content(viewer, circle) -> bool:
    """May the viewer read the topics, posts, photos and events?"""
    if circle is None or not state_is_visible(circle.moderation_state):
        return False
    if circle.visibility == "public" and not is_banned(viewer, circle):
        return True
    return is_circle_member(viewer, circle)


def _writable(circle) -> bool:
    return circle.status == "open" and state_is_visible(circle.moderation_state)


def can_join_circle(viewer, circle) -> bool:
    """Join at once (open circles)."""
    return (
        _writable(circle)
        and circle.join_mode == "open"
        and circle.visibility != "secret"
        and _participant(viewer)
        and membership(viewer, circle) is None
    )


def can_request_to_join(viewer, circle) -> bool:
    """Send a 参加申請 (approval circles) when none is pending."""
    return (
        _writable(circle)
        and circle.join_mode == "approval"
        and circle.visibility != "secret"
        and _participant(viewer)
        and membership(viewer, circle) is None
        and pending_join_request(viewer, circle) is None
    )


def can_accept_invitation(viewer, circle) -> bool:
    return (
        _writable(circle)
        and _participant(viewer)
        and membership(viewer, circle) is None
        and pending_invitation(viewer, circle) is not None
    )


def can_leave_circle(viewer, circle) -> bool:
    """Owners hand the circle over first, so that a circle is never left without one."""
    role = circle_role(viewer, circle)
    return role is not None and role != "owner"


def can_admin_circle(viewer, circle) -> bool:
    """Approve requests, invite, remove and ban members, pin, see participant lists."""
    if circle is None:
        return False
    if circle.is_official and _is_staff(viewer):
        return True
    if not state_is_visible(circle.moderation_state):
        return False
    return circle_role(viewer, circle) in ADMIN_ROLES


def can_own_circle(viewer, circle) -> bool:
    """Transfer ownership, appoint admins, close, reopen or archive."""
    if circle is None:
        return False
    if circle.is_official and _is_staff(viewer):
        return True
    if not state_is_visible(circle.moderation_state):
        return False
    return circle_role(viewer, circle) == "owner"


def can_edit_circle(viewer, circle) -> bool:
    return can_admin_circle(viewer, circle) and circle.status != "archived"


def can_post_topic(viewer, circle) -> bool:
    if circle is None or not _writable(circle) or not can(viewer, Capability.write):
        return False
    role = circle_role(viewer, circle)
    if role is None:
        return False
    return circle.topic_policy == "members" or role in ADMIN_ROLES


def can_pin_topic(viewer, circle) -> bool:
    return _writable(circle) and can(viewer, Capability.write) and circle_role(viewer, circle) in ADMIN_ROLES


def _uid(viewer) -> int | None:
    return viewer.id if _participant(viewer) else None


def _content_shown(viewer, state: str, author_id: int | None) -> bool:
    if state_is_visible(state):
        return True
    return state == HIDDEN and author_id is not None and author_id == _uid(viewer)


def can_view_topic(viewer, topic) -> bool:
    return (
        topic is not None
        and _content_shown(viewer, topic.moderation_state, topic.author_id)
        and can_read_circle_content(viewer, topic.circle)
    )


def can_comment(viewer, topic) -> bool:
    if not can_view_topic(viewer, topic):
        return False
    circle = topic.circle
    if not _writable(circle) or not can(viewer, Capability.write):
        return False
    role = circle_role(viewer, circle)
    if role is None:
        return False
    return circle.comment_policy == "members" or role in ADMIN_ROLES


def can_view_post(viewer, post) -> bool:
    return (
        post is not None
        and _content_shown(viewer, post.moderation_state, post.author_id)
        and can_view_topic(viewer, post.topic)
    )


def can_create_event(viewer, circle) -> bool:
    """Events are announcements of a kind: whoever may start topics may announce one."""
    return can_post_topic(viewer, circle)


def can_view_event(viewer, event) -> bool:
    return (
        event is not None
        and _content_shown(viewer, event.moderation_state, event.created_by_id)
        and can_read_circle_content(viewer, event.circle)
    )


def can_sign_up(viewer, event) -> bool:
    """Members (minors too: taking part is not posting) of an open circle, before the start."""
    return (
        can_view_event(viewer, event)
        and _writable(event.circle)
        and is_circle_member(viewer, event.circle)
        and event.starts_at > utcnow()
    )


def can_view_participants(viewer, event) -> bool:
    return can_view_event(viewer, event) and can_admin_circle(viewer, event.circle)


# -- SQL filters ------------------------------------------------------------------------------------


def _active_circle_ids(viewer):
    m = _models()
    return select(m.CircleMembership.circle_id).where(
        m.CircleMembership.user_id == viewer.id, m.CircleMembership.state == ACTIVE
    )


def _banned_circle_ids(viewer):
    m = _models()
    return select(m.CircleMembership.circle_id).where(
        m.CircleMembership.user_id == viewer.id, m.CircleMembership.state == BANNED
    )


def listed_circle_clause(viewer) -> ColumnElement[bool]:
    """Circles that may appear in listings and search: never secret ones to non-members."""
    m = _models()
    circle = m.Circle
    seen = circle.visibility.in_(("public", "private"))
    if _participant(viewer):
        seen = or_(seen, circle.id.in_(_active_circle_ids(viewer)))
    return and_(visible_state(circle.moderation_state), seen)


def readable_circle_clause(viewer) -> ColumnElement[bool]:
    """Circles whose content the viewer may read (same rule as can_read_circle_content)."""
    m = _models()
    circle = m.Circle
    if _participant(viewer):
        readable = or_(
            and_(circle.visibility == "public", circle.id.not_in(_banned_circle_ids(viewer))),
            circle.id.in_(_active_circle_ids(viewer)),
        )
    else:
        readable = circle.visibility == "public"
    return and_(visible_state(circle.moderation_state), readable)


def visible_circles(stmt: Select, viewer) -> Select:
    """Add to a statement over Circle the conditions for listings."""
    return stmt.where(listed_circle_clause(viewer))


def readable_circle_ids(viewer) -> Select:
    m = _models()
    return select(m.Circle.id).where(readable_circle_clause(viewer))


def _shown_clause(viewer, state_column, author_column) -> ColumnElement[bool]:
    uid = _uid(viewer)
    if uid is None:
        return visible_state(state_column)
    return or_(visible_state(state_column), and_(state_column == HIDDEN, author_column == uid))


def visible_topic_ids(viewer) -> Select:
    m = _models()
    return select(m.Topic.id).where(
        _shown_clause(viewer, m.Topic.moderation_state, m.Topic.author_id),
        m.Topic.circle_id.in_(readable_circle_ids(viewer)),
    )


def visible_post_ids(viewer) -> Select:
    m = _models()
    return select(m.Post.id).where(
        _shown_clause(viewer, m.Post.moderation_state, m.Post.author_id),
        m.Post.topic_id.in_(visible_topic_ids(viewer)),
    )


def visible_event_ids(viewer) -> Select:
    m = _models()
    return select(m.Event.id).where(
        _shown_clause(viewer, m.Event.moderation_state, m.Event.created_by_id),
        m.Event.circle_id.in_(readable_circle_ids(viewer)),
    )


def visible_topics(stmt: Select, viewer) -> Select:
    m = _models()
    return stmt.where(
        _shown_clause(viewer, m.Topic.moderation_state, m.Topic.author_id),
        m.Topic.circle_id.in_(readable_circle_ids(viewer)),
    )


def visible_posts(stmt: Select, viewer) -> Select:
    m = _models()
    return stmt.where(
        _shown_clause(viewer, m.Post.moderation_state, m.Post.author_id),
        m.Post.topic_id.in_(visible_topic_ids(viewer)),
    )


def visible_events(stmt: Select, viewer) -> Select:
    m = _models()
    return stmt.where(
        _shown_clause(viewer, m.Event.moderation_state, m.Event.created_by_id),
        m.Event.circle_id.in_(readable_circle_ids(viewer)),
    )


def admin_circle_ids(viewer) -> Select:
    """Circles the viewer administers (as can_admin_circle), for admins' notifications."""
    m = _models()
    if not _participant(viewer):
        return select(m.Circle.id).where(false())
    as_member = select(m.CircleMembership.circle_id).where(
        m.CircleMembership.user_id == viewer.id,
        m.CircleMembership.state == ACTIVE,
        m.CircleMembership.role.in_(ADMIN_ROLES),
    )
    condition = and_(visible_state(m.Circle.moderation_state), m.Circle.id.in_(as_member))
    if _is_staff(viewer):
        condition = or_(condition, m.Circle.is_official.is_(True))
    return select(m.Circle.id).where(condition)


def visible_join_request_ids(viewer) -> Select:
    """The applicant's own requests, and requests to circles the viewer administers."""
    m = _models()
    if not _participant(viewer):
        return select(m.JoinRequest.id).where(false())
    return select(m.JoinRequest.id).where(
        or_(m.JoinRequest.user_id == viewer.id, m.JoinRequest.circle_id.in_(admin_circle_ids(viewer)))
    )


def visible_invitation_ids(viewer) -> Select:
    """Personal invitations to the viewer, while their circle is not hidden by moderation."""
    m = _models()
    if not _participant(viewer):
        return select(m.Invitation.id).where(false())
    visible_circles_ids = select(m.Circle.id).where(visible_state(m.Circle.moderation_state))
    return select(m.Invitation.id).where(
        m.Invitation.user_id == viewer.id, m.Invitation.circle_id.in_(visible_circles_ids)
    )


def member_circles(stmt: Select, viewer) -> Select:
    """The viewer's own circles (active memberships), e.g. for "my circles"."""
    m = _models()
    if not _participant(viewer):
        return stmt.where(false())
    return stmt.where(m.Circle.id.in_(_active_circle_ids(viewer)), visible_state(m.Circle.moderation_state))



# -- photos: who may see a photo attached to circle content -----------------------------------------


def can_view_post_id(viewer, post_id: int) -> bool:
    from community.extensions import db

    return can_view_post(viewer, db.session.get(_models().Post, post_id))


def can_view_circle_id(viewer, circle_id: int) -> bool:
    from community.extensions import db

    return can_view_circle(viewer, db.session.get(_models().Circle, circle_id))


register_photo_owner("circle_post", can_view_post_id)
register_photo_owner("circle_cover", can_view_circle_id)
register_notification_target("circle_topic", visible_topic_ids)
register_notification_target("circle_post", visible_post_ids)
register_notification_target("circle_event", visible_event_ids)
register_notification_target("circle_join_request", visible_join_request_ids)
register_notification_target("circle_invitation", visible_invitation_ids)
