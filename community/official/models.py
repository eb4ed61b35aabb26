"""Official department accounts (公式アカウント) and which staff may speak as each.

Other packages (announcements, questions, surveys, reach) point at `OfficialAccount`; whether a
person may act as one is decided by `community.policy.can_act_as_official`.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, true
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


TITLE_MAX = 100
# What search results call an official post (kept here so the text lives in this package's catalogue).
SEARCH_LABEL = _l("Official account post")
BODY_MAX = 10_000
NOTE_MAX = 1_000


class OfficialPost(db.Model):
    """A post published as a department account. Always public; never deleted.

    Editing after publication is a correction (訂正): `version` goes up by one and an
    `OfficialPostRevision` keeps what changed, why, who and when. Withdrawal (取り下げ) keeps the
    row and shows a notice with the reason instead of the body.
    """

    __tablename__ = "official_post"
    __table_args__ = (Index("ix_official_post_account_created", "account_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("official_account.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Starts at 1; each correction adds one. An edit form carries the version it was opened at.
    version: Mapped[int] = mapped_column(default=1)
    corrected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_reason: Mapped[str] = mapped_column(Text, default="")
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    # A random key the new-post form carries: a second submit of the same form finds this post.
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True)

    account: Mapped[OfficialAccount] = relationship()
    revisions: Mapped[list[OfficialPostRevision]] = relationship(
        back_populates="post", cascade="all, delete-orphan", order_by="OfficialPostRevision.version"
    )

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class OfficialPostRevision(db.Model):
    """One correction (訂正): the text before and after, the note, who and when."""

    __tablename__ = "official_post_revision"
    __table_args__ = (UniqueConstraint("post_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("official_post.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column()  # the post's version after this correction
    old_title: Mapped[str] = mapped_column(String(TITLE_MAX))
    new_title: Mapped[str] = mapped_column(String(TITLE_MAX))
    old_body: Mapped[str] = mapped_column(Text)
    new_body: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    post: Mapped[OfficialPost] = relationship(back_populates="revisions")


class OfficialFollow(db.Model):
    """A member following a department account: its posts appear on their home page."""

    __tablename__ = "official_follow"

    account_id: Mapped[int] = mapped_column(ForeignKey("official_account.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The follower is notified of each new post and emergency notice unless they turn it off.
    notify: Mapped[bool] = mapped_column(default=True, server_default=true())


class OfficialPostReaction(db.Model):
    """「参考になった」: the one interaction with an official post; these members hear of corrections."""

    __tablename__ = "official_post_reaction"

    post_id: Mapped[int] = mapped_column(ForeignKey("official_post.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
