"""Friends (友達), blocks and who may see a member's profile.

Every rule comes in two forms: a boolean for one pair of members, and SQL building blocks
(`friend_ids`, `blocker_ids`, `visible_members`, ...) that feeds and other policies put into a
WHERE clause, e.g. the diaries policy's `friends` visibility:

    DiaryEntry.author_id.in_(friend_ids(viewer))

Decisions (documented here because the views and the other policies rely on them):
- A friend request is contact with another person, so it counts as writing: members who cannot
  `Capability.write` (中学生以下, unverified, suspended) can neither send nor accept one, and
  nobody can send one to a member of junior-high age or younger. Declining, cancelling, removing
  a friend and blocking are safety actions and stay open to everyone who has them.
- A block hides the blocker from the blocked member (profile 404, members-only content) and stops
  contact both ways (friend requests, comments). The blocker can still open the blocked member's
  profile, so that they can unblock.
- Staff with `Capability.moderate` see every active profile as a member does, blocks or not:
  a block must never hide anything from moderation. "Only me" fields stay private from staff.
- Anonymous visitors (and logged-in people who cannot read members' content) see only the
  nickname of members who chose a public profile; never a bio or district.
- A self-introduction is text other members read, so it follows the rule for posting
  (`can_publish_text(owner, TextField.bio)`): members never see the bio of someone who may not
  post (中学生以下), even one saved earlier; the author and staff still do. The nickname is
  identity, not posting: every member has one.
"""

from __future__ import annotations

import enum

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select, true, union

from community.policy.accounts import Capability, TextField, can, can_publish_text, is_minor

ACTIVE = "verified"


def _user_id(user) -> int | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.id


def _models():
    # Imported late: the policy package must not import feature packages at import time.
    from community.accounts.models import User
    from community.social.models import Block, Friendship, ProfileSettings

    return User, Friendship, Block, ProfileSettings


# --- SQL building blocks -------------------------------------------------------------------------


def friend_ids(user) -> Select:
    """SELECT of the ids of `user`'s friends (accepted, either direction); empty for anonymous."""
    _, Friendship, _, _ = _models()
    uid = _user_id(user)
    if uid is None:
        return select(Friendship.requester_id).where(false())
    return union(
        select(Friendship.addressee_id).where(Friendship.requester_id == uid, Friendship.status == "accepted"),
        select(Friendship.requester_id).where(Friendship.addressee_id == uid, Friendship.status == "accepted"),
    ).subquery().select()


def blocker_ids(user) -> Select:
    """SELECT of the ids of members who blocked `user` (whose members-only content `user` loses)."""
    _, _, Block, _ = _models()
    uid = _user_id(user)
    if uid is None:
        return select(Block.blocker_id).where(false())
    return select(Block.blocker_id).where(Block.blocked_id == uid)


def blocked_ids(user) -> Select:
    """SELECT of the ids of members `user` has blocked."""
    _, _, Block, _ = _models()
    uid = _user_id(user)
    if uid is None:
        return select(Block.blocked_id).where(false())
    return select(Block.blocked_id).where(Block.blocker_id == uid)


def block_partner_ids(user) -> Select:
    """SELECT of the ids on either side of a block with `user`: no contact with any of them."""
    return union(blocker_ids(user), blocked_ids(user)).subquery().select()


def pending_request_ids_to(user) -> Select:
    """SELECT of the ids of friend requests waiting for `user`'s answer (notification targets)."""
    _, Friendship, _, _ = _models()
    uid = _user_id(user)
    return select(Friendship.id).where(Friendship.addressee_id == uid, Friendship.status == "pending")


def friendship_ids_of(user) -> Select:
    """SELECT of the ids of `user`'s accepted friendships (notification targets)."""
    _, Friendship, _, _ = _models()
    uid = _user_id(user)
    return select(Friendship.id).where(
        Friendship.status == "accepted", or_(Friendship.requester_id == uid, Friendship.addressee_id == uid)
    )


