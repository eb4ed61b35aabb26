"""Profiles, friends, blocks, withdrawal and data export: plain functions that flush, never commit."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import joinedload

from community import audit
from community.accounts.models import AccountStatus, District, Role, User
from community.accounts.passwords import check_password
from community.accounts.sessions import end_all_sessions
from community.core.database import utcnow
from community.extensions import db
from community.media.models import Photo
from community.media.services import check_photo, delete_photos_of, photos_of, store_photo
from community.notifications.services import delete_for_targets, notify
from community.policy import (
    Capability,
    FriendRefusal,
    TextField,
    can_accept_friend_request,
    can_block,
    can_view_profile,
    can_withdraw,
    friend_request_refusal,
    why_cannot,
    why_cannot_publish,
)
from community.social.hooks import export_sections, withdraw_hooks
from community.social.models import Block, Friendship, ProfileSettings, ProfileVisibility
from community.social.text import clean_line, clean_text

# What kept content shows instead of the author's nickname after 退会. Stored as data (not a UI
# string) because other members' pages read it from the User row.
WITHDRAWN_NICKNAME = "退会したメンバー"
# birth_date cannot be NULL; a withdrawn account keeps no real birth date, so it gets this marker.
WITHDRAWN_BIRTH_DATE = date(1900, 1, 1)
NICKNAME_MAX = 40
BIO_MAX = 1000


class SocialError(Exception):
    """A refusal the member should read; `status` is the HTTP status the view answers with."""

    def __init__(self, message, status: int = 400):
        super().__init__(str(message))
        self.message = message
        self.status = status


REFUSAL_MESSAGES = {
    FriendRefusal.self: (_l("You cannot send a friend request to yourself."), 400),
    FriendRefusal.unavailable: (
        _l("This member's account is not active, so you cannot send them a friend request."),
        409,
    ),
    FriendRefusal.not_allowed: (_l("You cannot send a friend request to this member."), 403),
    FriendRefusal.you_blocked: (
        _l("You have blocked this member. Unblock them first if you want to send a friend request."),
        409,
    ),
    FriendRefusal.already_friends: (_l("You are already friends with this member."), 409),
    FriendRefusal.already_requested: (_l("You have already sent a friend request to this member."), 409),
}


def refusal_message(refusal: FriendRefusal, user) -> str:
    if refusal in (FriendRefusal.cannot_write, FriendRefusal.not_logged_in):
        return why_cannot(user, Capability.write) or str(_l("You cannot send friend requests."))
    return str(REFUSAL_MESSAGES[refusal][0])


# --- Profiles --------------------------------------------------------------------------------------


def get_member(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def viewable_member(viewer, user_id: int) -> User | None:
    """The member whose profile the viewer may open, or None (the view answers 404)."""
    member = get_member(user_id)
    return member if can_view_profile(viewer, member) else None


def settings_for(user: User) -> ProfileSettings:
    row = db.session.get(ProfileSettings, user.id)
    if row is None:
        row = ProfileSettings.defaults(user.id)
        db.session.add(row)
    return row


def update_profile(
    user: User,
    *,
    nickname: str,
    bio: str | None,
    district_id: int | None,
    public_nickname: bool,
    bio_visibility: str,
    district_visibility: str,
    avatar_visibility: str = ProfileVisibility.members.value,
) -> None:
    """`bio=None` keeps the stored self-introduction: the form disables the field (so the browser
    does not send it) for a member who may not publish one, and saving the nickname must not erase
    text kept from before."""
    nickname = clean_line(nickname)
    bio = clean_text(bio) if bio is not None else None
    if bio and (refusal := why_cannot_publish(user, TextField.bio)):
        raise SocialError(refusal, 403)
    if not nickname:
        raise SocialError(_l("Please enter a nickname."))
    if len(nickname) > NICKNAME_MAX:
        raise SocialError(_l("Please keep your nickname to %(n)s characters or fewer.", n=NICKNAME_MAX))
    if nickname == WITHDRAWN_NICKNAME:
        raise SocialError(_l("This nickname cannot be used. Please choose another."))
    if bio is not None and len(bio) > BIO_MAX:
        raise SocialError(_l("Please keep your self-introduction to %(n)s characters or fewer.", n=BIO_MAX))
    if district_id is not None and db.session.get(District, district_id) is None:
        raise SocialError(_l("Please choose a district from the list."))
    levels = {v.value for v in ProfileVisibility}
    if not {bio_visibility, district_visibility, avatar_visibility} <= levels:
        raise SocialError(_l("Please choose who can see each item from the list."))
    user.nickname = nickname
    if bio is not None:
        user.bio = bio
    user.district_id = district_id
    settings = settings_for(user)
    settings.public_nickname = bool(public_nickname)
    settings.bio_visibility = bio_visibility
    settings.district_visibility = district_visibility
    settings.avatar_visibility = avatar_visibility
    db.session.flush()


# The avatar goes through the shared photo pipeline (sniffed, re-encoded, metadata stripped).
AVATAR = "avatar"


def avatar_of(user: User) -> Photo | None:
    photos = photos_of(AVATAR, user.id)
    return photos[0] if photos else None


def set_avatar(user: User, data: bytes) -> Photo:
    """Replace the avatar; raises PhotoError (a message for the member) for anything unusable."""
    processed = check_photo(data)
    delete_photos_of(AVATAR, [user.id])
    return store_photo(data, uploaded_by=user, owner_type=AVATAR, owner_id=user.id, processed=processed)


def remove_avatar(user: User) -> None:
    delete_photos_of(AVATAR, [user.id])


# --- Friends -----------------------------------------------------------------------------------------


def _pair(a_id: int, b_id: int):
    return or_(
        and_(Friendship.requester_id == a_id, Friendship.addressee_id == b_id),
        and_(Friendship.requester_id == b_id, Friendship.addressee_id == a_id),
    )


def friendship_between(a: User, b: User) -> Friendship | None:
    return db.session.scalar(select(Friendship).where(_pair(a.id, b.id)))


def send_friend_request(sender: User, target: User | None) -> Friendship:
    """Ask `target` to be friends. If they already asked `sender`, this accepts their request."""
    refusal = friend_request_refusal(sender, target)
    if refusal is None:
        existing = friendship_between(sender, target)
        if existing is not None and existing.requester_id == sender.id:
            refusal = FriendRefusal.already_requested
        elif existing is not None:
            return _accept(existing, sender)
    if refusal is not None:
        status = REFUSAL_MESSAGES.get(refusal, (None, 403))[1]
        raise SocialError(refusal_message(refusal, sender), status)
    friendship = Friendship(requester_id=sender.id, addressee_id=target.id, status="pending")
    db.session.add(friendship)
    db.session.flush()
    notify(target, "friend_request", actor=sender, target_type="friend_request", target_id=friendship.id)
    return friendship


def _incoming(user: User, friendship_id: int) -> Friendship:
    row = db.session.get(Friendship, friendship_id)
    if row is None or row.addressee_id != user.id or row.status != "pending":
        raise SocialError(_l("This friend request no longer exists."), 404)
    return row


def _accept(row: Friendship, by: User) -> Friendship:
    row.status = "accepted"
    row.accepted_at = utcnow()
    db.session.flush()
    # The request's own notification disappears by itself: the policy shows pending requests only.
    requester = db.session.get(User, row.requester_id)
    notify(requester, "friend_accepted", actor=by, target_type="friendship", target_id=row.id)
    return row


def accept_friend_request(user: User, friendship_id: int) -> Friendship:
    row = _incoming(user, friendship_id)
    if not can_accept_friend_request(user):
        raise SocialError(why_cannot(user, Capability.write), 403)
    requester = db.session.get(User, row.requester_id)
    if friend_request_refusal(user, requester) is not None:
        # The sender was suspended, withdrew or a block came between: the request lapses.
        db.session.delete(row)
        db.session.flush()
        raise SocialError(_l("This friend request can no longer be accepted."), 409)
    return _accept(row, user)


def decline_friend_request(user: User, friendship_id: int) -> None:
    db.session.delete(_incoming(user, friendship_id))
    delete_for_targets("friend_request", [friendship_id])
    db.session.flush()


def cancel_friend_request(user: User, friendship_id: int) -> None:
    row = db.session.get(Friendship, friendship_id)
    if row is None or row.requester_id != user.id or row.status != "pending":
        raise SocialError(_l("This friend request no longer exists."), 404)
    db.session.delete(row)
    delete_for_targets("friend_request", [friendship_id])
    db.session.flush()


def remove_friend(user: User, other: User) -> None:
    row = friendship_between(user, other)
    if row is None or row.status != "accepted":
        raise SocialError(_l("You are not friends with this member."), 404)
    db.session.delete(row)
    db.session.flush()


def friends_of(user: User) -> list[tuple[User, Friendship]]:
    """(friend, friendship) pairs, newest friendship first, with the friend loaded in the query."""
    rows = db.session.scalars(
        select(Friendship)
        .options(joinedload(Friendship.requester), joinedload(Friendship.addressee))
        .where(Friendship.status == "accepted", or_(Friendship.requester_id == user.id,
                                                    Friendship.addressee_id == user.id))
        .order_by(Friendship.accepted_at.desc(), Friendship.id.desc())
    ).all()
    return [(r.addressee if r.requester_id == user.id else r.requester, r) for r in rows]


def incoming_requests(user: User) -> list[Friendship]:
    return list(
        db.session.scalars(
            select(Friendship)
            .join(User, User.id == Friendship.requester_id)
            .options(joinedload(Friendship.requester))
            .where(Friendship.addressee_id == user.id, Friendship.status == "pending",
                   User.status == AccountStatus.verified.value)
            .order_by(Friendship.created_at.desc())
        )
    )


def outgoing_requests(user: User) -> list[Friendship]:
    return list(
        db.session.scalars(
            select(Friendship)
            .options(joinedload(Friendship.addressee))
            .where(Friendship.requester_id == user.id, Friendship.status == "pending")
            .order_by(Friendship.created_at.desc())
        )
    )


# --- Blocks --------------------------------------------------------------------------------------------


def block(user: User, target: User | None) -> Block:
    if not can_block(user, target):
        if target is not None and target.id == user.id:
            raise SocialError(_l("You cannot block yourself."), 400)
        raise SocialError(_l("You cannot block this member."), 403)
    existing = db.session.scalar(select(Block).where(Block.blocker_id == user.id, Block.blocked_id == target.id))
    if existing is not None:
        return existing  # blocking twice (a double click) changes nothing
    db.session.execute(delete(Friendship).where(_pair(user.id, target.id)))
    row = Block(blocker_id=user.id, blocked_id=target.id)
    db.session.add(row)
    db.session.flush()
    return row


def unblock(user: User, target: User) -> None:
    db.session.execute(delete(Block).where(Block.blocker_id == user.id, Block.blocked_id == target.id))
    db.session.flush()


def blocks_of(user: User) -> list[Block]:
    return list(
        db.session.scalars(
            select(Block).options(joinedload(Block.blocked)).where(Block.blocker_id == user.id)
            .order_by(Block.created_at.desc())
        )
    )


# --- Withdrawal (退会) -------------------------------------------------------------------------------


def withdrawn_content_is_kept() -> bool:
    return current_app.config.get("WITHDRAWN_CONTENT", "keep") == "keep"


def withdraw(user: User, password: str) -> bool:
    """Close the account: content hooks first, then the member's own data. Returns `keep`."""
    if not can_withdraw(user):
        raise SocialError(_l("Staff accounts are closed by an administrator. Please ask the city."), 403)
    if not password or not check_password(user.password_hash, password):
        raise SocialError(_l("The password is incorrect."), 400)
    keep = withdrawn_content_is_kept()
    for hook in withdraw_hooks():
        hook(user, keep)
    db.session.execute(delete(Friendship).where(or_(Friendship.requester_id == user.id,
                                                    Friendship.addressee_id == user.id)))
    db.session.execute(delete(Block).where(or_(Block.blocker_id == user.id, Block.blocked_id == user.id)))
    db.session.execute(delete(ProfileSettings).where(ProfileSettings.user_id == user.id))
    remove_avatar(user)
    end_all_sessions(user)
    user.status = AccountStatus.withdrawn.value
    user.role = Role.member.value
    user.nickname = WITHDRAWN_NICKNAME
    user.bio = ""
    user.email = None
    user.email_confirmed_at = None
    user.district_id = None
    user.birth_date = WITHDRAWN_BIRTH_DATE
    user.application_code = None
    user.suspension_reason = ""
    user.suspended_until = None
    # Frees the login ID for someone else; '#' never survives login ID validation.
    user.login_id = user.login_key = f"#withdrawn-{user.id}"
    user.password_hash = "!"  # noqa: S105 - not a hash format, so no password can match it
    audit.record("account.withdraw", actor=user, target_type="user", target_id=user.id, keep=keep)
    db.session.flush()
    return keep


