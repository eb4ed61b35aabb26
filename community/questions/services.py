"""Asking, answering (with the version check), correcting, closing, FAQ and page feedback.

Plain functions: they flush, never commit, and raise QuestionError with a translatable message.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError

from community import audit
from community.core.database import utcnow
from community.extensions import db
from community.official.models import OfficialAccount
from community.policy import (
    can_answer_question,
    can_ask_department,
    can_close_question,
    can_manage_faq,
    can_promote_question,
    in_question_queue,
    queue_accounts,
)
from community.questions.models import Answer, FaqEntry, PageFeedback, Question, QuestionStatus
from community.questions.text import plain

TITLE_MAX = 120
BODY_MAX = 4000
ANSWER_MAX = 8000
NOTE_MAX = 500
COMMENT_MAX = 500


class QuestionError(Exception):
    """A refusal the member or staff member can act on; the message is shown as it is."""

    def __init__(self, message):
        super().__init__(str(message))


class AlreadyAnswered(QuestionError):
    """Someone from the department answered (or corrected) since the form was opened."""


# --- asking ----------------------------------------------------------------------------------------

def ask(user, account: OfficialAccount | None, *, title: str, body: str, visibility: str) -> Question:
    if not can_ask_department(user, account):
        raise QuestionError(_l("Questions cannot be sent to this department."))
    title, body = plain(title, multiline=False), plain(body)
    if not title or not body:
        raise QuestionError(_l("Please write both a title and your question."))
    if len(title) > TITLE_MAX or len(body) > BODY_MAX:
        raise QuestionError(_l("The question is too long."))
    if visibility not in ("public", "private"):
        raise QuestionError(_l("Choose who can read the question."))
    # A double submit (the same text to the same department within a minute) asks only once.
    recent = db.session.scalar(
        select(Question).where(
            Question.asker_id == user.id, Question.account_id == account.id, Question.title == title,
            Question.body == body, Question.created_at > utcnow() - timedelta(minutes=1),
        ).limit(1)
    )
    if recent is not None:
        return recent
    question = Question(account_id=account.id, asker_id=user.id, title=title, body=body, visibility=visibility)
    db.session.add(question)
    db.session.flush()
    return question


# --- answering -------------------------------------------------------------------------------------

def answer(staff, question: Question, *, body: str, seen_answers: int, note: str = "") -> Answer:
    """The department's answer (seen_answers=0) or a correction of the current one (seen_answers=n).

    Only one answer per number can exist: the conditional UPDATE of answer_count lets exactly one of
    two concurrent submits through (PostgreSQL re-checks the row after the first commits; SQLite
    writes one at a time), and the unique (question, sequence) constraint backs it up.
    """
    if not can_answer_question(staff, question):
        if question is not None and question.status == QuestionStatus.closed.value:
            raise QuestionError(_l("This question is closed, so it cannot be answered."))
        raise QuestionError(_l("Only staff of %(department)s can answer as the department.",
                               department=question.account.name if question else ""))
    body, note = plain(body).strip(), plain(note).strip()
    if not body:
        raise QuestionError(_l("Please write the answer."))
    if len(body) > ANSWER_MAX:
        raise QuestionError(_l("The answer is too long."))
    if len(note) > NOTE_MAX:
        raise QuestionError(_l("The correction note is too long."))
    if seen_answers > 0 and not note:
        raise QuestionError(_l("Please say what is corrected, for the readers of the earlier answer."))
    if seen_answers != question.answer_count:
        raise AlreadyAnswered(_l("Someone from the department answered this question while you were writing. "
                                 "Please read the current answer; to change it, post a correction."))
    now = utcnow()
    result = db.session.execute(
        update(Question)
        .where(Question.id == question.id, Question.answer_count == seen_answers,
               Question.status != QuestionStatus.closed.value)
        .values(answer_count=seen_answers + 1, status=QuestionStatus.answered.value,
                answered_at=func.coalesce(Question.answered_at, now))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise AlreadyAnswered(_l("Someone from the department answered this question while you were writing. "
                                 "Please read the current answer; to change it, post a correction."))
    row = Answer(question_id=question.id, account_id=question.account_id, author_id=staff.id,
                 sequence=seen_answers + 1, body=body, correction_note=note if seen_answers else "")
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError as exc:
        raise AlreadyAnswered(_l("Someone from the department answered this question while you were writing. "
                                 "Please read the current answer; to change it, post a correction.")) from exc
    db.session.refresh(question)
    audit.record("question.correct" if seen_answers else "question.answer", actor=staff,
                 target_type="city_question", target_id=question.id, account=question.account.slug,
                 answer_id=row.id)
    from community.notifications.services import notify

    if question.asker is not None:
        notify(question.asker, "question_corrected" if seen_answers else "question_answered",
               target_type="city_question", target_id=question.id)
    return row


def close(user, question: Question, *, expected_status: str | None = None) -> None:
    if not can_close_question(user, question):
        if question is not None and question.status == QuestionStatus.closed.value:
            return  # a second click: already closed, nothing changes
        raise QuestionError(_l("You cannot close this question."))
    if expected_status and expected_status != question.status:
        raise QuestionError(_l("The question changed while you were looking at it. Please check it again."))
    question.status = QuestionStatus.closed.value
    question.closed_at = utcnow()
    db.session.flush()
    if user.id != question.asker_id:
        audit.record("question.close", actor=user, target_type="city_question", target_id=question.id,
                     account=question.account.slug)


# --- FAQ -------------------------------------------------------------------------------------------

def _check_faq(title: str, answer_text: str, category: str) -> tuple[str, str, str]:
    from community.questions.models import FaqCategory

    title, answer_text = plain(title, multiline=False), plain(answer_text)
    if not title or not answer_text:
        raise QuestionError(_l("Please write both the question and the answer."))
    if len(title) > TITLE_MAX or len(answer_text) > ANSWER_MAX:
        raise QuestionError(_l("The FAQ entry is too long."))
    if category not in {c.value for c in FaqCategory}:
        raise QuestionError(_l("Choose a category."))
    return title, answer_text, category


def promote(staff, question: Question, *, title: str, answer_text: str, category: str) -> FaqEntry:
    if question is not None and question.visibility != "public":
        raise QuestionError(_l("A private question cannot become a FAQ entry."))
    if not can_promote_question(staff, question):
        raise QuestionError(_l("Only an answered public question can become a FAQ entry, "
                               "by staff of its department."))
    existing = db.session.scalar(select(FaqEntry).where(FaqEntry.question_id == question.id))
    if existing is not None:
        return existing  # a double submit: the entry already exists
    title, answer_text, category = _check_faq(title, answer_text, category)
    entry = FaqEntry(account_id=question.account_id, question_id=question.id, title=title, answer=answer_text,
                     category=category, created_by_id=staff.id)
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError:
        return db.session.scalar(select(FaqEntry).where(FaqEntry.question_id == question.id))
    audit.record("faq.promote", actor=staff, target_type="faq_entry", target_id=entry.id,
                 account=question.account.slug, question_id=question.id)
    return entry


def write_faq(staff, account: OfficialAccount | None, *, title: str, answer_text: str, category: str) -> FaqEntry:
    if not can_manage_faq(staff, account):
        raise QuestionError(_l("Only staff of the department can write its FAQ entries."))
    title, answer_text, category = _check_faq(title, answer_text, category)
    entry = FaqEntry(account_id=account.id, title=title, answer=answer_text, category=category,
                     created_by_id=staff.id)
    db.session.add(entry)
    db.session.flush()
    audit.record("faq.create", actor=staff, target_type="faq_entry", target_id=entry.id, account=account.slug)
    return entry


def edit_faq(staff, entry: FaqEntry, *, title: str, answer_text: str, category: str,
             seen_updated_at: str = "") -> None:
    if not can_manage_faq(staff, entry.account):
        raise QuestionError(_l("Only staff of the department can write its FAQ entries."))
    if seen_updated_at and seen_updated_at != entry.updated_at.isoformat():
        raise QuestionError(_l("Someone else changed this FAQ entry while you were editing. "
                               "Please check the current text."))
    entry.title, entry.answer, entry.category = _check_faq(title, answer_text, category)
    entry.updated_at = utcnow()
    db.session.flush()
    audit.record("faq.edit", actor=staff, target_type="faq_entry", target_id=entry.id, account=entry.account.slug)


def withdraw_faq(staff, entry: FaqEntry) -> None:
    if not can_manage_faq(staff, entry.account):
        raise QuestionError(_l("Only staff of the department can write its FAQ entries."))
    if entry.withdrawn_at is not None:
        return
    entry.withdrawn_at = utcnow()
    db.session.flush()
    audit.record("faq.withdraw", actor=staff, target_type="faq_entry", target_id=entry.id,
                 account=entry.account.slug)


# --- staff queue -----------------------------------------------------------------------------------

@dataclass
class DepartmentQueue:
    account: OfficialAccount
    open_count: int
    questions: list[Question]


def staff_queue(viewer, *, per_department: int = 50) -> list[DepartmentQueue]:
    """Open (未回答) questions of the departments the viewer answers for, oldest first."""
    accounts = list(db.session.scalars(queue_accounts(viewer)))
    if not accounts:
        return []
    ids = [a.id for a in accounts]
    counts = dict(db.session.execute(
        select(Question.account_id, func.count()).where(
            Question.account_id.in_(ids), Question.status == QuestionStatus.open.value, in_question_queue()
        ).group_by(Question.account_id)
    ).all())
    out = []
    for account in accounts:
        questions = list(db.session.scalars(
            select(Question).where(Question.account_id == account.id, Question.status == QuestionStatus.open.value,
                                   in_question_queue())
            .order_by(Question.created_at, Question.id).limit(per_department)
        ))
        out.append(DepartmentQueue(account, counts.get(account.id, 0), questions))
    return out


# --- feedback --------------------------------------------------------------------------------------

FEEDBACK_KINDS = ("faq", "citypage")


def session_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def give_feedback(user, *, kind: str, target_id: int, helpful: bool, comment: str, token: str) -> bool:
    """Record one vote; returns False when this browser session already voted on the page."""
    if kind not in FEEDBACK_KINDS:
        raise QuestionError(_l("Feedback cannot be given on this page."))
    comment = plain(comment).strip()
    if len(comment) > COMMENT_MAX:
        raise QuestionError(_l("Please keep the comment within %(max)s characters.", max=COMMENT_MAX))
    key = session_key(token)
    exists = db.session.scalar(select(PageFeedback.id).where(
        PageFeedback.target_kind == kind, PageFeedback.target_id == target_id, PageFeedback.session_key == key))
    if exists is not None:
        return False
    row = PageFeedback(target_kind=kind, target_id=target_id, helpful=bool(helpful), comment=comment,
                       user_id=getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None,
                       session_key=key)
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return False
    return True


@dataclass
class FeedbackLine:
    kind: str
    target_id: int
    yes: int
    no: int
    last_at: datetime
    title: str = ""
    url: str = ""
    comments: list[PageFeedback] | None = None

    @property
    def total(self) -> int:
        return self.yes + self.no

    @property
    def helpful_ratio(self) -> float:
        return self.yes / self.total if self.total else 0.0


def feedback_report(*, sort: str = "least_helpful", limit: int = 100, comments_per_page: int = 3) -> list[FeedbackLine]:
    yes = func.sum(case((PageFeedback.helpful.is_(True), 1), else_=0))
    no = func.sum(case((PageFeedback.helpful.is_(False), 1), else_=0))
    rows = db.session.execute(
        select(PageFeedback.target_kind, PageFeedback.target_id, yes, no, func.max(PageFeedback.created_at))
        .group_by(PageFeedback.target_kind, PageFeedback.target_id)
    ).all()
    lines = [FeedbackLine(k, i, int(y or 0), int(n or 0), last) for k, i, y, n, last in rows]
    if sort == "most_votes":
        lines.sort(key=lambda line: (-line.total, line.kind, line.target_id))
    elif sort == "recent":
        lines.sort(key=lambda line: line.last_at, reverse=True)
    else:  # least helpful first: lowest share of "yes", then most "no"
        lines.sort(key=lambda line: (line.helpful_ratio, -line.no, line.kind, line.target_id))
    lines = lines[:limit]
    for line in lines:
        line.comments = list(db.session.scalars(
            select(PageFeedback).where(PageFeedback.target_kind == line.kind, PageFeedback.target_id == line.target_id,
                                       PageFeedback.comment != "")
            .order_by(PageFeedback.created_at.desc(), PageFeedback.id.desc()).limit(comments_per_page)
        ))
    return lines
