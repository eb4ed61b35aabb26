"""A stored photo: two re-encoded sizes on disk, never the uploaded bytes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.core.database import UTCDateTime, utcnow
from community.extensions import db

SIZES = ("display", "thumb")


class Photo(db.Model):
    """A photo that belongs to one piece of content (`owner_type`, `owner_id`), e.g. a diary entry.

    Who may see it is decided by the owning content's policy (community.policy.media); the files
    have random names and are only served through the photo route.
    """

    __tablename__ = "photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The random part of the file names; also what URLs use, so ids cannot be enumerated.
    token: Mapped[str] = mapped_column(String(43), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    owner_type: Mapped[str] = mapped_column(String(30))
    owner_id: Mapped[int] = mapped_column()
    position: Mapped[int] = mapped_column(default=0)
    extension: Mapped[str] = mapped_column(String(5))  # jpg or webp (webp keeps transparency)
    width: Mapped[int] = mapped_column()  # of the display size
    height: Mapped[int] = mapped_column()
    thumb_width: Mapped[int] = mapped_column()
    thumb_height: Mapped[int] = mapped_column()
    bytes: Mapped[int] = mapped_column()  # both files together
    alt_text: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    uploaded_by: Mapped[User | None] = relationship()

    __table_args__ = (Index("ix_photo_owner", "owner_type", "owner_id", "position"),)

    @property
    def mimetype(self) -> str:
        return "image/webp" if self.extension == "webp" else "image/jpeg"

    def filename(self, size: str) -> str:
        return f"{self.token[:2]}/{self.token}-{size}.{self.extension}"
