"""Diary entries (日記), their comments and likes, and saved audience lists such as 「子育て仲間」."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.core.database import UTCDateTime, utcnow
from community.extensions import db

TITLE_MAX = 100
BODY_MAX = 20_000
COMMENT_MAX = 2_000
MAX_PHOTOS = 4
PHOTO_OWNER = "diary_entry"


class Visibility(enum.StrEnum):
    public = "public"  # 全体公開
    members = "members"  # 会員に公開
    friends = "friends"  # 友達まで
    selected = "selected"  # 指定したユーザー
    private = "private"  # 自分のみ


class DiaryEntry(db.Model):
    __tablename__ = "diary_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    body: Mapped[str] = mapped_column(Text)
    visibility: Mapped[str] = mapped_column(String(10), default=Visibility.members.value)
    moderation_state: Mapped[str] = mapped_column(String(10), default="visible")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship()
    audience_members: Mapped[list[DiaryAudienceMember]] = relationship(cascade="all, delete-orphan")
    audience_lists: Mapped[list[DiaryAudienceList]] = relationship(cascade="all, delete-orphan")

    __table_args__ = (
        Index("ix_diary_entry_author_created", "author_id", "created_at"),
        Index("ix_diary_entry_created", "created_at"),
        CheckConstraint(
            "visibility IN ('public', 'members', 'friends', 'selected', 'private')", name="visibility"
        ),
    )


class DiaryAudienceMember(db.Model):
    """A member picked by hand for a `selected` entry."""

    __tablename__ = "diary_audience_member"

    entry_id: Mapped[int] = mapped_column(ForeignKey("diary_entry.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)
    user: Mapped[User] = relationship()


class AudienceList(db.Model):
    """A saved group of members (「子育て仲間」) to pick as a `selected` audience in one go."""

    __tablename__ = "audience_list"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list[AudienceListMember]] = relationship(cascade="all, delete-orphan")

    __table_args__ = (UniqueConstraint("owner_id", "name", name="uq_audience_list_owner_name"),)


class AudienceListMember(db.Model):
    __tablename__ = "audience_list_member"

    list_id: Mapped[int] = mapped_column(ForeignKey("audience_list.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)
    user: Mapped[User] = relationship()


class DiaryAudienceList(db.Model):
    """A saved list chosen for a `selected` entry: later changes to the list apply to the entry."""

    __tablename__ = "diary_audience_list"

    entry_id: Mapped[int] = mapped_column(ForeignKey("diary_entry.id", ondelete="CASCADE"), primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("audience_list.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)
    audience_list: Mapped[AudienceList] = relationship()


class DiaryComment(db.Model):
    __tablename__ = "diary_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("diary_entry.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    moderation_state: Mapped[str] = mapped_column(String(10), default="visible")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User] = relationship()
    entry: Mapped[DiaryEntry] = relationship()

    __table_args__ = (Index("ix_diary_comment_entry_created", "entry_id", "created_at"),)


class DiaryLike(db.Model):
    __tablename__ = "diary_like"

    entry_id: Mapped[int] = mapped_column(ForeignKey("diary_entry.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class DiarySettings(db.Model):
    """A member's diary preferences; the default visibility starts as `members`."""

    __tablename__ = "diary_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    default_visibility: Mapped[str] = mapped_column(String(10), default=Visibility.members.value)
