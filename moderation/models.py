"""Reports (通報), the case that groups them per item, staff actions (対応), appeals and notices."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.core.database import UTCDateTime, utcnow
from community.extensions import db


class ModerationCase(db.Model):
    """One row per reported item: the queue shows cases, not individual reports.

    `version` grows with every action; an action names the version its author saw and is applied
    with a conditional UPDATE, so two staff acting at once cannot both succeed.
    """

    __tablename__ = "moderation_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    target_id: Mapped[int] = mapped_column()
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id", ondelete="SET NULL"))
    summary: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(10), default="open")  # open, closed
    outcome: Mapped[str] = mapped_column(String(12), default="")  # last action taken
    auto_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(default=1)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    first_action_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship(foreign_keys=[author_id], lazy="raise")
    claimed_by: Mapped[User | None] = relationship(foreign_keys=[claimed_by_id], lazy="raise")

    __table_args__ = (
        UniqueConstraint("kind", "target_id", name="uq_moderation_case_item"),
        Index("ix_moderation_case_status_opened", "status", "opened_at"),
    )


class Report(db.Model):
    __tablename__ = "moderation_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("moderation_case.id", ondelete="CASCADE"))
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    reason: Mapped[str] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(Text, default="")
    from_supporter: Mapped[bool] = mapped_column(Boolean, default=False)  # as they were when reporting
    status: Mapped[str] = mapped_column(String(10), default="open")  # open, actioned, dismissed
    outcome: Mapped[str] = mapped_column(String(12), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[ModerationCase] = relationship(lazy="raise")
    reporter: Mapped[User | None] = relationship(lazy="raise")

    __table_args__ = (Index("ix_moderation_report_case_status", "case_id", "status"),)


class ModerationAction(db.Model):
    __tablename__ = "moderation_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("moderation_case.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(String(12))  # dismiss, hide, delete, warn, suspend, restore
    rule: Mapped[str] = mapped_column(String(40))
    rule_label: Mapped[str] = mapped_column(String(200), default="")  # as shown at the time
    note: Mapped[str] = mapped_column(Text, default="")
    suspended_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hide_all: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[ModerationCase] = relationship(lazy="raise")
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="raise")


class Appeal(db.Model):
    """異議申し立て: once per action (the unique constraint backs the service's check)."""

    __tablename__ = "moderation_appeal"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("moderation_action.id", ondelete="CASCADE"), unique=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending, upheld, overturned
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str] = mapped_column(Text, default="")

    action: Mapped[ModerationAction] = relationship(lazy="raise")


class ModerationNotice(db.Model):
    """What the author (and the reporters) are told, shown at /moderation/notices.

    The item's kind and summary are copied, so the notice still reads well after a deletion.
    """

    __tablename__ = "moderation_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # action, under_review, appeal_decision, report_closed
    case_id: Mapped[int | None] = mapped_column(ForeignKey("moderation_case.id", ondelete="CASCADE"))
    action_id: Mapped[int | None] = mapped_column(ForeignKey("moderation_action.id", ondelete="CASCADE"))
    item_kind: Mapped[str] = mapped_column(String(30), default="")
    item_summary: Mapped[str] = mapped_column(String(200), default="")
    outcome: Mapped[str] = mapped_column(String(20), default="")
    rule_label: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    action: Mapped[ModerationAction | None] = relationship(lazy="raise")
