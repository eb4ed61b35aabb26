"""Questions to the city, FAQ and page feedback. Each request: load (404 when the viewer may not
know it exists), check with the policy, call a service, commit once, render or redirect."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from community.accounts.views import rate_limit_exempt
from community.core.database import utcnow
from community.core.once import already_sent
from community.core.urls import parse_id, safe_next
from community.extensions import db, limiter
from community.official.models import OfficialAccount
from community.policy import (
    Capability,
    askable_accounts,
    can_answer_question,
    can_ask_question,
    can_close_question,
    can_give_feedback,
    can_manage_faq,
    can_promote_question,
    can_view_faq_entry,
    can_view_feedback_report,
    can_view_question,
    can_view_question_queue,
    is_question_staff,
    official_accounts_for,
    visible_faq_entries,
    visible_questions,
    why_cannot,
)
from community.questions import services
from community.questions.forms import (
    CATEGORY_LABELS,
    STATUS_LABELS,
    VISIBILITY_SHORT,
    AnswerForm,
    AskForm,
    CloseForm,
    FaqForm,
    FeedbackForm,
    WithdrawFaqForm,
)
from community.questions.models import FaqEntry, PageFeedback, Question
from community.questions.services import QuestionError
from community.questions.text import excerpt, render_body

bp = Blueprint("questions", __name__, template_folder="templates", static_folder="static",
               static_url_path="/questions/static")

PER_PAGE = 30


@bp.app_context_processor
def question_helpers():
    return {
        "QUESTION_STATUS_LABELS": STATUS_LABELS,
        "QUESTION_VISIBILITY_SHORT": VISIBILITY_SHORT,
        "FAQ_CATEGORY_LABELS": CATEGORY_LABELS,
        "question_body": render_body,
        "question_excerpt": excerpt,
        "age_text": age_text,
        "feedback_state": feedback_state,
    }


def age_text(when: datetime | None, now: datetime | None = None) -> str:
    """「3日前」: how long a question has waited."""
    if when is None:
        return ""
    seconds = max(0, int(((now or utcnow()) - when).total_seconds()))
    if seconds < 60:
        return _("just now")
    if seconds < 3600:
        return _("%(n)s minutes ago", n=seconds // 60)
    if seconds < 86400:
        return _("%(n)s hours ago", n=seconds // 3600)
    return _("%(n)s days ago", n=seconds // 86400)


# -- loading ----------------------------------------------------------------------------------------


def _question(question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if not can_view_question(current_user, question):
        abort(404)
    return question


def _faq(entry_id: int) -> FaqEntry:
    entry = db.session.get(FaqEntry, entry_id)
    if not can_view_faq_entry(current_user, entry):
        abort(404)
    return entry


def _accounts() -> list[OfficialAccount]:
    return list(db.session.scalars(askable_accounts()))


# -- residents: list, ask, read ----------------------------------------------------------------------


@bp.get("/questions/")
def index():
    accounts = _accounts()
    slug = request.args.get("department", "")
    status = request.args.get("status", "")
    mine = request.args.get("mine") == "1" and current_user.is_authenticated
    stmt = visible_questions(select(Question), current_user).options(selectinload(Question.account))
    account = next((a for a in accounts if a.slug == slug), None)
    if account is not None:
        stmt = stmt.where(Question.account_id == account.id)
    if status in STATUS_LABELS:
        stmt = stmt.where(Question.status == status)
    if mine:
        stmt = stmt.where(Question.asker_id == current_user.id)
    elif not current_user.is_authenticated or not can_view_question_queue(current_user):
        # Residents see public questions and their own; staff find private ones in their queue.
        uid = current_user.id if current_user.is_authenticated else None
        stmt = stmt.where(or_(Question.visibility == "public", Question.asker_id == uid))
    page = request.args.get("page", 1, type=parse_id) or 1
    pagination = db.paginate(stmt.order_by(Question.created_at.desc(), Question.id.desc()),
                             page=max(1, min(page, 1000)), per_page=PER_PAGE, error_out=False)
    return render_template("questions/index.html", pagination=pagination, accounts=accounts, account=account,
                           status=status, mine=mine, ask_reason=why_cannot(current_user, Capability.write))


def _suggestions(text: str) -> list[FaqEntry] | None:
    """No-JS fallback of the suggestions: the same search, on the server."""
    search_faq = current_app.extensions.get("tsunagari.faq_search")
    if not text.strip() or search_faq is None:
        return None
    try:
        ids = search_faq(text, current_user, 5)
    except Exception:  # noqa: BLE001 - search being down must not stop anyone asking
        current_app.logger.warning("FAQ suggestions unavailable", exc_info=True)
        db.session.rollback()
        return None
    rows = {e.id: e for e in db.session.scalars(
        visible_faq_entries(select(FaqEntry).where(FaqEntry.id.in_(ids)), current_user))}
    return [rows[i] for i in ids if i in rows]


@bp.route("/questions/new", methods=["GET", "POST"])
@login_required
def ask():
    if not can_ask_question(current_user):
        return render_template("questions/cannot.html", reason=why_cannot(current_user, Capability.write)), 403
    accounts = _accounts()
    form = AskForm()
    form.account_id.choices = [(0, _("Choose a department"))] + [(a.id, a.name) for a in accounts]
    if request.method == "GET" and request.args.get("department"):
        chosen = next((a for a in accounts if a.slug == request.args["department"]), None)
        if chosen is not None:
            form.account_id.data = chosen.id
    suggestions = None
    if request.method == "POST" and "find_similar" in request.form:
        suggestions = _suggestions(form.title.data or "")
        return render_template("questions/ask.html", form=form, suggestions=suggestions or [], searched=True)
    if form.validate_on_submit():
        if (resent := already_sent()) is not None:  # also after the service's one-minute duplicate window
            return resent
        account = next((a for a in accounts if a.id == form.account_id.data), None)
        try:
            if account is None:
                raise QuestionError(_("Choose the department to ask."))
            question = services.ask(current_user, account, title=form.title.data, body=form.body.data,
                                    visibility=form.visibility.data)
        except QuestionError as error:
            db.session.rollback()
            target = form.account_id if account is None else form.body
            target.errors = list(target.errors) + [str(error)]
        else:
            db.session.commit()
            flash(_("Your question was sent to %(department)s.", department=question.account.name), "success")
            return redirect(url_for("questions.show", question_id=question.id))
    return render_template("questions/ask.html", form=form, suggestions=None, searched=False), (
        400 if form.errors else 200)


def _show(question: Question, answer_form: AnswerForm | None = None, status: int = 200):
    staff = is_question_staff(current_user, question)
    if answer_form is None and can_answer_question(current_user, question):
        answer_form = AnswerForm(formdata=None, seen_answers=question.answer_count)
    faq = db.session.scalar(select(FaqEntry).where(FaqEntry.question_id == question.id))
    return render_template(
        "questions/show.html", question=question, answer_form=answer_form, staff=staff,
        close_form=CloseForm(formdata=None, expected_status=question.status),
        can_close=can_close_question(current_user, question),
        can_promote=can_promote_question(current_user, question) and faq is None,
        faq=faq if faq is not None and can_view_faq_entry(current_user, faq) else None,
    ), status


@bp.get("/questions/<int:question_id>")
def show(question_id: int):
    return _show(_question(question_id))


@bp.post("/questions/<int:question_id>/answer")
@login_required
def answer(question_id: int):
    question = _question(question_id)
    form = AnswerForm()
    if not is_question_staff(current_user, question):
        abort(403)
    if form.validate_on_submit():
        if (resent := already_sent()) is not None:  # else "someone answered while you were writing"
            return resent
        try:
            row = services.answer(current_user, question, body=form.body.data, note=form.note.data or "",
                                  seen_answers=form.seen_answers.data)
        except QuestionError as error:
            db.session.rollback()
            question = _question(question_id)
            form.body.errors = list(form.body.errors) + [str(error)]
            # The form keeps the text; it now counts the answers that exist, so sending it again
            # (with a note) makes it a visible correction, never a second answer.
            form.seen_answers.data = question.answer_count
            form.seen_answers.raw_data = [str(question.answer_count)]
            return _show(question, form, 409 if isinstance(error, services.AlreadyAnswered) else 400)
        db.session.commit()
        flash(_("The correction was posted.") if row.is_correction else _("The answer was posted."), "success")
        return redirect(url_for("questions.show", question_id=question_id, _anchor=f"answer-{row.sequence}"))
    return _show(question, form, 400)


@bp.post("/questions/<int:question_id>/close")
@login_required
def close(question_id: int):
    question = _question(question_id)
    form = CloseForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.close(current_user, question, expected_status=form.expected_status.data or None)
    except QuestionError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("questions.show", question_id=question_id))
    db.session.commit()
    flash(_("The question was closed."), "success")
    return redirect(url_for("questions.show", question_id=question_id))


@bp.route("/questions/<int:question_id>/promote", methods=["GET", "POST"])
@login_required
def promote(question_id: int):
    question = _question(question_id)
    if question.visibility != "public" or not is_question_staff(current_user, question):
        reason = (_("A private question cannot become a FAQ entry.") if question.visibility != "public"
                  else _("Only staff of the department can write its FAQ entries."))
        return render_template("questions/cannot.html", reason=reason), 403
    existing = db.session.scalar(select(FaqEntry).where(FaqEntry.question_id == question.id))
    if existing is not None:
        flash(_("This question is already a FAQ entry."), "success")
        return redirect(url_for("questions.faq_entry", entry_id=existing.id))
    form = FaqForm()
    del form.account_id
    if request.method == "GET":
        form.title.data = question.title
        form.answer.data = question.official_answer.body if question.official_answer else ""
    if form.validate_on_submit():
        try:
            entry = services.promote(current_user, question, title=form.title.data, answer_text=form.answer.data,
                                     category=form.category.data)
        except QuestionError as error:
            db.session.rollback()
            form.title.errors = list(form.title.errors) + [str(error)]
        else:
            db.session.commit()
            flash(_("The FAQ entry was published."), "success")
            return redirect(url_for("questions.faq_entry", entry_id=entry.id))
    return render_template("questions/faq_form.html", form=form, question=question, entry=None), (
        400 if form.errors else 200)


# -- FAQ --------------------------------------------------------------------------------------------


@bp.get("/faq/")
def faq_index():
    accounts = _accounts()
    slug = request.args.get("department", "")
    category = request.args.get("category", "")
    text = request.args.get("q", "").strip()[:200]
    account = next((a for a in accounts if a.slug == slug), None)
    stmt = visible_faq_entries(select(FaqEntry), current_user).options(selectinload(FaqEntry.account))
    if account is not None:
        stmt = stmt.where(FaqEntry.account_id == account.id)
    if category in CATEGORY_LABELS:
        stmt = stmt.where(FaqEntry.category == category)
    unavailable = False
    if text:
        search_faq = current_app.extensions.get("tsunagari.faq_search")
        try:
            ids = search_faq(text, current_user, 100) if search_faq else None
        except Exception:  # noqa: BLE001 - searching by words is unavailable; say so, list the rest
            current_app.logger.warning("FAQ search unavailable", exc_info=True)
            db.session.rollback()
            ids, unavailable = [], True
        if ids is None:  # no search engine installed: a plain text match
            entries = list(db.session.scalars(stmt.where(or_(FaqEntry.title.contains(text, autoescape=True),
                                                              FaqEntry.answer.contains(text, autoescape=True)))))
        else:
            rows = {e.id: e for e in db.session.scalars(stmt.where(FaqEntry.id.in_(ids)))}
            entries = [rows[i] for i in ids if i in rows]
    else:
        entries = list(db.session.scalars(stmt.order_by(FaqEntry.account_id, FaqEntry.category, FaqEntry.id)))
    by_account: dict[int, list[FaqEntry]] = {}
    for entry in entries:
        by_account.setdefault(entry.account_id, []).append(entry)
    manageable = [a for a in db.session.scalars(official_accounts_for(current_user))] \
        if current_user.is_authenticated else []
    return render_template("questions/faq_index.html", entries=entries, by_account=by_account, accounts=accounts,
                           account=account, category=category, q=text, unavailable=unavailable,
                           manageable=manageable), (503 if unavailable else 200)


@bp.get("/faq/<int:entry_id>")
def faq_entry(entry_id: int):
    entry = _faq(entry_id)
    return render_template("questions/faq_entry.html", entry=entry,
                           can_manage=can_manage_faq(current_user, entry.account),
                           withdraw_form=WithdrawFaqForm(formdata=None))


@bp.route("/faq/new", methods=["GET", "POST"])
@login_required
def faq_new():
    accounts = list(db.session.scalars(official_accounts_for(current_user)))
    if not accounts:
        return render_template("questions/cannot.html",
                               reason=_("Only staff of the department can write its FAQ entries.")), 403
    form = FaqForm()
    form.account_id.choices = [(a.id, a.name) for a in accounts]
    if form.validate_on_submit():
        account = next((a for a in accounts if a.id == form.account_id.data), None)
        try:
            entry = services.write_faq(current_user, account, title=form.title.data, answer_text=form.answer.data,
                                       category=form.category.data)
        except QuestionError as error:
            db.session.rollback()
            form.title.errors = list(form.title.errors) + [str(error)]
        else:
            db.session.commit()
            flash(_("The FAQ entry was published."), "success")
            return redirect(url_for("questions.faq_entry", entry_id=entry.id))
    return render_template("questions/faq_form.html", form=form, question=None, entry=None), (
        400 if form.errors else 200)


@bp.route("/faq/<int:entry_id>/edit", methods=["GET", "POST"])
@login_required
def faq_edit(entry_id: int):
    entry = _faq(entry_id)
    if not can_manage_faq(current_user, entry.account):
        abort(403)
    form = FaqForm()
    del form.account_id
    if request.method == "GET":
        form.title.data, form.answer.data, form.category.data = entry.title, entry.answer, entry.category
        form.seen_updated_at.data = entry.updated_at.isoformat()
    if form.validate_on_submit():
        try:
            services.edit_faq(current_user, entry, title=form.title.data, answer_text=form.answer.data,
                              category=form.category.data, seen_updated_at=form.seen_updated_at.data or "")
        except QuestionError as error:
            db.session.rollback()
            entry = _faq(entry_id)
            form.title.errors = list(form.title.errors) + [str(error)]
        else:
            db.session.commit()
            flash(_("The FAQ entry was saved."), "success")
            return redirect(url_for("questions.faq_entry", entry_id=entry_id))
    return render_template("questions/faq_form.html", form=form, question=None, entry=entry), (
        400 if form.errors else 200)


@bp.post("/faq/<int:entry_id>/withdraw")
@login_required
def faq_withdraw(entry_id: int):
    entry = _faq(entry_id)
    if not can_manage_faq(current_user, entry.account):
        abort(403)
    if not WithdrawFaqForm().validate_on_submit():
        abort(400)
    services.withdraw_faq(current_user, entry)
    db.session.commit()
    flash(_("The FAQ entry was withdrawn."), "success")
    return redirect(url_for("questions.faq_index"))


# -- staff ------------------------------------------------------------------------------------------


@bp.get("/staff/questions")
@login_required
def queue():
    if not can_view_question_queue(current_user):
        abort(403)
    departments = services.staff_queue(current_user)
    return render_template("questions/queue.html", departments=departments, now=utcnow())


@bp.get("/staff/feedback")
@login_required
def feedback_report():
    if not can_view_feedback_report(current_user):
        abort(403)
    sort = request.args.get("sort", "least_helpful")
    if sort not in ("least_helpful", "most_votes", "recent"):
        sort = "least_helpful"
    lines = services.feedback_report(sort=sort)
    targets = current_app.extensions.get("tsunagari.feedback_targets", {})
    for line in lines:
        describe = targets.get(line.kind)
        shown = describe(line.target_id) if describe else None
        line.title, line.url = shown if shown else (_("(page no longer available)"), "")
    return render_template("questions/feedback_report.html", lines=lines, sort=sort)


# -- feedback (このページは役に立ちましたか) ------------------------------------------------------------


def _feedback_token(create: bool = False) -> str | None:
    token = session.get("feedback_token")
    if token is None and create:
        token = session["feedback_token"] = secrets.token_urlsafe(24)
    return token


def feedback_state(kind: str, target_id: int) -> dict:
    """For the widget: has this browser session already answered, and the form."""
    token = _feedback_token()
    voted = token is not None and db.session.scalar(select(PageFeedback.id).where(
        PageFeedback.target_kind == kind, PageFeedback.target_id == target_id,
        PageFeedback.session_key == services.session_key(token))) is not None
    return {"kind": kind, "id": target_id, "voted": voted, "form": FeedbackForm(formdata=None, next=request.path),
            "allowed": can_give_feedback(current_user)}


def _feedback_limit() -> str:
    return current_app.config.get("FEEDBACK_RATE_LIMIT", "20 per 10 minutes")


@bp.post("/feedback/<kind>/<int:target_id>")
@limiter.limit(_feedback_limit, exempt_when=rate_limit_exempt)
def feedback(kind: str, target_id: int):
    describe = current_app.extensions.get("tsunagari.feedback_targets", {}).get(kind)
    shown = describe(target_id) if describe else None
    if shown is None:
        abort(404)
    back = safe_next(request.form.get("next")) or shown[1]
    if not can_give_feedback(current_user):
        abort(403)
    form = FeedbackForm()
    if not form.validate_on_submit():
        return render_template("questions/feedback_error.html", form=form, title=shown[0], back=back,
                               kind=kind, target_id=target_id), 400
    try:
        services.give_feedback(current_user, kind=kind, target_id=target_id, helpful=form.helpful.data == "yes",
                               comment=form.comment.data or "", token=_feedback_token(create=True))
    except QuestionError as error:
        db.session.rollback()
        form.comment.errors = list(form.comment.errors) + [str(error)]
        return render_template("questions/feedback_error.html", form=form, title=shown[0], back=back,
                               kind=kind, target_id=target_id), 400
    db.session.commit()
    # The same thanks for a second click: the vote was counted once.
    flash(_("Thank you for your feedback."), "success")
    return redirect(back + "#page-feedback")


def _describe_faq(entry_id: int):
    entry = db.session.get(FaqEntry, entry_id)
    if not can_view_faq_entry(current_user, entry):
        return None
    return entry.title, url_for("questions.faq_entry", entry_id=entry_id)
