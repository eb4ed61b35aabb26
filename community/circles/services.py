"""Circle services: take plain arguments, check the policy, flush, never commit.

Each refusal raises CircleError with a Japanese-translatable message that views show as is.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload

from community.accounts.models import User
from community.circles import notify
from community.circles.models import (
    Circle,
    CircleMembership,
    CircleStatus,
    Event,
    EventSignup,
    Invitation,
    InvitationStatus,
    JoinRequest,
    MembershipState,
    Post,
    RequestStatus,
    Role,
    Topic,
)
from community.core.database import utcnow
from community.extensions import db
from community.policy import Capability, TextField, can, why_cannot, why_cannot_publish
from community.policy import circles as policy

# Printed codes avoid letters that are easily confused (0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class CircleError(Exception):
    """A refusal the member can act on; str(error) is the message to show."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = str(message)

    def __str__(self) -> str:
        return self.message


class TextRefused(CircleError):
    """The member may not fill in a free-text field (the rule for posting): the form shows it again."""


CLOSED_MESSAGE = _l("This circle is closed, so nothing new can be posted. Its contents can still be read.")


def _write_refusal(user, circle) -> CircleError:
    if circle.status != CircleStatus.open.value:
        return CircleError(CLOSED_MESSAGE)
    reason = why_cannot(user, Capability.write)
    if reason:
        return CircleError(reason)
    if not policy.is_circle_member(user, circle):
        return CircleError(_l("Only members of this circle can post. Please join the circle first."))
    return CircleError(_l("In this circle, only the circle's admins can do this."))


# -- circles ----------------------------------------------------------------------------------------


def similar_circle_names(name: str, district_id: int | None) -> tuple[bool, bool]:
    """(a circle with this name exists, one exists in the same district)."""
    rows = db.session.execute(select(Circle.district_id).where(func.lower(Circle.name) == name.strip().lower())).all()
    return bool(rows), any(r.district_id == district_id for r in rows)


def create_circle(
    creator: User,
    *,
    name: str,
    description: str = "",
    category: str = "other",
    district_id: int | None = None,
    visibility: str = "public",
    join_mode: str = "open",
    topic_policy: str = "members",
    comment_policy: str = "members",
    official: bool = False,
    admins: list[User] | None = None,
    cover_photo_id: int | None = None,
) -> Circle:
    if official:
        if not policy.can_create_official_circle(creator):
            raise CircleError(_l("Only city staff can create official circles."))
    elif not policy.can_create_circle(creator):
        raise CircleError(why_cannot(creator, Capability.create_circle) or _l("You cannot create a circle."))
    name = name.strip()
    _exists, same_district = similar_circle_names(name, district_id)
    if same_district:
        raise CircleError(
            _l("A circle with this name already exists in this district. Please choose a different name.")
        )
    if visibility == "secret" and join_mode != "invitation":
        join_mode = "invitation"  # nobody can find a secret circle to join or ask
    circle = Circle(
        name=name,
        description=description.strip(),
        category=category,
        district_id=district_id,
        visibility=visibility,
        join_mode=join_mode,
        topic_policy=topic_policy,
        comment_policy=comment_policy,
        is_official=official,
        created_by_id=creator.id,
        cover_photo_id=cover_photo_id,
        last_activity_at=utcnow(),
    )
    db.session.add(circle)
    db.session.flush()
    admins = [u for u in (admins or []) if u.id != creator.id]
    if official:
        # Staff set the circle up for others: the first named admin owns it, staff keep admin rights
        # through the policy (official circles) without becoming members who read everything.
        if not admins:
            raise CircleError(_l("Please name at least one member who will run this official circle."))
        _add_member(circle, admins[0], Role.owner)
        for user in admins[1:]:
            _add_member(circle, user, Role.admin)
    else:
        _add_member(circle, creator, Role.owner)
        for user in admins:
            _add_member(circle, user, Role.admin)
    db.session.flush()
    return circle


def _same_text(a: str, b: str) -> bool:
    """Unchanged text, whatever the line breaks (a browser sends a textarea's as CRLF)."""
    return a.replace("\r\n", "\n").strip() == (b or "").replace("\r\n", "\n").strip()