def not_blocked_by_owner(owner_id_column: ColumnElement, viewer) -> ColumnElement[bool]:
    """WHERE clause: the content's owner has not blocked the viewer (staff are never blocked out)."""
    if _user_id(viewer) is None or can(viewer, Capability.moderate):
        return true()
    return owner_id_column.not_in(blocker_ids(viewer))


def is_friend_of_viewer(owner_id_column: ColumnElement, viewer) -> ColumnElement[bool]:
    """WHERE clause for 友達まで content: the owner is the viewer or one of the viewer's friends."""
    uid = _user_id(viewer)
    if uid is None:
        return false()
    return or_(owner_id_column == uid, owner_id_column.in_(friend_ids(viewer)))


def visible_members(stmt: Select, viewer) -> Select:
    """Filter a SELECT over `User` to the members whose profile the viewer may open."""
    User, _, _, ProfileSettings = _models()
    uid = _user_id(viewer)
    if can(viewer, Capability.moderate):
        return stmt.where(or_(User.status.in_([ACTIVE, "suspended"]), User.id == uid))
    if can(viewer, Capability.read_members):
        return stmt.where(or_(User.id == uid, and_(User.status == ACTIVE, User.id.not_in(blocker_ids(viewer)))))
    public = exists().where(ProfileSettings.user_id == User.id, ProfileSettings.public_nickname.is_(True))
    condition = and_(User.status == ACTIVE, public)
    if uid is not None:
        condition = or_(User.id == uid, condition)
    return stmt.where(condition)


# --- Booleans --------------------------------------------------------------------------------------


def are_friends(a, b) -> bool:
    from community.extensions import db

    _, Friendship, _, _ = _models()
    a_id, b_id = _user_id(a), _user_id(b)
    if a_id is None or b_id is None or a_id == b_id:
        return False
    pair = or_(
        and_(Friendship.requester_id == a_id, Friendship.addressee_id == b_id),
        and_(Friendship.requester_id == b_id, Friendship.addressee_id == a_id),
    )
    return bool(db.session.scalar(select(exists().where(pair, Friendship.status == "accepted"))))


def has_blocked(blocker, blocked) -> bool:
    """`blocker` has blocked `blocked` (one direction)."""
    from community.extensions import db

    _, _, Block, _ = _models()
    a_id, b_id = getattr(blocker, "id", None), getattr(blocked, "id", None)
    if _user_id(blocker) is None or _user_id(blocked) is None or a_id == b_id:
        return False
    return bool(
        db.session.scalar(select(exists().where(Block.blocker_id == a_id, Block.blocked_id == b_id)))
    )


def is_blocked(a, b, either: bool = True) -> bool:
    """True when a block stands between a and b: in either direction (default), or a blocked b."""
    from community.extensions import db

    _, _, Block, _ = _models()
    a_id, b_id = getattr(a, "id", None), getattr(b, "id", None)
    if _user_id(a) is None or _user_id(b) is None or a_id == b_id:
        return False
    if not either:
        return has_blocked(a, b)
    pair = or_(
        and_(Block.blocker_id == a_id, Block.blocked_id == b_id),
        and_(Block.blocker_id == b_id, Block.blocked_id == a_id),
    )
    return bool(db.session.scalar(select(exists().where(pair))))


def can_interact(actor, owner) -> bool:
    """May `actor` comment on or otherwise contact `owner`'s things? Needs write and no block."""
    if not can(actor, Capability.write):
        return False
    return actor.id == owner.id or not is_blocked(actor, owner)


def _is_moderator(viewer) -> bool:
    return can(viewer, Capability.moderate)


def can_view_profile(viewer, owner, settings=None) -> bool:
    """May the viewer open `owner`'s profile page at all?"""
    if owner is None or owner.status == "withdrawn":
        return False
    if _user_id(viewer) == owner.id:
        return True
    if _is_moderator(viewer):
        return owner.status in (ACTIVE, "suspended")
    if owner.status != ACTIVE:
        return False
    if can(viewer, Capability.read_members):
        return not has_blocked(owner, viewer)
    settings = settings if settings is not None else profile_settings(owner)
    return bool(settings.public_nickname)


