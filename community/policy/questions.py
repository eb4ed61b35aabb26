"""Questions to the city (市への質問), FAQ entries (よくある質問) and page feedback.

A public question and its answers are for everyone; a private one for the asker and the staff who
may act as the department it was asked of (admins see every department's queue). Only public,
answered, visible questions become FAQ entries, so a private question can never be promoted or
found. FAQ entries are public until withdrawn.
"""

from __future__ import annotations

from sqlalchemy import Select, and_, false, or_, select
from sqlalchemy.sql import ColumnElement

from community.policy.accounts import Capability, TextField, can, can_publish_text
from community.policy.moderation import ModerationState, state_is_visible, visible_state


def _models():
    from community.questions.models import FaqEntry, Question

    return Question, FaqEntry


def _uid(viewer) -> int | None:
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return None
    if getattr(viewer, "status", None) == "withdrawn":
        return None
    return viewer.id


def _is_admin(viewer) -> bool:
    return can(viewer, Capability.configure_site)


def acting_account_ids(viewer) -> Select:
    """SQL: ids of the active department accounts the viewer may act as."""
    from community.policy.official import official_accounts_for

    return official_accounts_for(viewer).with_only_columns(_official_account().id).order_by(None)


def _official_account():
    from community.official.models import OfficialAccount

    return OfficialAccount


# --- asking ----------------------------------------------------------------------------------------

def can_ask_question(viewer) -> bool:
    """Verified members who may write (minors read only): a question is text others read."""
    return can_publish_text(viewer, TextField.question)


def askable_accounts() -> Select:
    """SQL: the departments a question can be addressed to (active accounts)."""
    account = _official_account()
    return select(account).where(account.deactivated_at.is_(None)).order_by(account.name)


def can_ask_department(viewer, account) -> bool:
    return can_ask_question(viewer) and account is not None and account.is_active


# --- reading ---------------------------------------------------------------------------------------

def _question_clause(viewer) -> ColumnElement[bool]:
    """Public and not hidden by moderation: everyone. A question hidden by staff (通報) stays,
    marked, for its asker, its department and admins; a removed one is for nobody here (staff
    handle it through its moderation case)."""
    question, _ = _models()
    public = (question.visibility == "public") & visible_state(question.moderation_state)
    uid = _uid(viewer)
    if uid is None:
        return public
    not_removed = question.moderation_state != ModerationState.removed.value
    if _is_admin(viewer):
        return not_removed
    return or_(public, and_(not_removed, or_(question.asker_id == uid,
                                             question.account_id.in_(acting_account_ids(viewer)))))


def visible_questions(stmt: Select, viewer) -> Select:
    return stmt.where(_question_clause(viewer))


def visible_question_ids(viewer) -> Select:
    question, _ = _models()
    return visible_questions(select(question.id), viewer)


def is_question_staff(viewer, question) -> bool:
    """Staff who may act as the question's department."""
    from community.policy.official import can_act_as_official

    return question is not None and can_act_as_official(viewer, question.account)


def can_view_question(viewer, question) -> bool:
    if question is None:
        return False
    uid = _uid(viewer)
    if (uid is not None and question.moderation_state != ModerationState.removed.value
            and (question.asker_id == uid or _is_admin(viewer) or is_question_staff(viewer, question))):
        return True
    return question.visibility == "public" and state_is_visible(question.moderation_state)


def in_question_queue() -> ColumnElement[bool]:
    """SQL: questions the department is asked to answer; not those hidden or removed by moderation."""
    question, _ = _models()
    return visible_state(question.moderation_state)


# --- answering, closing, promoting ------------------------------------------------------------------

def can_answer_question(viewer, question) -> bool:
    """Staff of the department, as the department, while the question is not closed."""
    return (
        question is not None
        and question.status != "closed"
        and is_question_staff(viewer, question)
    )


def can_close_question(viewer, question) -> bool:
    if question is None or question.status == "closed":
        return False
    if is_question_staff(viewer, question):
        return True
    uid = _uid(viewer)
    return uid is not None and question.asker_id == uid and can(viewer, Capability.write)


def can_promote_question(viewer, question) -> bool:
    """Only a public, visible question with an answer, by its department's staff."""
    return (
        question is not None
        and question.visibility == "public"
        and state_is_visible(question.moderation_state)
        and question.answer_count > 0
        and is_question_staff(viewer, question)
    )


# --- staff queue -----------------------------------------------------------------------------------

def can_view_question_queue(viewer) -> bool:
    return can(viewer, Capability.publish_official)


def queue_accounts(viewer) -> Select:
    """SQL: the departments whose open questions the viewer sees (admins: all active ones)."""
    if not can_view_question_queue(viewer):
        account = _official_account()
        return select(account).where(false())
    if _is_admin(viewer):
        return askable_accounts()
    from community.policy.official import official_accounts_for

    return official_accounts_for(viewer)


# --- FAQ -------------------------------------------------------------------------------------------

def _hidden_question_ids() -> Select:
    question, _ = _models()
    return select(question.id).where(~visible_state(question.moderation_state))


def visible_faq_entries(stmt: Select, viewer) -> Select:
    """Not withdrawn, and not promoted from a question staff hid after a report (通報): the entry
    usually repeats the question, so it leaves lists, search and suggestions with it."""
    _, faq = _models()
    return stmt.where(faq.withdrawn_at.is_(None),
                      or_(faq.question_id.is_(None), faq.question_id.not_in(_hidden_question_ids())))


def can_view_faq_entry(viewer, entry) -> bool:
    if entry is None:
        return False
    if can_manage_faq(viewer, entry.account):
        return True
    source_hidden = entry.question is not None and not state_is_visible(entry.question.moderation_state)
    return entry.withdrawn_at is None and not source_hidden


def can_manage_faq(viewer, account) -> bool:
    """Write, edit or withdraw the department's FAQ entries."""
    from community.policy.official import can_act_as_official

    return can_act_as_official(viewer, account)


# --- feedback (このページは役に立ちましたか) ----------------------------------------------------------

def can_give_feedback(viewer) -> bool:
    """Anyone, signed in or not (one vote per browser session per page); not suspended members."""
    return not getattr(viewer, "is_suspended", False)


def can_view_feedback_report(viewer) -> bool:
    return can(viewer, Capability.publish_official) or _is_admin(viewer)
