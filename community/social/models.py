"""Friendships (mutual, by request and acceptance) and blocks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

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

    __table_args__ = (
        UniqueConstraint("blocker_id", "blocked_id", name="uq_block_pair"),
        CheckConstraint("blocker_id <> blocked_id", name="not_self"),
    )
