"""Kiosk devices (shared PCs enrolled by staff) and each facility's kiosk settings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import Facility, User
from community.core.database import UTCDateTime, utcnow
from community.extensions import db

DEFAULT_IDLE_MINUTES = 8
DEFAULT_WARNING_MINUTES = 2


class KioskDevice(db.Model):
    """キオスク端末: a browser enrolled for a facility. Only a hash of its token is stored."""

    __tablename__ = "kiosk_device"

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    facility: Mapped[Facility] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class KioskSettings(db.Model):
    """A facility's kiosk timings; a facility without a row uses the defaults (8 + 2 minutes)."""

    __tablename__ = "kiosk_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facility.id", ondelete="CASCADE"), unique=True)
    idle_minutes: Mapped[int] = mapped_column(default=DEFAULT_IDLE_MINUTES)
    warning_minutes: Mapped[int] = mapped_column(default=DEFAULT_WARNING_MINUTES)
    help_text: Mapped[str] = mapped_column(String(200), default="")

    facility: Mapped[Facility] = relationship()


class KioskDiaryDraft(db.Model):
    """A diary being written step by step on a kiosk. Kept on the server, tied to the sign-in session,
    and deleted with it at logout or timeout: nothing of it is stored in the shared PC's browser."""

    __tablename__ = "kiosk_diary_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("user_session.id", ondelete="CASCADE"), unique=True)
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[str | None] = mapped_column(String(16))
    # The photo as the media pipeline re-encoded it (no metadata); checked again when posting.
    photo: Mapped[bytes | None] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class KioskHandoff(db.Model):
    """A one-time re-enrolment hand-off across logout.

    Logout sends Clear-Site-Data "cookies", which also removes the enrolment cookie; the redirect
    carries this short-lived token to the welcome screen, which re-sets the cookie. Only a hash is stored.
    """

    __tablename__ = "kiosk_handoff"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("kiosk_device.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    device: Mapped[KioskDevice] = relationship()
