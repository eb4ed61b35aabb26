"""利用規約 and プライバシーポリシー: versioned documents and each member's agreement to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.core.database import UTCDateTime, utcnow
from community.extensions import db

KINDS = ("terms", "privacy")
HOW = ("online", "counter", "kiosk", "signin")


class TermsDocument(db.Model):
    """A draft (version None) or a published version. Published versions are never edited."""

    __tablename__ = "terms_document"
    __table_args__ = (UniqueConstraint("kind", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), index=True)
    version: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    # Plain text: 「第N条（見出し）」 starts an article, 「(N) ...」 an item (号); escaped on output.
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    published_by = relationship("User", foreign_keys=[published_by_id])


class TermsAgreement(db.Model):
    """Who agreed to which version, when, and how (online, at the counter, at a kiosk, at sign-in)."""

    __tablename__ = "terms_agreement"
    __table_args__ = (Index("ix_terms_agreement_user_kind", "user_id", "kind", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(Integer)
    agreed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    how: Mapped[str] = mapped_column(String(10))