def update_circle(actor: User, circle: Circle, **fields) -> Circle:
    if not policy.can_edit_circle(actor, circle):
        raise CircleError(_l("You cannot change this circle's settings."))
    # An admin who may not post (a pupil appointed admin) keeps the settings but not the words.
    if any(k in fields and not _same_text(fields[k], getattr(circle, k)) for k in ("name", "description")):
        if refusal := why_cannot_publish(actor, TextField.circle_text):
            raise TextRefused(refusal)
    if "name" in fields and fields["name"].strip() != circle.name:
        rows = db.session.execute(
            select(Circle.id).where(
                func.lower(Circle.name) == fields["name"].strip().lower(),
                Circle.district_id == fields.get("district_id", circle.district_id),
                Circle.id != circle.id,
            )
        ).all()
        if rows:
            raise CircleError(
                _l("A circle with this name already exists in this district. Please choose a different name.")
            )
    for key, value in fields.items():
        setattr(circle, key, value.strip() if isinstance(value, str) and key in ("name", "description") else value)
    if circle.visibility == "secret":
        circle.join_mode = "invitation"
    db.session.flush()
    return circle


def set_status(actor: User, circle: Circle, status: str) -> None:
    if not policy.can_own_circle(actor, circle):
        raise CircleError(_l("Only the circle's owner can close or archive it."))
    if circle.status == CircleStatus.archived.value:
        raise CircleError(_l("This circle is archived and cannot be changed."))
    circle.status = CircleStatus(status).value
    db.session.flush()


def _add_member(circle: Circle, user: User, role: Role = Role.member) -> CircleMembership:
    row = CircleMembership(circle_id=circle.id, user_id=user.id, role=role.value, state=MembershipState.active.value)
    db.session.add(row)
    db.session.flush()
    _recount_members(circle)
    return row


def _recount_members(circle: Circle) -> None:
    circle.member_count = db.session.scalar(
        select(func.count())
        .select_from(CircleMembership)
        .where(CircleMembership.circle_id == circle.id, CircleMembership.state == MembershipState.active.value)
    )


def _membership(circle: Circle, user: User) -> CircleMembership | None:
    return db.session.scalar(
        select(CircleMembership).where(CircleMembership.circle_id == circle.id, CircleMembership.user_id == user.id)
    )


def _admin_ids(circle: Circle) -> list[int]:
    return list(
        db.session.scalars(
            select(CircleMembership.user_id).where(
                CircleMembership.circle_id == circle.id,
                CircleMembership.state == MembershipState.active.value,
                CircleMembership.role.in_(policy.ADMIN_ROLES),
            )
        )
    )


def _refuse_existing(circle: Circle, user: User) -> None:
    row = _membership(circle, user)
    if row is None:
        return
    if row.state == MembershipState.banned.value:
        raise CircleError(_l("You cannot join this circle."))
    raise CircleError(_l("You are already a member of this circle."))


def join(user: User, circle: Circle) -> CircleMembership:
    _refuse_existing(circle, user)
    if not policy.can_join_circle(user, circle):
        if circle.status != CircleStatus.open.value:
            raise CircleError(_l("This circle is closed and is not taking new members."))
        if circle.join_mode == "approval":
            raise CircleError(_l("This circle needs the admins' approval. Please send a request to join."))
        raise CircleError(why_cannot(user, Capability.read_members) or _l("This circle is by invitation only."))
    return _add_member(circle, user)


def request_to_join(user: User, circle: Circle, message: str = "") -> JoinRequest:
    _refuse_existing(circle, user)
    if policy.pending_join_request(user, circle) is not None:
        raise CircleError(_l("You have already sent a request to join. Please wait for the admins' answer."))
    if not policy.can_request_to_join(user, circle):
        if circle.status != CircleStatus.open.value:
            raise CircleError(_l("This circle is closed and is not taking new members."))
        raise CircleError(why_cannot(user, Capability.read_members) or _l("This circle does not take requests to join."))
    if message.strip() and (refusal := why_cannot_publish(user, TextField.join_request_message)):
        raise TextRefused(refusal)  # the admins read the message: it is posting
    req = JoinRequest(circle_id=circle.id, user_id=user.id, message=message.strip())
    db.session.add(req)
    db.session.flush()
    notify.join_requested(req, _admin_ids(circle))
    return req


def withdraw_request(user: User, req: JoinRequest) -> None:
    if req.user_id != user.id or req.status != RequestStatus.pending.value:
        raise CircleError(_l("This request has already been answered or withdrawn."))
    req.status = RequestStatus.withdrawn.value
    req.decided_at = utcnow()
    db.session.flush()