# --- Download my data --------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def export_data(user: User) -> list[dict[str, Any]]:
    """The member's own data as [{"title": ..., "rows": [dict, ...]}]; other people appear only
    by the nickname they show every member."""
    settings = db.session.get(ProfileSettings, user.id) or ProfileSettings.defaults(user.id)
    district = db.session.get(District, user.district_id) if user.district_id else None
    avatar = avatar_of(user)
    sections: list[tuple[str, list[dict[str, Any]]]] = [
        (
            str(_l("Profile")),
            [
                {
                    "login_id": user.login_id,
                    "nickname": user.nickname,
                    "bio": user.bio,
                    "district": district.name if district else "",
                    "email": user.email or "",
                    "birth_date": user.birth_date,
                    "status": user.status,
                    "role": user.role,
                    "applied_at": user.applied_at,
                    "verified_at": user.verified_at,
                    "public_nickname": settings.public_nickname,
                    "bio_visibility": settings.bio_visibility,
                    "district_visibility": settings.district_visibility,
                    "avatar_visibility": settings.avatar_visibility,
                    "avatar": url_for("media.photo", token=avatar.token, size="display") if avatar else "",
                }
            ],
        ),
        (
            str(_l("Friends")),
            [{"nickname": friend.nickname, "since": row.accepted_at} for friend, row in friends_of(user)],
        ),
        (
            str(_l("Friend requests you sent")),
            [{"nickname": row.addressee.nickname, "sent_at": row.created_at} for row in outgoing_requests(user)],
        ),
        (
            str(_l("Friend requests you received")),
            [{"nickname": row.requester.nickname, "received_at": row.created_at} for row in incoming_requests(user)],
        ),
        (
            str(_l("Members you blocked")),
            [{"nickname": row.blocked.nickname, "blocked_at": row.created_at} for row in blocks_of(user)],
        ),
    ]
    for section in export_sections():
        title, rows = section(user)
        sections.append((str(title), list(rows)))
    return [
        {"title": title, "rows": [{k: _jsonable(v) for k, v in row.items()} for row in rows]}
        for title, rows in sections
    ]
