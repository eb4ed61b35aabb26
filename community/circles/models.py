"""Circles (サークル), their members, join requests, invitations, topics, posts and events."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import District, User
from community.core.database import UTCDateTime, utcnow
from community.extensions import db


class Category(enum.StrEnum):
    childcare = "childcare"  # 子育て
    hobby = "hobby"  # 趣味
    sports = "sports"  # スポーツ
    learning = "learning"  # 学習
    health = "health"  # 健康
    local = "local"  # 地域活動
    volunteer = "volunteer"  # ボランティア
    other = "other"  # その他


class Visibility(enum.StrEnum):
    public = "public"  # 公開: anyone reads
    private = "private"  # 非公開: listed, content for members
    secret = "secret"  # noqa: S105 - 秘密: unlisted, members and invitees only


class JoinMode(enum.StrEnum):
    open = "open"
    approval = "approval"
    invitation = "invitation"


class WhoMay(enum.StrEnum):
    members = "members"
    admins = "admins"


class CircleStatus(enum.StrEnum):
    open = "open"
    closed = "closed"  # read-only, may be reopened
    archived = "archived"  # read-only for good


class ModerationState(enum.StrEnum):
    visible = "visible"
    hidden = "hidden"
    removed = "removed"


class Role(enum.StrEnum):
    owner = "owner"
    admin = "admin"
    member = "member"


class MembershipState(enum.StrEnum):
    active = "active"
    banned = "banned"


class RequestStatus(enum.StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    withdrawn = "withdrawn"


class InvitationStatus(enum.StrEnum):
    pending = "pending"
    accepted = "accepted"
    declined = "declined"
    revoked = "revoked"


class CircleCategory(db.Model):
    """A category administrators edit at /admin/categories; circles store its key (no foreign key,
    so a deactivated category stays on old circles)."""

    __tablename__ = "circle_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(20), unique=True)
    label: Mapped[str] = mapped_column(String(40))  # Japanese, what residents see
    label_en: Mapped[str] = mapped_column(String(40), default="")  # shown in English when set
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Circle(db.Model):
    __tablename__ = "circle"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(20), default=Category.other.value)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"))
    cover_photo_id: Mapped[int | None] = mapped_column(Integer)  # a media Photo id, owned by the pipeline
    visibility: Mapped[str] = mapped_column(String(10), default=Visibility.public.value)
    join_mode: Mapped[str] = mapped_column(String(12), default=JoinMode.open.value)
    topic_policy: Mapped[str] = mapped_column(String(10), default=WhoMay.members.value)
    comment_policy: Mapped[str] = mapped_column(String(10), default=WhoMay.members.value)
    is_official: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10), default=CircleStatus.open.value)
    moderation_state: Mapped[str] = mapped_column(String(10), default=ModerationState.visible.value)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Stored counters keep listings to one query; services keep them in step.
    member_count: Mapped[int] = mapped_column(Integer, default=0)
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    district: Mapped[District | None] = relationship()

    __table_args__ = (
        Index("ix_circle_listing", "moderation_state", "visibility", "category"),
    )


class CircleMembership(db.Model):
    """An active member (with a role) or a ban; invitations and requests live in their own tables."""

    __tablename__ = "circle_membership"

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circle.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10), default=Role.member.value)
    state: Mapped[str] = mapped_column(String(10), default=MembershipState.active.value)
    notify_new_topics: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    circle: Mapped[Circle] = relationship()
    user: Mapped[User] = relationship()

    __table_args__ = (
        UniqueConstraint("circle_id", "user_id", name="uq_circle_membership_pair"),
        Index("ix_circle_membership_circle_state", "circle_id", "state"),
    )


class JoinRequest(db.Model):
    __tablename__ = "circle_join_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circle.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default=RequestStatus.pending.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    circle: Mapped[Circle] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class Invitation(db.Model):
    """To one member (found by search), or a printed code that several may use until it expires."""

    __tablename__ = "circle_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circle.id", ondelete="CASCADE"), index=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code: Mapped[str | None] = mapped_column(String(16), unique=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    max_uses: Mapped[int] = mapped_column(Integer, default=1)
    use_count: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(10), default=InvitationStatus.pending.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    circle: Mapped[Circle] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])


class Topic(db.Model):
    __tablename__ = "circle_topic"

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circle.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(120))
    is_pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    moderation_state: Mapped[str] = mapped_column(String(10), default=ModerationState.visible.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_posted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    circle: Mapped[Circle] = relationship()
    author: Mapped[User | None] = relationship()

    __table_args__ = (Index("ix_circle_topic_circle_last", "circle_id", "last_posted_at"),)


class Post(db.Model):
    """A 書き込み; a topic's opening text is its first post."""

    __tablename__ = "circle_post"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("circle_topic.id", ondelete="CASCADE"))
    # Denormalised so that liveliness and unread counts need no join through topics.
    circle_id: Mapped[int] = mapped_column(ForeignKey("circle.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    body: Mapped[str] = mapped_column(Text)
    moderation_state: Mapped[str] = mapped_column(String(10), default=ModerationState.visible.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    topic: Mapped[Topic] = relationship()
    author: Mapped[User | None] = relationship()

    __table_args__ = (
        Index("ix_circle_post_topic_created", "topic_id", "created_at"),
        Index("ix_circle_post_circle_created", "circle_id", "created_at"),
    )


class Event(db.Model):
    __tablename__ = "circle_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circle.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int | None] = mapped_column(Integer)  # None: no limit
    # Confirmed sign-ups, changed only by conditional UPDATEs so two tabs can never overbook.
    confirmed_count: Mapped[int] = mapped_column(Integer, default=0)
    moderation_state: Mapped[str] = mapped_column(String(10), default=ModerationState.visible.value)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    circle: Mapped[Circle] = relationship()

    __table_args__ = (
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        CheckConstraint("confirmed_count >= 0", name="confirmed_not_negative"),
    )


class EventSignup(db.Model):
    __tablename__ = "circle_event_signup"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("circle_event.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10))  # confirmed, waiting
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()

    __table_args__ = (
        UniqueConstraint("event_id", "user_id", name="uq_circle_event_signup_pair"),
        Index("ix_circle_event_signup_event_status", "event_id", "status", "created_at"),
    )