def decide_request(actor: User, req: JoinRequest, approve: bool) -> None:
    circle = req.circle
    if not policy.can_admin_circle(actor, circle):
        raise CircleError(_l("Only the circle's admins can answer requests to join."))
    # Lock the row so that an approval and a withdrawal cannot both win.
    fresh = db.session.scalar(select(JoinRequest).where(JoinRequest.id == req.id).with_for_update())
    if fresh is None or fresh.status != RequestStatus.pending.value:
        if fresh is not None and fresh.status == RequestStatus.withdrawn.value:
            raise CircleError(_l("The applicant withdrew this request, so it can no longer be answered."))
        raise CircleError(_l("This request has already been answered."))
    fresh.status = (RequestStatus.approved if approve else RequestStatus.rejected).value
    fresh.decided_at = utcnow()
    fresh.decided_by_id = actor.id
    if approve and _membership(circle, fresh.user) is None:
        _add_member(circle, fresh.user)
    db.session.flush()
    notify.join_decided(fresh, approve)


def invite_member(actor: User, circle: Circle, invitee: User, days: int = 14) -> Invitation:
    if not policy.can_admin_circle(actor, circle):
        raise CircleError(_l("Only the circle's admins can invite members."))
    if circle.status != CircleStatus.open.value:
        raise CircleError(_l("This circle is closed and is not taking new members."))
    row = _membership(circle, invitee)
    if row is not None and row.state == MembershipState.active.value:
        raise CircleError(_l("%(name)s is already a member of this circle.", name=invitee.nickname))
    if row is not None:
        raise CircleError(_l("%(name)s has been banned from this circle.", name=invitee.nickname))
    if not invitee.is_verified:
        raise CircleError(_l("Only verified members can be invited."))
    if policy.pending_invitation(invitee, circle) is not None:
        raise CircleError(_l("%(name)s has already been invited.", name=invitee.nickname))
    inv = Invitation(
        circle_id=circle.id, invited_by_id=actor.id, user_id=invitee.id, expires_at=utcnow() + timedelta(days=days)
    )
    db.session.add(inv)
    db.session.flush()
    notify.invited(inv)
    return inv


