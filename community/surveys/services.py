"""Survey services: plain arguments in, flush (never commit), domain errors with Japanese messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from community import audit
from community.core.database import utcnow
from community.extensions import db
from community.policy import surveys as policy
from community.policy.surveys import PRIVACY_THRESHOLD, SurveyState, survey_state
from community.surveys.forms import REFUSAL_MESSAGES
from community.surveys.models import (
    QuestionKind,
    Survey,
    SurveyAgeBand,
    SurveyAnswer,
    SurveyChoice,
    SurveyDistrict,
    SurveyParticipation,
    SurveyQuestion,
    SurveyResponse,
    SurveyStatus,
)

MAX_TEXT_ANSWER = 2000
MAX_CHOICES = 20


class SurveyError(Exception):
    """A refusal with a message for the person; `status` is the HTTP status the view answers with."""

    status = 400

    def __init__(self, message, **values):
        # Kept lazy: translated when shown, so services also run outside a request (demo, CLI).
        super().__init__(message)
        self.message, self.values = message, values

    def __str__(self) -> str:
        text = str(self.message)
        return text % self.values if self.values else text


class SurveyLocked(SurveyError):
    status = 409


class StaleSurvey(SurveyError):
    status = 409


class AlreadyAnswered(SurveyError):
    status = 409


CLOSED_MESSAGE = _l("This survey has closed, so it can no longer be changed.")
OPEN_MESSAGE = _l("This survey has been published: its questions can no longer change.")
STALE_MESSAGE = _l("Someone else changed this survey while you were editing. Please check it and try again.")
ANSWERED_MESSAGE = _l("You have already answered. Thank you.")


@dataclass
class Settings:
    title: str
    description: str
    sample: bool
    district_ids: list[int]
    age_bands: list[str]
    include_minors: bool
    opens_at: datetime
    closes_at: datetime


def _check_version(survey: Survey, version: int | None) -> None:
    if version is not None and version != survey.version:
        raise StaleSurvey(STALE_MESSAGE)


def _touch(survey: Survey) -> None:
    survey.version = (survey.version or 1) + 1


def _flush() -> None:
    """The UPDATE says WHERE version = <the version read>; a change committed meanwhile by another
    request (between our read and our write) makes it match nothing, and the change is refused."""
    try:
        db.session.flush()
    except StaleDataError:
        raise StaleSurvey(STALE_MESSAGE) from None


def _check_settings(settings: Settings) -> None:
    if settings.closes_at <= settings.opens_at:
        raise SurveyError(_l("The closing date must be after the opening date."))
    if settings.sample and not settings.district_ids and not settings.age_bands:
        raise SurveyError(_l("For a sample, choose at least one district or age band."))
    unknown = set(settings.age_bands) - set(policy.AGE_BAND_CODES)
    if unknown:
        raise SurveyError(_l("Unknown age band."))


def _apply_settings(survey: Survey, settings: Settings) -> None:
    survey.title = settings.title.strip()
    survey.description = settings.description.strip()
    survey.sample = settings.sample
    survey.include_minors = settings.include_minors
    survey.opens_at = settings.opens_at
    survey.closes_at = settings.closes_at
    districts = sorted(set(settings.district_ids)) if settings.sample else []
    bands = [code for code in policy.AGE_BAND_CODES if code in settings.age_bands] if settings.sample else []
    if survey.district_ids != districts:
        survey.districts = [SurveyDistrict(district_id=d) for d in districts]
    if survey.age_band_codes != bands:
        survey.age_bands = [SurveyAgeBand(band=b) for b in bands]


def create_survey(actor, account, settings: Settings, form_key: str | None = None) -> tuple[Survey, bool]:
    """A new draft; returns (survey, created). A double submit of the same form finds the first one."""
    if not policy.can_create_survey(actor, account):
        raise SurveyError(_l("You may not publish surveys as this department."))
    if form_key:
        existing = db.session.scalar(select(Survey).where(Survey.form_key == form_key))
        if existing is not None:
            return existing, False
    _check_settings(settings)
    survey = Survey(official_account_id=account.id, created_by_id=actor.id, form_key=form_key or None, version=1)
    survey.account = account
    _apply_settings(survey, settings)
    db.session.add(survey)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # the same form submitted twice at once: the other request created it
        existing = db.session.scalar(select(Survey).where(Survey.form_key == form_key))
        if existing is None:
            raise
        return existing, False
    audit.record("survey.created", actor=actor, target_type="survey", target_id=survey.id,
                 account=account.name, title=survey.title)
    return survey, True


def update_settings(actor, survey: Survey, settings: Settings, version: int | None, now: datetime | None = None) -> None:
    """Everything may change in a draft; see `update_published` once it is published."""
    state = survey_state(survey, now)
    if state is SurveyState.closed:
        raise SurveyLocked(CLOSED_MESSAGE)
    if state is not SurveyState.draft:
        raise SurveyLocked(OPEN_MESSAGE)
    _check_version(survey, version)
    _check_settings(settings)
    _apply_settings(survey, settings)
    _touch(survey)
    _flush()
    audit.record("survey.updated", actor=actor, target_type="survey", target_id=survey.id, title=survey.title)


def update_published(actor, survey: Survey, *, description: str, closes_at: datetime, version: int | None,
                     now: datetime | None = None) -> None:
    """Once published only the description may be fixed and the closing date moved later."""
    now = now or utcnow()
    state = survey_state(survey, now)
    if state is SurveyState.closed:
        raise SurveyLocked(CLOSED_MESSAGE)
    if state is SurveyState.draft:
        raise SurveyError(_l("This survey is still a draft."))
    _check_version(survey, version)
    old_close = survey.closes_at
    if closes_at == old_close.replace(second=0, microsecond=0):
        closes_at = old_close  # the form shows minutes only: the same minute is no change
    if closes_at < old_close:
        raise SurveyError(_l("The closing date can only be extended, not brought forward. To end it now, use “Close now”."))
    if closes_at <= now:
        raise SurveyError(_l("The closing date must be in the future."))
    changed = {}
    if description.strip() != survey.description:
        survey.description = description.strip()
        changed["description"] = True
    if closes_at != old_close:
        survey.closes_at = closes_at
        changed["closes_at"] = [old_close.isoformat(), closes_at.isoformat()]
    if changed:
        _touch(survey)
        _flush()
        audit.record("survey.updated", actor=actor, target_type="survey", target_id=survey.id, **changed)


# --- questions ------------------------------------------------------------------------------------

def _editable_questions(survey: Survey, version: int | None, now: datetime | None) -> None:
    state = survey_state(survey, now)
    if state is SurveyState.closed:
        raise SurveyLocked(CLOSED_MESSAGE)
    if state is not SurveyState.draft:
        raise SurveyLocked(OPEN_MESSAGE)
    _check_version(survey, version)


def _clean_choices(kind: str, choices: list[str]) -> list[str]:
    labels = [c.strip() for c in choices if c.strip()]
    if kind in (QuestionKind.single, QuestionKind.multiple):
        if len(labels) < 2:
            raise SurveyError(_l("A choice question needs at least two choices, one per line."))
        if len(labels) > MAX_CHOICES:
            raise SurveyError(_l("A question can have at most %(n)d choices."), n=MAX_CHOICES)
        if len(set(labels)) != len(labels):
            raise SurveyError(_l("Two choices have the same text."))
        if any(len(label) > 200 for label in labels):
            raise SurveyError(_l("A choice can be at most 200 characters."))
        return labels
    return []


def add_question(actor, survey: Survey, *, kind: str, text: str, help_text: str = "", required: bool = True,
                 choices: list[str] = (), scale_low_label: str = "", scale_high_label: str = "",
                 version: int | None = None, form_key: str | None = None, now: datetime | None = None) -> SurveyQuestion:
    if form_key:
        existing = db.session.scalar(
            select(SurveyQuestion).where(SurveyQuestion.survey_id == survey.id, SurveyQuestion.form_key == form_key)
        )
        if existing is not None:  # a double submit: the question is already there
            return existing
    _editable_questions(survey, version, now)
    kind = QuestionKind(kind)
    labels = _clean_choices(kind, list(choices))
    position = (db.session.scalar(select(func.max(SurveyQuestion.position)).where(SurveyQuestion.survey_id == survey.id)) or 0) + 1
    question = SurveyQuestion(
        survey_id=survey.id, position=position, kind=kind.value, text=text.strip(), help_text=help_text.strip(),
        required=required, form_key=form_key or None,
        scale_low_label=scale_low_label.strip() if kind is QuestionKind.scale else "",
        scale_high_label=scale_high_label.strip() if kind is QuestionKind.scale else "",
        choices=[SurveyChoice(position=i, label=label) for i, label in enumerate(labels, start=1)],
    )
    db.session.add(question)
    _touch(survey)
    _flush()
    audit.record("survey.question_added", actor=actor, target_type="survey", target_id=survey.id,
                 question_id=question.id, kind=kind.value)
    return question


def update_question(actor, question: SurveyQuestion, *, text: str, help_text: str = "", required: bool = True,
                    choices: list[str] = (), scale_low_label: str = "", scale_high_label: str = "",
                    version: int | None = None, now: datetime | None = None) -> None:
    survey = question.survey
    _editable_questions(survey, version, now)
    kind = QuestionKind(question.kind)
    labels = _clean_choices(kind, list(choices))
    question.text = text.strip()
    question.help_text = help_text.strip()
    question.required = required
    if kind is QuestionKind.scale:
        question.scale_low_label, question.scale_high_label = scale_low_label.strip(), scale_high_label.strip()
    if labels and [c.label for c in question.choices] != labels:
        question.choices = [SurveyChoice(position=i, label=label) for i, label in enumerate(labels, start=1)]
    _touch(survey)
    _flush()
    audit.record("survey.question_changed", actor=actor, target_type="survey", target_id=survey.id, question_id=question.id)


def delete_question(actor, question: SurveyQuestion, version: int | None = None, now: datetime | None = None) -> None:
    survey = question.survey
    _editable_questions(survey, version, now)
    question_id = question.id
    survey.questions.remove(question)
    for position, q in enumerate(survey.questions, start=1):
        q.position = position
    _touch(survey)
    _flush()
    audit.record("survey.question_removed", actor=actor, target_type="survey", target_id=survey.id, question_id=question_id)


def move_question(actor, question: SurveyQuestion, direction: int, version: int | None = None,
                  now: datetime | None = None) -> None:
    survey = question.survey
    _editable_questions(survey, version, now)
    ordered = list(survey.questions)
    i = ordered.index(question)
    j = i + (1 if direction > 0 else -1)
    if 0 <= j < len(ordered):
        ordered[i], ordered[j] = ordered[j], ordered[i]
        for position, q in enumerate(ordered, start=1):
            q.position = position
        _touch(survey)
        _flush()


# --- publishing -----------------------------------------------------------------------------------

def audience_size(survey: Survey) -> int:
    return db.session.scalar(select(func.count()).select_from(policy.eligible_members(survey).subquery())) or 0


def publish(actor, survey: Survey, version: int | None = None, now: datetime | None = None) -> int:
    """Publish a draft (it opens at opens_at). Refused when the audience is below the privacy threshold."""
    now = now or utcnow()
    state = survey_state(survey, now)
    if state is SurveyState.closed:
        raise SurveyLocked(CLOSED_MESSAGE)
    if state is not SurveyState.draft:
        raise SurveyLocked(_l("This survey is already published."))
    _check_version(survey, version)
    if not survey.questions:
        raise SurveyError(_l("Add at least one question before publishing."))
    if survey.closes_at <= now:
        raise SurveyError(_l("The closing date has already passed. Please move it later before publishing."))
    size = audience_size(survey)
    if size < PRIVACY_THRESHOLD:
        raise SurveyError(
            _l("Only %(n)d members are in this audience. To protect their privacy a survey needs at least "
               "%(min)d; please widen the districts or age bands."),
            n=size, min=PRIVACY_THRESHOLD,
        )
    survey.status = SurveyStatus.published.value
    survey.published_at = now
    _touch(survey)
    _flush()
    audit.record("survey.published", actor=actor, target_type="survey", target_id=survey.id, audience=size,
                 include_minors=survey.include_minors, opens_at=survey.opens_at.isoformat(),
                 closes_at=survey.closes_at.isoformat())
    return size


def unpublish(actor, survey: Survey, version: int | None = None, now: datetime | None = None) -> None:
    """Back to a draft, only before it opens (nobody can have answered yet)."""
    state = survey_state(survey, now)
    if state is SurveyState.closed:
        raise SurveyLocked(CLOSED_MESSAGE)
    if state is not SurveyState.scheduled:
        raise SurveyLocked(_l("Only a survey that has not opened yet can go back to being a draft."))
    _check_version(survey, version)
    survey.status = SurveyStatus.draft.value
    survey.published_at = None
    _touch(survey)
    _flush()
    audit.record("survey.unpublished", actor=actor, target_type="survey", target_id=survey.id)


def close_now(actor, survey: Survey, version: int | None = None, now: datetime | None = None) -> None:
    now = now or utcnow()
    state = survey_state(survey, now)
    if state is SurveyState.closed:
        raise SurveyLocked(_l("This survey has already closed."))
    if state is not SurveyState.open:
        raise SurveyError(_l("Only an open survey can be closed."))
    _check_version(survey, version)
    survey.closes_at = now
    _touch(survey)
    _flush()
    audit.record("survey.closed", actor=actor, target_type="survey", target_id=survey.id)


def delete_draft(actor, survey: Survey, version: int | None = None, now: datetime | None = None) -> None:
    state = survey_state(survey, now)
    if state is not SurveyState.draft:
        raise SurveyLocked(_l("Only a draft can be deleted."))
    _check_version(survey, version)
    audit.record("survey.deleted", actor=actor, target_type="survey", target_id=survey.id, title=survey.title)
    db.session.delete(survey)
    _flush()


# --- answering ------------------------------------------------------------------------------------

def parse_answers(survey: Survey, formdata) -> tuple[dict[int, object], dict[int, str]]:
    """Read the answer form: {question_id: int | [int] | str} and {question_id: error message}."""
    answers: dict[int, object] = {}
    errors: dict[int, str] = {}
    for question in survey.questions:
        name = f"q{question.id}"
        kind = question.kind
        choice_ids = {c.id for c in question.choices}
        try:
            if kind == QuestionKind.multiple:
                values = [int(v) for v in formdata.getlist(name) if v]
                if any(v not in choice_ids for v in values):
                    raise ValueError
                if values:
                    answers[question.id] = sorted(set(values))
            elif kind == QuestionKind.single:
                raw = formdata.get(name, "")
                if raw:
                    value = int(raw)
                    if value not in choice_ids:
                        raise ValueError
                    answers[question.id] = value
            elif kind == QuestionKind.scale:
                raw = formdata.get(name, "")
                if raw:
                    value = int(raw)
                    if not 1 <= value <= 5:
                        raise ValueError
                    answers[question.id] = value
            else:
                text = (formdata.get(name, "") or "").replace("\r\n", "\n").strip()
                if len(text) > MAX_TEXT_ANSWER:
                    errors[question.id] = str(_l("Please keep this answer within %(n)d characters.", n=MAX_TEXT_ANSWER))
                    answers[question.id] = text
                    continue
                if text:
                    answers[question.id] = text
        except ValueError:
            errors[question.id] = str(_l("Please choose one of the options shown."))
            continue
        if question.required and question.id not in answers and question.id not in errors:
            errors[question.id] = str(
                _l("Please choose at least one.") if kind == QuestionKind.multiple
                else _l("Please write an answer.") if kind == QuestionKind.text
                else _l("Please choose one.")
            )
    return answers, errors


def submit_answers(user, survey: Survey, answers: dict[int, object], now: datetime | None = None) -> SurveyResponse:
    """Record one member's answers: the participation row (unique per member) and the unlinked response."""
    now = now or utcnow()
    refusal = policy.answer_refusal(user, survey, now)
    if refusal is policy.AnswerRefusal.answered:
        raise AlreadyAnswered(ANSWERED_MESSAGE)
    if refusal is policy.AnswerRefusal.not_open:
        raise SurveyLocked(REFUSAL_MESSAGES[refusal])
    if refusal is not None:
        raise SurveyError(REFUSAL_MESSAGES[refusal])
    try:
        with db.session.begin_nested():
            db.session.add(SurveyParticipation(survey_id=survey.id, user_id=user.id, answered_at=now))
            db.session.flush()
    except IntegrityError:  # a double submit that raced past the check above
        raise AlreadyAnswered(ANSWERED_MESSAGE) from None
    response = SurveyResponse(
        survey_id=survey.id,
        district_id=user.district_id,
        age_band=policy.age_band_of(user.birth_date),
    )
    kinds = {q.id: q.kind for q in survey.questions}
    for question_id, value in answers.items():
        kind = kinds.get(question_id)
        if kind == QuestionKind.multiple:
            response.answers += [SurveyAnswer(question_id=question_id, choice_id=c) for c in value]
        elif kind == QuestionKind.single:
            response.answers.append(SurveyAnswer(question_id=question_id, choice_id=value))
        elif kind == QuestionKind.scale:
            response.answers.append(SurveyAnswer(question_id=question_id, value=value))
        elif kind == QuestionKind.text:
            response.answers.append(SurveyAnswer(question_id=question_id, text=value))
    db.session.add(response)
    db.session.flush()
    return response


def response_count(survey: Survey) -> int:
    return db.session.scalar(select(func.count(SurveyResponse.id)).where(SurveyResponse.survey_id == survey.id)) or 0


def response_counts(survey_ids: list[int]) -> dict[int, int]:
    if not survey_ids:
        return {}
    rows = db.session.execute(
        select(SurveyResponse.survey_id, func.count(SurveyResponse.id))
        .where(SurveyResponse.survey_id.in_(survey_ids))
        .group_by(SurveyResponse.survey_id)
    )
    return dict(rows.all())


def answered_survey_ids(user, survey_ids: list[int]) -> set[int]:
    if not survey_ids or user is None or not getattr(user, "is_authenticated", False):
        return set()
    return set(
        db.session.scalars(
            select(SurveyParticipation.survey_id).where(
                SurveyParticipation.user_id == user.id, SurveyParticipation.survey_id.in_(survey_ids)
            )
        )
    )


def withdraw_member(user, keep: bool) -> None:
    """退会: participation rows go (answers were never linked to the member and stay as statistics)."""
    db.session.execute(delete(SurveyParticipation).where(SurveyParticipation.user_id == user.id))