PROFILE_FIELDS = ("bio", "district", "avatar")


def visible_profile_fields(viewer, owner, settings=None) -> frozenset[str]:
    """The profile fields the viewer may see: a subset of nickname, bio, district, avatar."""
    settings = settings if settings is not None else profile_settings(owner)
    if not can_view_profile(viewer, owner, settings):
        return frozenset()
    if _user_id(viewer) == owner.id:
        return frozenset(("nickname", *PROFILE_FIELDS))
    if not (can(viewer, Capability.read_members) or _is_moderator(viewer)):
        return frozenset({"nickname"})
    friend = None  # asked once, only if a field needs it
    shown = {"nickname"}
    for field in PROFILE_FIELDS:
        if field == "bio" and not (_is_moderator(viewer) or bio_shown_to_others(owner)):
            continue
        level = settings.visibility_of(field).value
        if level == "members":
            shown.add(field)
        elif level == "friends":
            if friend is None:
                friend = are_friends(viewer, owner)
            if friend:
                shown.add(field)
    return frozenset(shown)


def bio_shown_to_others(owner) -> bool:
    """A self-introduction is posting: one saved while its author could not post (中学生以下, e.g.
    before this rule) stays stored and visible to its author and staff, never to other members."""
    return can_publish_text(owner, TextField.bio)


def can_view_avatar(viewer, user_id: int) -> bool:
    """For the photo route: an avatar is seen by whoever may see the profile's avatar field."""
    from community.extensions import db

    User, _, _, _ = _models()
    owner = db.session.get(User, user_id)
    return owner is not None and "avatar" in visible_profile_fields(viewer, owner)


def profile_settings(owner):
    """The owner's settings row, or unsaved defaults."""
    from community.extensions import db

    _, _, _, ProfileSettings = _models()
    row = db.session.get(ProfileSettings, owner.id)
    return row if row is not None else ProfileSettings.defaults(owner.id)


class FriendRefusal(enum.StrEnum):
    """Why a friend request cannot be sent; the social package words each for the member."""

    not_logged_in = "not_logged_in"
    cannot_write = "cannot_write"  # minor, unverified or suspended sender: see why_cannot
    self = "self"
    unavailable = "unavailable"  # not verified, suspended or withdrawn
    not_allowed = "not_allowed"  # the target blocked the sender or is a minor: we do not say which
    you_blocked = "you_blocked"
    already_friends = "already_friends"
    already_requested = "already_requested"


def friend_request_refusal(sender, target) -> FriendRefusal | None:
    """None when `sender` may send `target` a friend request; otherwise the reason."""
    if _user_id(sender) is None:
        return FriendRefusal.not_logged_in
    if not can(sender, Capability.write):
        return FriendRefusal.cannot_write
    if target is None or target.id == sender.id:
        return FriendRefusal.self if target is not None else FriendRefusal.unavailable
    if target.status != ACTIVE:
        return FriendRefusal.unavailable
    if has_blocked(sender, target):
        return FriendRefusal.you_blocked
    if has_blocked(target, sender) or is_minor(target):
        return FriendRefusal.not_allowed
    if are_friends(sender, target):
        return FriendRefusal.already_friends
    return None


def can_accept_friend_request(user) -> bool:
    """Accepting makes contact too, so it needs the same right as sending."""
    return can(user, Capability.write)


def can_block(user, target) -> bool:
    """Any verified member (minors too: it is a safety tool) may block another active member."""
    if not can(user, Capability.read_members) or target is None:
        return False
    return target.id != user.id and target.status in (ACTIVE, "suspended")


def can_edit_profile(user) -> bool:
    """Applicants and members edit their own profile; a suspended account cannot change it."""
    return _user_id(user) is not None and user.status in ("applied", ACTIVE)


def can_withdraw(user) -> bool:
    """Members withdraw themselves; staff and admin accounts are closed by an administrator,
    so that the city never loses its last administrator to one click."""
    if _user_id(user) is None or user.status == "withdrawn":
        return False
    return not user.is_staff
