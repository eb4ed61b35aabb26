"""Surveys (市政モニター / アンケート): questions, and answers kept apart from who gave them.

Privacy design: answering writes two rows that are not linked to each other.
- `SurveyParticipation` (survey, member): only says that the member has answered; its unique
  constraint is the one-answer rule, and it holds no answers.
- `SurveyResponse` (+ `SurveyAnswer` rows): the answers, with the respondent's district and age band
  at the time (for the small-group-suppressed breakdowns) but no member id, no timestamp and a random
  id, so neither staff nor an export can tell who answered what. Both rows are written in the same
  transaction, so a refused second answer leaves neither.
"""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.core.database import UTCDateTime, utcnow
from community.extensions import db


class QuestionKind(enum.StrEnum):
    single = "single"  # 単一選択
    multiple = "multiple"  # 複数選択
    text = "text"  # 自由記述
    scale = "scale"  # 5段階


class SurveyStatus(enum.StrEnum):
    draft = "draft"
    published = "published"  # scheduled, open or closed, by its dates


def _response_id() -> str:
    return secrets.token_hex(16)


class Survey(db.Model):
    __tablename__ = "survey"
    __table_args__ = (CheckConstraint("closes_at > opens_at", name="closes_after_opens"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    official_account_id: Mapped[int] = mapped_column(ForeignKey("official_account.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    # Empty district and age-band lists mean everyone; minors (中学生以下) only when asked for.
    sample: Mapped[bool] = mapped_column(Boolean, default=False)
    include_minors: Mapped[bool] = mapped_column(Boolean, default=False)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    status: Mapped[str] = mapped_column(String(20), default=SurveyStatus.draft.value)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped by every change, so a form opened before someone else's change is refused (stale).
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The random key of the form that created it: a double submit finds the same survey.
    form_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    account = relationship("OfficialAccount", lazy="joined")
    # Services set the next version themselves; SQLAlchemy adds "WHERE version = <old>" to each UPDATE.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}
    questions: Mapped[list[SurveyQuestion]] = relationship(
        back_populates="survey", cascade="all, delete-orphan", order_by="SurveyQuestion.position"
    )
    districts: Mapped[list[SurveyDistrict]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    age_bands: Mapped[list[SurveyAgeBand]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def district_ids(self) -> list[int]:
        return sorted(d.district_id for d in self.districts)

    @property
    def age_band_codes(self) -> list[str]:
        return [b.band for b in self.age_bands]


class SurveyDistrict(db.Model):
    __tablename__ = "survey_district"
    __table_args__ = (UniqueConstraint("survey_id", "district_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id", ondelete="CASCADE"))


class SurveyAgeBand(db.Model):
    __tablename__ = "survey_age_band"
    __table_args__ = (UniqueConstraint("survey_id", "band"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    band: Mapped[str] = mapped_column(String(10))


class SurveyQuestion(db.Model):
    __tablename__ = "survey_question"
    __table_args__ = (UniqueConstraint("survey_id", "form_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(String(500))
    help_text: Mapped[str] = mapped_column(String(500), default="")
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    # Labels for the ends of a 1-5 scale, e.g. 「不満」 and 「満足」.
    scale_low_label: Mapped[str] = mapped_column(String(40), default="")
    scale_high_label: Mapped[str] = mapped_column(String(40), default="")
    form_key: Mapped[str | None] = mapped_column(String(40))

    survey: Mapped[Survey] = relationship(back_populates="questions")
    choices: Mapped[list[SurveyChoice]] = relationship(
        back_populates="question", cascade="all, delete-orphan", order_by="SurveyChoice.position", lazy="selectin"
    )


class SurveyChoice(db.Model):
    __tablename__ = "survey_choice"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_question.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    label: Mapped[str] = mapped_column(String(200))

    question: Mapped[SurveyQuestion] = relationship(back_populates="choices")


class SurveyParticipation(db.Model):
    """That a member answered (for the one-answer rule); never which answers."""

    __tablename__ = "survey_participation"
    __table_args__ = (UniqueConstraint("survey_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SurveyResponse(db.Model):
    """One member's answers, unlinked: a random id, no member, no time; district and age band only."""

    __tablename__ = "survey_response"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_response_id)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id", ondelete="SET NULL"))
    age_band: Mapped[str] = mapped_column(String(10), default="")

    answers: Mapped[list[SurveyAnswer]] = relationship(cascade="all, delete-orphan")


class SurveyAnswer(db.Model):
    __tablename__ = "survey_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[str] = mapped_column(ForeignKey("survey_response.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_question.id", ondelete="CASCADE"), index=True)
    choice_id: Mapped[int | None] = mapped_column(ForeignKey("survey_choice.id", ondelete="CASCADE"))
    value: Mapped[int | None] = mapped_column(Integer)  # 1-5 for a scale
    text: Mapped[str | None] = mapped_column(Text)
