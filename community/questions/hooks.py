"""What questions plug into: notifications, withdrawal (退会) and "download my data"."""

from __future__ import annotations

from flask import Flask, url_for
from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from community.extensions import db
from community.questions.models import PageFeedback, Question


def _describe(kind: str):
    def describe(notifications):
        ids = {n.target_id for n in notifications}
        questions = {q.id: q for q in db.session.scalars(select(Question).where(Question.id.in_(ids)))}
        out = {}
        for n in notifications:
            question = questions.get(n.target_id)
            if question is None:
                continue
            if kind == "question_answered":
                text = _("%(department)s answered your question 「%(title)s」.", department=question.account.name,
                         title=question.title)
            else:
                text = _("%(department)s corrected its answer to your question 「%(title)s」.",
                         department=question.account.name, title=question.title)
            out[n.id] = (text, url_for("questions.show", question_id=question.id))
        return out

    return describe


def withdraw(user, keep: bool) -> None:
    """Private questions are personal: they always go. Public ones stay only when `keep` (they
    then show 「退会したメンバー」); a FAQ entry made from one stays either way (it is the city's text)."""
    private = select(Question.id).where(Question.asker_id == user.id, Question.visibility == "private")
    ids = list(db.session.scalars(private))
    if not keep:
        ids += list(db.session.scalars(select(Question.id).where(Question.asker_id == user.id,
                                                                  Question.visibility == "public")))
    if ids:
        from community.notifications.services import delete_for_targets
        from community.questions.models import Answer, FaqEntry

        delete_for_targets("city_question", ids)
        db.session.execute(update(FaqEntry).where(FaqEntry.question_id.in_(ids)).values(question_id=None))
        db.session.execute(delete(Answer).where(Answer.question_id.in_(ids)))
        db.session.execute(delete(Question).where(Question.id.in_(ids)))
    db.session.execute(update(PageFeedback).where(PageFeedback.user_id == user.id).values(user_id=None))
    db.session.flush()


def export(user):
    rows = []
    for q in db.session.scalars(select(Question).where(Question.asker_id == user.id).order_by(Question.created_at)):
        rows.append({
            "type": "city_question", "department": q.account.name, "title": q.title, "body": q.body,
            "visibility": q.visibility, "status": q.status, "created_at": q.created_at.isoformat(),
            "answers": [{"body": a.body, "correction_note": a.correction_note, "created_at": a.created_at.isoformat()}
                        for a in q.answers],
        })
    return _("Questions to the city"), rows


def register(app: Flask) -> None:
    from community.notifications import register_kind
    from community.policy import register_notification_target, visible_question_ids
    from community.social.hooks import register_export_section, register_withdraw_hook

    register_notification_target("city_question", visible_question_ids)
    register_kind(app, "question_answered", _describe("question_answered"))
    register_kind(app, "question_corrected", _describe("question_corrected"))
    register_withdraw_hook(app, withdraw)
    register_export_section(app, export)
