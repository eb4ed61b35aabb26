"""Questions to the city (市への質問), their official answers, FAQ entries (よくある質問) and
「このページは役に立ちましたか」 feedback."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.accounts.models import User
from community.core.database import UTCDateTime, utcnow
from community.extensions import db
from community.official.models import OfficialAccount


class QuestionVisibility(enum.StrEnum):
    public = "public"  # anyone reads the question and its answers
    private = "private"  # the asker and the department's staff only


class QuestionStatus(enum.StrEnum):
    open = "open"  # 未回答
    answered = "answered"  # 回答済み
    closed = "closed"  # 締切


class Question(db.Model):
    __tablename__ = "city_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("official_account.id", ondelete="CASCADE"), index=True)
    asker_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    visibility: Mapped[str] = mapped_column(String(10), default=QuestionVisibility.public.value)
    status: Mapped[str] = mapped_column(String(10), default=QuestionStatus.open.value)
    moderation_state: Mapped[str] = mapped_column(String(10), default="visible")
    # How many department answers exist (the first is the answer, later ones corrections). An
    # answer is written only if this still holds the number the staff member saw: the version check.
    answer_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    account: Mapped[OfficialAccount] = relationship()
    asker: Mapped[User | None] = relationship(foreign_keys=[asker_id])
    answers: Mapped[list[Answer]] = relationship(
        back_populates="question", order_by="Answer.sequence", cascade="all, delete-orphan"
    )

    __table_args__ = (Index("ix_city_question_queue", "account_id", "status", "created_at"),)

    @property
    def official_answer(self) -> Answer | None:
        """The current answer: the latest correction, or the first answer."""
        return self.answers[-1] if self.answers else None


class Answer(db.Model):
    """A department's answer. Sequence 1 is the answer (回答); each later one is a correction (訂正)
    that replaces it on the page while the earlier text stays visible as history."""

    __tablename__ = "city_question_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("city_question.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("official_account.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    sequence: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    correction_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    question: Mapped[Question] = relationship(back_populates="answers")
    account: Mapped[OfficialAccount] = relationship()

    # Two staff answering at once cannot both write answer number 1.
    __table_args__ = (UniqueConstraint("question_id", "sequence"),)

    @property
    def is_correction(self) -> bool:
        return self.sequence > 1


class FaqCategory(enum.StrEnum):
    procedures = "procedures"  # 手続き・届出
    childcare = "childcare"  # 子育て・教育
    welfare = "welfare"  # 健康・福祉
    disaster = "disaster"  # 防災・安全
    environment = "environment"  # ごみ・環境
    facilities = "facilities"  # 施設・イベント
    other = "other"  # その他


class FaqEntry(db.Model):
    __tablename__ = "faq_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("official_account.id", ondelete="CASCADE"), index=True)
    # The public question it was promoted from (None when staff wrote it directly).
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("city_question.id", ondelete="SET NULL"), unique=True
    )
    title: Mapped[str] = mapped_column(String(120))
    answer: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(20), default=FaqCategory.other.value)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    account: Mapped[OfficialAccount] = relationship()
    question: Mapped[Question | None] = relationship()


class PageFeedback(db.Model):
    """「このページは役に立ちましたか」: one vote per browser session per page.

    `target_kind` is "faq" or "citypage" (city pages belong to the search package, which registers
    how to find them). No IP address is kept; `session_key` is a hash of a random per-session token.
    """

    __tablename__ = "page_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    target_kind: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int] = mapped_column(Integer)
    helpful: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    session_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("target_kind", "target_id", "session_key"),
        Index("ix_page_feedback_target", "target_kind", "target_id", "created_at"),
    )
