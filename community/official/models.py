"""Official department accounts (公式アカウント) and which staff may speak as each.

Other packages (announcements, questions, surveys, reach) point at `OfficialAccount`; whether a
person may act as one is decided by `community.policy.can_act_as_official`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.core.database import UTCDateTime, utcnow
from community.extensions import db


class OfficialAccount(db.Model):
    __tablename__ = "official_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    # URL name, e.g. "bousai"; the display name is the department's, e.g. 防災課.
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # 防災課's account may publish emergency notices (緊急情報); others publish ordinary お知らせ.
    may_issue_emergencies: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    members: Mapped[list[OfficialAccountMember]] = relationship(
        back_populates="account", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def is_active(self) -> bool:
        return self.deactivated_at is None


class OfficialAccountMember(db.Model):
    """A staff member named by an admin as allowed to post as the account."""

    __tablename__ = "official_account_member"
    __table_args__ = (UniqueConstraint("account_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("official_account.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    account: Mapped[OfficialAccount] = relationship(back_populates="members")
