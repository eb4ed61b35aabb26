from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.core.database import UTCDateTime, utcnow
from community.extensions import db
from community.official.models import OfficialAccount

# The states a staff member sees in the list (予定 / 掲載中 / 期限切れ / 取り下げ).
SCHEDULED, CURRENT, EXPIRED, WITHDRAWN = "scheduled", "current", "expired", "withdrawn"


class Announcement(db.Model):
    __tablename__ = "announcement"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    # The department's name when published (kept for rows from before department accounts).
    department: Mapped[str] = mapped_column(String(80), default="")
    is_emergency: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # The department account that published it; NULL for notices from before such accounts.
    official_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("official_account.id", ondelete="SET NULL"), index=True
    )
    # Last publication, renewal or withdrawal (feeds' <updated>); NULL on old rows: published_at counts.
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    withdrawal_reason: Mapped[str] = mapped_column(Text, default="")
    # A random key the publish form carries: a second submit of the same form finds this row.
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True)

    official_account: Mapped[OfficialAccount | None] = relationship(lazy="joined")
    renewals: Mapped[list[AnnouncementRenewal]] = relationship(
        back_populates="announcement", cascade="all, delete-orphan", order_by="AnnouncementRenewal.id"
    )

    @property
    def source_name(self) -> str:
        """Who speaks: the department account's name, else the department typed on an old row."""
        return self.official_account.name if self.official_account is not None else self.department

    @property
    def is_from_official_account(self) -> bool:
        return self.official_account is not None

    @property
    def last_updated(self) -> datetime:
        return self.updated_at or self.published_at

    def state(self, now: datetime | None = None) -> str:
        now = now or utcnow()
        if self.withdrawn_at is not None:
            return WITHDRAWN
        if self.published_at > now:
            return SCHEDULED
        if self.expires_at is not None and self.expires_at <= now:
            return EXPIRED
        return CURRENT


class AnnouncementRenewal(db.Model):
    """One extension of an emergency notice's end time (延長): who, when, from what to what."""

    __tablename__ = "announcement_renewal"

    id: Mapped[int] = mapped_column(primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("announcement.id", ondelete="CASCADE"), index=True)
    renewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    renewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    previous_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    new_expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    announcement: Mapped[Announcement] = relationship(back_populates="renewals")
