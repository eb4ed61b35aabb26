"""Friendships (mutual, by request and acceptance) and blocks."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.core.database import UTCDateTime, utcnow
from community.extensions import db


class Friendship(db.Model):
    """One row per request; `accepted_at` set means the two are friends (in both directions)."""

    __tablename__ = "friendship"

    id: Mapped[int] = mapped_column(primary_key=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    addressee_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending, accepted
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # lazy="raise": list pages must load the other member with the query (no N+1).
    requester: Mapped[User] = relationship(foreign_keys=[requester_id], lazy="raise")
    addressee: Mapped[User] = relationship(foreign_keys=[addressee_id], lazy="raise")

    __table_args__ = (
        UniqueConstraint("requester_id", "addressee_id", name="uq_friendship_pair"),
        CheckConstraint("requester_id <> addressee_id", name="not_self"),
        Index("ix_friendship_requester_status", "requester_id", "status"),
    )


class Block(db.Model):
    """`blocker` blocked `blocked`: the blocked member no longer sees the blocker's members-only
    content, cannot contact them and cannot comment on their things."""

    __tablename__ = "block"

    id: Mapped[int] = mapped_column(primary_key=True)
    blocker_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    blocked_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    blocked: Mapped[User] = relationship(foreign_keys=[blocked_id], lazy="raise")

    __table_args__ = (
        UniqueConstraint("blocker_id", "blocked_id", name="uq_block_pair"),
        CheckConstraint("blocker_id <> blocked_id", name="not_self"),
    )


class ProfileVisibility(enum.StrEnum):
    """Who may see one field of a profile (the words of 公開範囲 in GLOSSARY.md)."""

    members = "members"  # 会員に公開: every verified member
    friends = "friends"  # 友達まで
    private = "private"  # 自分のみ


class ProfileSettings(db.Model):
    """A member's choices about their profile; no row means the defaults below.

    The profile's text itself (nickname, bio, district) lives on `User`; this row says who sees it.
    Anonymous visitors never see more than a nickname, and only when `public_nickname` is set.
    """

    __tablename__ = "profile_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    public_nickname: Mapped[bool] = mapped_column(default=False)
    bio_visibility: Mapped[str] = mapped_column(String(12), default=ProfileVisibility.members.value)
    district_visibility: Mapped[str] = mapped_column(String(12), default=ProfileVisibility.members.value)
    # The avatar itself is a media Photo with owner_type "avatar" and owner_id = the user's id.
    avatar_visibility: Mapped[str] = mapped_column(String(12), default=ProfileVisibility.members.value)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def visibility_of(self, field: str) -> ProfileVisibility:
        return ProfileVisibility(getattr(self, f"{field}_visibility"))

    @classmethod
    def defaults(cls, user_id: int) -> ProfileSettings:
        return cls(
            user_id=user_id,
            public_nickname=False,
            bio_visibility=ProfileVisibility.members.value,
            district_visibility=ProfileVisibility.members.value,
            avatar_visibility=ProfileVisibility.members.value,
        )