def new_invitation_code(actor: User, circle: Circle, *, max_uses: int, days: int) -> Invitation:
    if not policy.can_admin_circle(actor, circle):
        raise CircleError(_l("Only the circle's admins can invite members."))
    if circle.status != CircleStatus.open.value:
        raise CircleError(_l("This circle is closed and is not taking new members."))
    if not 1 <= max_uses <= 500 or not 1 <= days <= 90:
        raise CircleError(_l("Please choose between 1 and 500 uses and between 1 and 90 days."))
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
    inv = Invitation(
        circle_id=circle.id,
        invited_by_id=actor.id,
        code=code,
        max_uses=max_uses,
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(inv)
    db.session.flush()
    return inv


def normalize_code(code: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKC", code or "").upper().replace("-", "").replace(" ", "").strip()


def find_code(code: str) -> Invitation | None:
    code = normalize_code(code)
    if not code:
        return None
    return db.session.scalar(select(Invitation).where(Invitation.code == code))


def _check_invitation(inv: Invitation | None) -> Invitation:
    if inv is None or inv.status == InvitationStatus.revoked.value:
        raise CircleError(_l("This invitation code is not valid. Please check the code you were given."))
    if inv.expires_at is not None and inv.expires_at <= utcnow():
        raise CircleError(_l("This invitation has expired. Please ask the circle's admins for a new one."))
    if inv.status != InvitationStatus.pending.value or inv.use_count >= inv.max_uses:
        raise CircleError(_l("This invitation has already been used. Please ask the circle's admins for a new one."))
    return inv


def accept_invitation(user: User, inv: Invitation | None) -> CircleMembership:
    inv = _check_invitation(inv)
    circle = inv.circle
    if inv.user_id is not None and inv.user_id != user.id:
        raise CircleError(_l("This invitation code is not valid. Please check the code you were given."))
    reason = why_cannot(user, Capability.read_members)
    if reason:
        raise CircleError(reason)
    _refuse_existing(circle, user)
    if circle.status != CircleStatus.open.value or circle.moderation_state != "visible":
        raise CircleError(_l("This circle is closed and is not taking new members."))
    # Count the use with a conditional UPDATE: two people typing the last use at once get one seat.
    used = db.session.execute(
        update(Invitation)
        .where(Invitation.id == inv.id, Invitation.use_count < Invitation.max_uses, Invitation.status == "pending")
        .values(use_count=Invitation.use_count + 1)
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:
        raise CircleError(_l("This invitation has already been used. Please ask the circle's admins for a new one."))
    db.session.refresh(inv)
    if inv.user_id is not None:
        inv.status = InvitationStatus.accepted.value
    membership = _add_member(circle, user)
    # An invitation also answers any pending request.
    for req in db.session.scalars(
        select(JoinRequest).where(JoinRequest.circle_id == circle.id, JoinRequest.user_id == user.id, JoinRequest.status == "pending")
    ):
        req.status = RequestStatus.approved.value
        req.decided_at = utcnow()
    db.session.flush()
    return membership


def decline_invitation(user: User, inv: Invitation) -> None:
    if inv.user_id != user.id or inv.status != InvitationStatus.pending.value:
        raise CircleError(_l("This invitation has already been answered."))
    inv.status = InvitationStatus.declined.value
    db.session.flush()


def revoke_invitation(actor: User, inv: Invitation) -> None:
    if not policy.can_admin_circle(actor, inv.circle):
        raise CircleError(_l("Only the circle's admins can invite members."))
    inv.status = InvitationStatus.revoked.value
    db.session.flush()


def leave(user: User, circle: Circle) -> None:
    row = _membership(circle, user)
    if row is None or row.state != MembershipState.active.value:
        raise CircleError(_l("You are not a member of this circle."))
    if row.role == Role.owner.value:
        raise CircleError(_l("The owner cannot leave. Please hand the circle over to another member first."))
    db.session.delete(row)
    db.session.flush()
    _recount_members(circle)
    db.session.flush()


def remove_member(actor: User, circle: Circle, member: User, *, ban: bool = False) -> None:
    if not policy.can_admin_circle(actor, circle):
        raise CircleError(_l("Only the circle's admins can remove members."))
    row = _membership(circle, member)
    if row is None:
        if not ban:
            raise CircleError(_l("This person is not a member of this circle."))
        row = CircleMembership(circle_id=circle.id, user_id=member.id, role=Role.member.value)
        db.session.add(row)
    if row.role == Role.owner.value:
        raise CircleError(_l("The owner cannot be removed."))
    if row.role == Role.admin.value and not policy.can_own_circle(actor, circle):
        raise CircleError(_l("Only the owner can remove an admin."))
    if ban:
        row.state = MembershipState.banned.value
        row.role = Role.member.value
        # A banned member's open invitations and requests end with the ban.
        db.session.execute(
            update(Invitation)
            .where(Invitation.circle_id == circle.id, Invitation.user_id == member.id, Invitation.status == "pending")
            .values(status=InvitationStatus.revoked.value)
            .execution_options(synchronize_session=False)
        )
    else:
        db.session.delete(row)
    db.session.flush()
    _recount_members(circle)
    db.session.flush()


def unban(actor: User, circle: Circle, member: User) -> None:
    if not policy.can_admin_circle(actor, circle):
        raise CircleError(_l("Only the circle's admins can remove members."))
    row = _membership(circle, member)
    if row is None or row.state != MembershipState.banned.value:
        raise CircleError(_l("This person is not banned."))
    db.session.delete(row)
    db.session.flush()


def set_role(actor: User, circle: Circle, member: User, role: str) -> None:
    """Appoint or dismiss admins (owner, or staff for official circles)."""
    if not policy.can_own_circle(actor, circle):
        raise CircleError(_l("Only the owner can appoint admins."))
    if role not in (Role.admin.value, Role.member.value):
        raise CircleError(_l("Please choose a valid role."))
    row = _membership(circle, member)
    if row is None or row.state != MembershipState.active.value:
        raise CircleError(_l("This person is not a member of this circle."))
    if row.role == Role.owner.value:
        raise CircleError(_l("Please hand the circle over before changing the owner's role."))
    row.role = role
    db.session.flush()


def transfer_ownership(actor: User, circle: Circle, new_owner: User) -> None:
    if not policy.can_own_circle(actor, circle):
        raise CircleError(_l("Only the owner can hand the circle over."))
    target = _membership(circle, new_owner)
    if target is None or target.state != MembershipState.active.value:
        raise CircleError(_l("The circle can only be handed over to one of its members."))
    if not can(new_owner, Capability.create_circle):
        raise CircleError(_l("The new owner must be a verified adult member."))
    for row in db.session.scalars(
        select(CircleMembership).where(CircleMembership.circle_id == circle.id, CircleMembership.role == Role.owner.value)
    ):
        row.role = Role.admin.value
    target.role = Role.owner.value
    db.session.flush()


def set_follow(user: User, circle: Circle, follow: bool) -> None:
    row = _membership(circle, user)
    if row is None or row.state != MembershipState.active.value:
        raise CircleError(_l("You are not a member of this circle."))
    row.notify_new_topics = follow
    db.session.flush()


def mark_read(user: User, circle: Circle) -> None:
    if not getattr(user, "is_authenticated", False):
        return
    db.session.execute(
        update(CircleMembership)
        .where(CircleMembership.circle_id == circle.id, CircleMembership.user_id == user.id)
        .values(last_read_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def member_rows(circle: Circle) -> list[CircleMembership]:
    order = {"owner": 0, "admin": 1, "member": 2}
    rows = list(
        db.session.scalars(
            select(CircleMembership)
            .where(CircleMembership.circle_id == circle.id)
            .join(CircleMembership.user)
            .order_by(User.nickname)
            .options(contains_eager(CircleMembership.user))
        )
    )
    return sorted(rows, key=lambda r: (r.state != "active", order.get(r.role, 3)))


def member_csv_rows(actor: User, circle: Circle) -> list[list[str]]:
    """Names only: a circle's admins need a roll call, not members' personal data."""
    if not policy.can_admin_circle(actor, circle):
        raise CircleError(_l("Only the circle's admins can download the member list."))
    labels = {"owner": _l("Owner"), "admin": _l("Admin"), "member": _l("Circle member")}
    rows = [[str(_l("Nickname")), str(_l("Role"))]]
    for row in member_rows(circle):
        if row.state == MembershipState.active.value:
            rows.append([row.user.nickname, str(labels[row.role])])
    return rows


# -- topics and posts -------------------------------------------------------------------------------


def create_topic(user: User, circle: Circle, *, title: str, body: str, pinned: bool = False) -> Topic:
    if not policy.can_post_topic(user, circle):
        raise _write_refusal(user, circle)
    if pinned and not policy.can_pin_topic(user, circle):
        pinned = False
    now = utcnow()
    topic = Topic(circle_id=circle.id, author_id=user.id, title=title.strip(), is_pinned=pinned, created_at=now, last_posted_at=now)
    db.session.add(topic)
    db.session.flush()
    post = Post(topic_id=topic.id, circle_id=circle.id, author_id=user.id, body=body.strip(), created_at=now)
    db.session.add(post)
    circle.last_activity_at = now
    db.session.flush()
    notify.new_topic(topic, post)
    return topic


def first_post(topic: Topic) -> Post | None:
    return db.session.scalar(select(Post).where(Post.topic_id == topic.id).order_by(Post.created_at, Post.id).limit(1))


def reply(user: User, topic: Topic, body: str) -> Post:
    if not policy.can_comment(user, topic):
        if not policy.can_view_topic(user, topic):
            raise CircleError(_l("This topic cannot be found."))
        raise _write_refusal(user, topic.circle)
    now = utcnow()
    post = Post(topic_id=topic.id, circle_id=topic.circle_id, author_id=user.id, body=body.strip(), created_at=now)
    db.session.add(post)
    topic.last_posted_at = now
    topic.circle.last_activity_at = now
    db.session.flush()
    notify.replied(topic, post)
    return post


def set_pinned(actor: User, topic: Topic, pinned: bool) -> None:
    if not policy.can_pin_topic(actor, topic.circle):
        raise CircleError(_l("Only the circle's admins can pin announcements."))
    topic.is_pinned = pinned
    db.session.flush()


# -- events -----------------------------------------------------------------------------------------


def create_event(
    user: User,
    circle: Circle,
    *,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    place: str = "",
    description: str = "",
    capacity: int | None = None,
) -> Event:
    if not policy.can_create_event(user, circle):
        raise _write_refusal(user, circle)
    if ends_at <= starts_at:
        raise CircleError(_l("The end must be after the start."))
    if capacity is not None and capacity < 1:
        raise CircleError(_l("The capacity must be at least 1 (leave it empty for no limit)."))
    event = Event(
        circle_id=circle.id,
        created_by_id=user.id,
        title=title.strip(),
        description=description.strip(),
        place=place.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
    )
    db.session.add(event)
    circle.last_activity_at = utcnow()
    db.session.flush()
    return event


@dataclass
class SignupResult:
    status: str  # confirmed or waiting


def signup_of(event: Event, user: User) -> EventSignup | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(EventSignup).where(EventSignup.event_id == event.id, EventSignup.user_id == user.id))


def sign_up(user: User, event: Event) -> SignupResult:
    """Take a seat if one is free, else join the waiting list: never overbook.

    The seat is taken by one conditional UPDATE (`confirmed_count < capacity`), which the database
    applies atomically; two tabs sending at the same moment cannot both get the last seat.
    """
    if signup_of(event, user) is not None:
        raise CircleError(_l("You have already signed up for this event."))
    if not policy.can_sign_up(user, event):
        if event.starts_at <= utcnow():
            raise CircleError(_l("This event has already started, so sign-up has closed."))
        if event.circle.status != CircleStatus.open.value:
            raise CircleError(CLOSED_MESSAGE)
        raise CircleError(_l("Only members of this circle can sign up. Please join the circle first."))
    row = EventSignup(event_id=event.id, user_id=user.id, status="waiting")
    try:
        # The unique (event, member) pair refuses a second tab's sign-up; the savepoint keeps the rest.
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError as error:
        raise CircleError(_l("You have already signed up for this event.")) from error
    stmt = update(Event).where(Event.id == event.id)
    if event.capacity is not None:
        stmt = stmt.where(Event.confirmed_count < Event.capacity)
    taken = db.session.execute(
        stmt.values(confirmed_count=Event.confirmed_count + 1).execution_options(synchronize_session=False)
    )
    status = "confirmed" if taken.rowcount == 1 else "waiting"
    row.status = status
    db.session.flush()
    db.session.expire(event, ["confirmed_count"])
    return SignupResult(status)


def cancel_signup(user: User, event: Event) -> None:
    """Give the seat back; the first person on the waiting list moves up and is told."""
    row = signup_of(event, user)
    if row is None:
        raise CircleError(_l("You are not signed up for this event."))
    if event.starts_at <= utcnow():
        raise CircleError(_l("This event has already started, so sign-up has closed."))
    was_confirmed = row.status == "confirmed"
    db.session.execute(delete(EventSignup).where(EventSignup.id == row.id).execution_options(synchronize_session=False))
    db.session.expunge(row)
    if not was_confirmed:
        db.session.flush()
        return
    # Lock the event row first, so that two cancellations promote two different people.
    db.session.execute(
        update(Event)
        .where(Event.id == event.id)
        .values(confirmed_count=Event.confirmed_count - 1)
        .execution_options(synchronize_session=False)
    )
    waiting = db.session.scalar(
        select(EventSignup)
        .where(EventSignup.event_id == event.id, EventSignup.status == "waiting")
        .order_by(EventSignup.created_at, EventSignup.id)
        .limit(1)
        .with_for_update()
    )
    if waiting is not None:
        taken = db.session.execute(
            update(Event)
            .where(Event.id == event.id, Event.confirmed_count < func.coalesce(Event.capacity, Event.confirmed_count + 1))
            .values(confirmed_count=Event.confirmed_count + 1)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 1:
            waiting.status = "confirmed"
            db.session.flush()
            notify.promoted(event, waiting.user_id)
    db.session.expire(event, ["confirmed_count"])
    db.session.flush()


def participants(event: Event) -> list[EventSignup]:
    return list(
        db.session.scalars(
            select(EventSignup)
            .where(EventSignup.event_id == event.id)
            .order_by(EventSignup.status, EventSignup.created_at, EventSignup.id)
            .options(selectinload(EventSignup.user))
        )
    )


def due_reminders(now: datetime | None = None, within: timedelta = timedelta(hours=24)) -> list[Event]:
    now = now or utcnow()
    return list(
        db.session.scalars(
            select(Event).where(
                Event.reminded_at.is_(None),
                Event.moderation_state == "visible",
                Event.starts_at > now,
                Event.starts_at <= now + within,
            )
        )
    )


def send_reminders(now: datetime | None = None, within: timedelta = timedelta(hours=24)) -> int:
    """Remind confirmed participants of events starting soon; each event once."""
    sent = 0
    for event in due_reminders(now, within):
        user_ids = list(
            db.session.scalars(
                select(EventSignup.user_id).where(EventSignup.event_id == event.id, EventSignup.status == "confirmed")
            )
        )
        notify.event_reminder(event, user_ids)
        event.reminded_at = now or utcnow()
        sent += len(user_ids)
    db.session.flush()
    return sent
