"""Survey pages. Each request: load (404 if the viewer may not know it), check the policy, act, commit once."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from community import audit
from community.accounts.models import District
from community.core.csvexport import csv_response
from community.core.database import utcnow
from community.core.i18n import TOKYO
from community.extensions import db
from community.official.models import OfficialAccount
from community.policy import Capability, can, why_cannot
from community.policy import surveys as policy
from community.surveys import results as survey_results
from community.surveys import services
from community.surveys.forms import (
    AGE_BAND_LABELS,
    KIND_LABELS,
    REFUSAL_MESSAGES,
    STATE_LABELS,
    ActionForm,
    AnswerForm,
    PublishedSurveyForm,
    QuestionForm,
    SurveyForm,
    new_form_key,
    version_of,
)
from community.surveys.models import Survey, SurveyQuestion
from community.surveys.services import SurveyError

bp = Blueprint(
    "surveys", __name__, url_prefix="/surveys", template_folder="templates",
    static_folder="static", static_url_path="/static",
)


@bp.app_context_processor
def survey_labels():
    return {"SURVEY_KIND_LABELS": KIND_LABELS, "SURVEY_STATE_LABELS": STATE_LABELS,
            "AGE_BAND_LABELS": AGE_BAND_LABELS, "PRIVACY_THRESHOLD": policy.PRIVACY_THRESHOLD}


def _local(value: datetime) -> datetime:
    """A naive Japan time typed into a form, as an aware datetime."""
    return value.replace(tzinfo=TOKYO)


def _naive_local(value: datetime) -> datetime:
    return value.astimezone(TOKYO).replace(tzinfo=None)


def _districts() -> list[District]:
    return list(db.session.scalars(select(District).order_by(District.sort_order, District.id)))


def _audience_text(survey: Survey) -> str:
    parts = []
    if survey.sample and survey.district_ids:
        names = [d.name for d in _districts() if d.id in survey.district_ids]
        parts.append("・".join(names))
    if survey.sample and survey.age_band_codes:
        parts.append("・".join(str(AGE_BAND_LABELS[b]) for b in survey.age_band_codes))
    text = _("Members in %(who)s", who=" / ".join(parts)) if parts else _("All verified members")
    if survey.include_minors:
        text += _(" (junior-high-school age and younger included)")
    return text


# -- members -----------------------------------------------------------------------------------------


def _member_survey(survey_id: int) -> Survey:
    survey = db.session.get(Survey, survey_id)
    if survey is None or survey.status != "published":
        abort(404)
    return survey


@bp.get("/")
@login_required
def index():
    if not can(current_user, Capability.read_members):
        return render_template("surveys/cannot.html", message=why_cannot(current_user, Capability.read_members)), 403
    surveys = list(db.session.scalars(policy.visible_surveys(select(Survey), current_user).order_by(Survey.closes_at)))
    answered = services.answered_survey_ids(current_user, [s.id for s in surveys])
    return render_template("surveys/index.html", surveys=surveys, answered=answered, audience_text=_audience_text)


def _answer_page(survey: Survey, form: AnswerForm, *, given=None, errors=None, status: int = 200):
    return render_template(
        "surveys/answer.html", survey=survey, form=form, given=given or {}, errors=errors or {},
        audience_text=_audience_text(survey), state=policy.survey_state(survey),
    ), status


@bp.route("/<int:survey_id>", methods=["GET", "POST"])
@login_required
def answer(survey_id: int):
    survey = _member_survey(survey_id)
    refusal = policy.answer_refusal(current_user, survey)
    if refusal is policy.AnswerRefusal.answered:
        return render_template("surveys/answered.html", survey=survey), (409 if request.method == "POST" else 200)
    if refusal is not None:
        status = 409 if refusal is policy.AnswerRefusal.not_open else 403
        message = REFUSAL_MESSAGES[refusal]
        if refusal is policy.AnswerRefusal.account:
            message = why_cannot(current_user, Capability.read_members) or message
        return render_template("surveys/cannot.html", survey=survey, message=message,
                               state=policy.survey_state(survey)), status
    form = AnswerForm()
    if request.method == "GET":
        return _answer_page(survey, form)
    if not form.validate_on_submit():
        return _answer_page(survey, form, given=_given(survey), status=400)
    answers, errors = services.parse_answers(survey, request.form)
    if errors:
        return _answer_page(survey, form, given=_given(survey), errors=errors, status=400)
    try:
        services.submit_answers(current_user, survey, answers)
    except services.AlreadyAnswered:
        db.session.rollback()
        return render_template("surveys/answered.html", survey=survey), 409
    except SurveyError as error:
        db.session.rollback()
        return render_template("surveys/cannot.html", survey=survey, message=str(error),
                               state=policy.survey_state(survey)), error.status
    db.session.commit()
    flash(_("Thank you for answering. Your answers are recorded without your name."), "success")
    return redirect(url_for("surveys.answer", survey_id=survey.id))


def _given(survey: Survey) -> dict[int, list[str]]:
    """What the member sent, to put back into the form."""
    return {q.id: request.form.getlist(f"q{q.id}") for q in survey.questions}


# -- staff -------------------------------------------------------------------------------------------


def _staff_required() -> None:
    if not policy.can_create_survey(current_user):
        abort(403)


def _managed_survey(survey_id: int) -> Survey:
    survey = db.session.get(Survey, survey_id)
    if not policy.can_know_survey(current_user, survey):
        abort(404)
    if not policy.can_manage_survey(current_user, survey):
        abort(403)
    return survey


def _managed_question(survey: Survey, question_id: int) -> SurveyQuestion:
    question = db.session.get(SurveyQuestion, question_id)
    if question is None or question.survey_id != survey.id:
        abort(404)
    return question


@bp.get("/manage/")
@login_required
def manage():
    _staff_required()
    surveys = list(
        db.session.scalars(policy.managed_surveys(select(Survey), current_user).order_by(Survey.created_at.desc()))
    )
    counts = services.response_counts([s.id for s in surveys])
    accounts = list(db.session.scalars(policy.survey_accounts_for(current_user)))
    return render_template("surveys/manage.html", surveys=surveys, counts=counts, accounts=accounts,
                           state_of=policy.survey_state)


def _settings(form: SurveyForm) -> services.Settings:
    sample = form.audience.data == "sample"
    return services.Settings(
        title=form.title.data or "", description=form.description.data or "", sample=sample,
        district_ids=list(form.districts.data or []) if sample else [],
        age_bands=list(form.age_bands.data or []) if sample else [],
        include_minors=bool(form.include_minors.data),
        opens_at=_local(form.opens_at.data), closes_at=_local(form.closes_at.data),
    )


def _survey_form(accounts, obj: Survey | None = None) -> SurveyForm:
    form = SurveyForm()
    form.account_id.choices = [(a.id, a.name) for a in accounts]
    form.districts.choices = [(d.id, d.name) for d in _districts()]
    if request.method == "GET":
        form.form_key.data = new_form_key()
        if obj is not None:
            form.account_id.data = obj.official_account_id
            form.title.data = obj.title
            form.description.data = obj.description
            form.audience.data = "sample" if obj.sample else "all"
            form.districts.data = obj.district_ids
            form.age_bands.data = obj.age_band_codes
            form.include_minors.data = obj.include_minors
            form.opens_at.data = _naive_local(obj.opens_at)
            form.closes_at.data = _naive_local(obj.closes_at)
            form.version.data = obj.version
    return form


@bp.route("/manage/new", methods=["GET", "POST"])
@login_required
def new():
    _staff_required()
    accounts = list(db.session.scalars(policy.survey_accounts_for(current_user)))
    if not accounts:
        return render_template("surveys/cannot.html",
                               message=_("You are not a member of any department account. Ask an administrator.")), 403
    form = _survey_form(accounts)
    if form.validate_on_submit():
        account = db.session.get(OfficialAccount, form.account_id.data)
        try:
            survey, created = services.create_survey(current_user, account, _settings(form), form.form_key.data)
        except SurveyError as error:
            db.session.rollback()
            form.title.errors = [*form.title.errors, str(error)]
            return render_template("surveys/edit.html", form=form, survey=None), error.status
        db.session.commit()
        if created:
            flash(_("The draft survey was saved. Add its questions next."), "success")
        return redirect(url_for("surveys.detail", survey_id=survey.id))
    return render_template("surveys/edit.html", form=form, survey=None), (400 if form.errors else 200)


@bp.get("/manage/<int:survey_id>")
@login_required
def detail(survey_id: int):
    return _detail_page(_managed_survey(survey_id))


def _detail_page(survey: Survey, error: str | None = None, status: int = 200):
    state = policy.survey_state(survey)
    return render_template(
        "surveys/detail.html", survey=survey, state=state, error=error,
        audience_text=_audience_text(survey), responses=services.response_count(survey),
        audience=services.audience_size(survey) if state is policy.SurveyState.draft else None,
        action_form=ActionForm(formdata=None),
    ), status


@bp.get("/manage/<int:survey_id>/preview")
@login_required
def preview(survey_id: int):
    """The answer page as members will see it, without a send button (drafts included)."""
    survey = _managed_survey(survey_id)
    return render_template(
        "surveys/answer.html", survey=survey, form=AnswerForm(formdata=None), given={}, errors={},
        audience_text=_audience_text(survey), state=policy.survey_state(survey), preview=True,
    )


@bp.route("/manage/<int:survey_id>/edit", methods=["GET", "POST"])
@login_required
def edit(survey_id: int):
    survey = _managed_survey(survey_id)
    state = policy.survey_state(survey)
    if state is policy.SurveyState.closed:
        return _detail_page(survey, str(services.CLOSED_MESSAGE), 409)
    if state is not policy.SurveyState.draft:
        return _edit_published(survey)
    form = _survey_form([survey.account], survey)
    if form.validate_on_submit():
        try:
            services.update_settings(current_user, survey, _settings(form), version_of(form))
        except SurveyError as error:
            db.session.rollback()
            form.title.errors = [*form.title.errors, str(error)]
            return render_template("surveys/edit.html", form=form, survey=survey), error.status
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("surveys.detail", survey_id=survey.id))
    return render_template("surveys/edit.html", form=form, survey=survey), (400 if form.errors else 200)


def _edit_published(survey: Survey):
    form = PublishedSurveyForm()
    if request.method == "GET":
        form.description.data = survey.description
        form.closes_at.data = _naive_local(survey.closes_at)
        form.version.data = survey.version
    if form.validate_on_submit():
        try:
            services.update_published(current_user, survey, description=form.description.data or "",
                                      closes_at=_local(form.closes_at.data), version=version_of(form))
        except SurveyError as error:
            db.session.rollback()
            form.closes_at.errors = [*form.closes_at.errors, str(error)]
            return render_template("surveys/edit_published.html", form=form, survey=survey), error.status
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("surveys.detail", survey_id=survey.id))
    return render_template("surveys/edit_published.html", form=form, survey=survey), (400 if form.errors else 200)


def _question_form(survey: Survey, question: SurveyQuestion | None = None) -> QuestionForm:
    form = QuestionForm()
    if request.method == "GET":
        form.version.data = survey.version
        form.form_key.data = new_form_key()
        if question is not None:
            form.kind.data = question.kind
            form.text.data = question.text
            form.help_text.data = question.help_text
            form.required.data = question.required
            form.choices.data = "\n".join(c.label for c in question.choices)
            form.scale_low_label.data = question.scale_low_label
            form.scale_high_label.data = question.scale_high_label
    return form


def _locked_questions(survey: Survey):
    state = policy.survey_state(survey)
    if state is policy.SurveyState.closed:
        return _detail_page(survey, str(services.CLOSED_MESSAGE), 409)
    if state is not policy.SurveyState.draft:
        return _detail_page(survey, str(services.OPEN_MESSAGE), 409)
    return None


@bp.route("/manage/<int:survey_id>/questions/new", methods=["GET", "POST"])
@login_required
def question_new(survey_id: int):
    survey = _managed_survey(survey_id)
    locked = _locked_questions(survey)
    if locked:
        return locked
    form = _question_form(survey)
    if form.validate_on_submit():
        try:
            services.add_question(
                current_user, survey, kind=form.kind.data, text=form.text.data, help_text=form.help_text.data or "",
                required=form.required.data, choices=form.choice_list(), scale_low_label=form.scale_low_label.data or "",
                scale_high_label=form.scale_high_label.data or "", version=version_of(form), form_key=form.form_key.data,
            )
        except SurveyError as error:
            db.session.rollback()
            form.choices.errors = [*form.choices.errors, str(error)]
            return render_template("surveys/question.html", form=form, survey=survey, question=None), error.status
        db.session.commit()
        flash(_("The question was added."), "success")
        return redirect(url_for("surveys.detail", survey_id=survey.id))
    return render_template("surveys/question.html", form=form, survey=survey, question=None), (400 if form.errors else 200)


@bp.route("/manage/<int:survey_id>/questions/<int:question_id>/edit", methods=["GET", "POST"])
@login_required
def question_edit(survey_id: int, question_id: int):
    survey = _managed_survey(survey_id)
    question = _managed_question(survey, question_id)
    locked = _locked_questions(survey)
    if locked:
        return locked
    form = _question_form(survey, question)
    form.kind.data = question.kind  # the kind of an existing question does not change
    if form.validate_on_submit():
        try:
            services.update_question(
                current_user, question, text=form.text.data, help_text=form.help_text.data or "",
                required=form.required.data, choices=form.choice_list(), scale_low_label=form.scale_low_label.data or "",
                scale_high_label=form.scale_high_label.data or "", version=version_of(form),
            )
        except SurveyError as error:
            db.session.rollback()
            form.choices.errors = [*form.choices.errors, str(error)]
            return render_template("surveys/question.html", form=form, survey=survey, question=question), error.status
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("surveys.detail", survey_id=survey.id))
    return render_template("surveys/question.html", form=form, survey=survey, question=question), (400 if form.errors else 200)


def _action(survey: Survey, act, done_message: str | None, redirect_to: str | None = None):
    form = ActionForm()
    if not form.validate_on_submit():
        return _detail_page(survey, _("The form expired. Please send it again."), 400)
    try:
        act(version_of(form), form)
    except SurveyError as error:
        db.session.rollback()
        db.session.refresh(survey)
        return _detail_page(survey, str(error), error.status)
    db.session.commit()
    if done_message:
        flash(done_message, "success")
    return redirect(redirect_to or url_for("surveys.detail", survey_id=survey.id))


@bp.post("/manage/<int:survey_id>/questions/<int:question_id>/delete")
@login_required
def question_delete(survey_id: int, question_id: int):
    survey = _managed_survey(survey_id)
    question = _managed_question(survey, question_id)
    return _action(survey, lambda v, f: services.delete_question(current_user, question, v), _("The question was removed."))


@bp.post("/manage/<int:survey_id>/questions/<int:question_id>/move")
@login_required
def question_move(survey_id: int, question_id: int):
    survey = _managed_survey(survey_id)
    question = _managed_question(survey, question_id)
    return _action(survey, lambda v, f: services.move_question(current_user, question, f.direction.data or 1, v), None)


@bp.post("/manage/<int:survey_id>/publish")
@login_required
def publish(survey_id: int):
    survey = _managed_survey(survey_id)
    return _action(survey, lambda v, f: services.publish(current_user, survey, v), _("The survey was published."))


@bp.post("/manage/<int:survey_id>/unpublish")
@login_required
def unpublish(survey_id: int):
    survey = _managed_survey(survey_id)
    return _action(survey, lambda v, f: services.unpublish(current_user, survey, v), _("The survey is a draft again."))


@bp.post("/manage/<int:survey_id>/close")
@login_required
def close(survey_id: int):
    survey = _managed_survey(survey_id)
    return _action(survey, lambda v, f: services.close_now(current_user, survey, v), _("The survey was closed."))


@bp.post("/manage/<int:survey_id>/delete")
@login_required
def delete(survey_id: int):
    survey = _managed_survey(survey_id)
    return _action(survey, lambda v, f: services.delete_draft(current_user, survey, v), _("The draft was deleted."),
                   url_for("surveys.manage"))


@bp.get("/manage/<int:survey_id>/results")
@login_required
def results(survey_id: int):
    survey = _managed_survey(survey_id)
    if survey.status != "published":
        return _detail_page(survey, _("A draft has no results."), 409)
    data = survey_results.compute(survey, breakdowns=policy.survey_state(survey) is policy.SurveyState.closed)
    return render_template("surveys/results.html", survey=survey, results=data, state=policy.survey_state(survey),
                           audience_text=_audience_text(survey))


@bp.get("/manage/<int:survey_id>/results.csv")
@login_required
def results_csv(survey_id: int):
    survey = _managed_survey(survey_id)
    if survey.status != "published":
        return _detail_page(survey, _("A draft has no results."), 409)
    data = survey_results.compute(survey, breakdowns=policy.survey_state(survey) is policy.SurveyState.closed)
    if not policy.can_view_survey_results(current_user, survey, data.responses):
        return render_template("surveys/results.html", survey=survey, results=data,
                               state=policy.survey_state(survey), audience_text=_audience_text(survey)), 409
    audit.record("survey.results_exported", actor=current_user, target_type="survey", target_id=survey.id,
                 responses=data.responses)
    db.session.commit()
    stamp = utcnow().astimezone(TOKYO).strftime("%Y%m%d")
    return csv_response(survey_results.csv_rows(data), f"survey-{survey.id}-results-{stamp}.csv")
