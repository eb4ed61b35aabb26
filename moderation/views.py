"""Routes: reporting, 自分の通報, the supporters' patrol, the staff queue, actions, appeals, audit, stats.

Each view loads (404), checks the policy (403), calls one service, commits once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import aliased, joinedload

from community import audit
from community.accounts.models import District, User
from community.audit import AuditLog
from community.core.csvexport import csv_response
from community.core.once import already_sent
from community.core.urls import safe_next
from community.extensions import db
from community.policy import (
    can_appeal,
    can_decide_appeal,
    can_moderate,
    can_patrol,
    can_report,
    may_see_own_notices,
    private_view_needs_logging,
)
from community.policy.accounts import TOKYO
from moderation import services, stats
from moderation.forms import (
    ActionForm,
    AppealForm,
    AuditFilterForm,
    DecisionForm,
    QueueFilterForm,
    ReportForm,
    choices,
)
from moderation.models import Appeal, ModerationAction, ModerationCase, Report
from moderation.reasons import (
    ACTION_LABELS,
    APPEAL_DAYS,
    AUTHOR_SENTENCES,
    OUTCOME_SENTENCES,
    REPORT_REASON_LABELS,
    REPORT_STATUS_LABELS,
    VISIBILITY_LABELS,
    rules,
)
from moderation.registry import get_kind, kind_label

bp = Blueprint(
    "moderation", __name__, template_folder="templates", static_folder="static", static_url_path="/moderation/static"
)


@bp.app_context_processor
def moderation_labels():
    return {
        "report_reason_labels": REPORT_REASON_LABELS,
        "report_status_labels": REPORT_STATUS_LABELS,
        "action_labels": ACTION_LABELS,
        "outcome_sentences": OUTCOME_SENTENCES,
        "kind_label": kind_label,
        "visibility_labels": VISIBILITY_LABELS,
    }


def _require(allowed: bool) -> None:
    if not allowed:
        abort(403)


def _refused(error: services.ModerationError, title: str):
    return render_template("moderation/refused.html", title=title, message=error.message), error.status


# --- reporting -----------------------------------------------------------------------------------


@bp.route("/report/<kind>/<int:target_id>", methods=["GET", "POST"])
@login_required
def report(kind: str, target_id: int):
    _require(can_report(current_user))
    try:
        content_kind, item = services.load_reportable(current_user, kind, target_id)
    except services.ItemNotFound:
        abort(404)
    except services.ModerationError as error:
        return _refused(error, _("This item cannot be reported"))
    form = ReportForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    if form.validate_on_submit():
        if (resent := already_sent()) is not None:  # else "your report was updated"
            return resent
        try:
            report_row = services.submit_report(current_user, kind, target_id, form.reason.data, form.note.data)
        except services.ItemNotFound:
            abort(404)
        except services.ModerationError as error:
            form.note.errors.append(str(error.message))
        else:
            updated = report_row.created_at != report_row.updated_at
            db.session.commit()
            flash(
                _("Your report was updated. Thank you.") if updated
                else _("Thank you. Your report was sent to the city's staff."),
                "success",
            )
            return redirect(safe_next(form.next.data) or url_for("moderation.mine"))
    return render_template(
        "moderation/report.html", form=form, kind=content_kind, item=item,
        summary=services.summary_of(content_kind, item), url=content_kind.url(item),
    ), (400 if form.errors else 200)


@bp.get("/reports/mine")
@login_required
def mine():
    _require(can_report(current_user))
    return render_template("moderation/mine.html", rows=services.my_reports(current_user))


@bp.get("/patrol")
@login_required
def patrol():
    _require(can_patrol(current_user))
    return render_template("moderation/patrol.html", rows=services.patrol_items(current_user), form=ReportForm())


# --- notices and appeals (the author's side) -----------------------------------------------------


@bp.get("/moderation/notices")
@login_required
def notices():
    _require(may_see_own_notices(current_user))
    rows = services.notices_for(current_user)
    appeals = services.appealed_action_ids(n.action_id for n in rows)
    now = datetime.now(TOKYO)
    return render_template(
        "moderation/notices.html", notices=rows, appeals=appeals, now=now, author_sentences=AUTHOR_SENTENCES,
        deadline=services.appeal_deadline,
    )


@bp.route("/moderation/actions/<int:action_id>/appeal", methods=["GET", "POST"])
@login_required
def appeal(action_id: int):
    _require(may_see_own_notices(current_user))
    action = db.session.get(ModerationAction, action_id)
    if action is None or not can_appeal(current_user, action):
        abort(404)
    case = db.session.get(ModerationCase, action.case_id)
    form = AppealForm()
    if form.validate_on_submit():
        if (resent := already_sent()) is not None:  # else "you have already appealed"
            return resent
        try:
            services.submit_appeal(current_user, action_id, form.body.data)
        except services.ItemNotFound:
            abort(404)
        except services.ModerationError as error:
            form.body.errors.append(str(error.message))
        else:
            db.session.commit()
            flash(_("Your appeal was sent. A different staff member will look at it."), "success")
            return redirect(url_for("moderation.notices"))
    return render_template(
        "moderation/appeal.html", form=form, action=action, case=case, deadline=services.appeal_deadline(action),
        days=APPEAL_DAYS,
    ), (400 if form.errors else 200)


# --- staff ---------------------------------------------------------------------------------------


@bp.get("/moderation")
@login_required
def queue():
    _require(can_moderate(current_user))
    form = QueueFilterForm(request.args)
    districts = db.session.scalars(select(District).order_by(District.sort_order, District.id)).all()
    form.district.choices = choices([("", _("All"))] + [(str(d.id), d.name) for d in districts])
    if not form.validate():
        return render_template("moderation/queue.html", form=form, rows=[], now=services.utcnow()), 400
    district = int(form.district.data) if (form.district.data or "").isdigit() else None
    rows = services.queue(
        status=form.status.data or "open", reason=form.reason.data or "", source=form.source.data or "",
        district_id=district,
    )
    return render_template("moderation/queue.html", form=form, rows=rows, now=services.utcnow())


def _case_page(case: ModerationCase, form: ActionForm | None = None, status: int = 200):
    kind = get_kind(case.kind)
    item = kind.load(case.target_id) if kind else None
    rendered = None
    if item is not None:
        if private_view_needs_logging(kind.can_view(current_user, item)):
            # Staff may open a private item only because it was reported; that is recorded.
            audit.record(
                "moderation.viewed_private", actor=current_user, target_type=case.kind, target_id=case.target_id,
                reason="reported content", case_id=case.id,
            )
            db.session.commit()
        rendered = kind.render(item)
    reports = db.session.scalars(
        select(Report).options(joinedload(Report.reporter)).where(Report.case_id == case.id).order_by(Report.created_at)
    ).all()
    actions = db.session.scalars(
        select(ModerationAction).options(joinedload(ModerationAction.actor))
        .where(ModerationAction.case_id == case.id).order_by(ModerationAction.created_at)
    ).all()
    appeals = services.appealed_action_ids(a.id for a in actions)
    if form is None:
        form = ActionForm(version=case.version)
    form.rule.choices = choices(rules())
    history = services.author_histories([case.author_id]).get(case.author_id, {})
    return render_template(
        "moderation/case.html", case=case, kind=kind, item=item, rendered=rendered, reports=reports,
        actions=actions, appeals=appeals, form=form, history=history, url=kind.url(item) if item is not None else None,
        weight=services.report_weight(case.id), claim_live=services.claim_is_live(case),
    ), status


def _load_case(case_id: int) -> ModerationCase:
    case = db.session.scalar(
        select(ModerationCase).options(joinedload(ModerationCase.author), joinedload(ModerationCase.claimed_by))
        .where(ModerationCase.id == case_id)
    )
    if case is None:
        abort(404)
    return case


@bp.get("/moderation/cases/<int:case_id>")
@login_required
def case(case_id: int):
    _require(can_moderate(current_user))
    return _case_page(_load_case(case_id))


@bp.post("/moderation/cases/<int:case_id>/claim")
@login_required
def claim(case_id: int):
    _require(can_moderate(current_user))
    _load_case(case_id)
    try:
        services.claim(current_user, case_id)
    except services.ModerationError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("moderation.case", case_id=case_id)), 303
    db.session.commit()
    flash(_("You are now handling this item."), "success")
    return redirect(url_for("moderation.case", case_id=case_id))


@bp.post("/moderation/cases/<int:case_id>/release")
@login_required
def release(case_id: int):
    _require(can_moderate(current_user))
    _load_case(case_id)
    try:
        services.release(current_user, case_id)
    except services.ModerationError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("moderation.case", case_id=case_id)), 303
    db.session.commit()
    flash(_("You are no longer handling this item."), "success")
    return redirect(url_for("moderation.case", case_id=case_id))


@bp.post("/moderation/cases/<int:case_id>/act")
@login_required
def act(case_id: int):
    _require(can_moderate(current_user))
    case = _load_case(case_id)
    form = ActionForm()
    form.rule.choices = choices(rules())
    if not form.validate_on_submit():
        return _case_page(case, form, 400)
    try:
        services.act(
            current_user, case_id, version=form.version.data, action=form.action.data, rule=form.rule.data,
            note=form.note.data, suspend_until=form.suspend_until.data, indefinite=form.indefinite.data,
            hide_all=form.hide_all.data,
        )
    except services.ItemNotFound:
        abort(404)
    except services.AlreadyHandled as error:
        db.session.rollback()
        flash(str(error.message), "error")
        db.session.expire_all()
        return _case_page(_load_case(case_id), None, 409)
    except services.ModerationError as error:
        db.session.rollback()
        db.session.expire_all()
        fresh = _load_case(case_id)
        if fresh.version != form.version.data:
            # Another staff member acted between our reads: say so, as for a lost version check.
            flash(str(_("This item has already been handled.")), "error")
            return _case_page(fresh, None, 409)
        form.action.errors.append(str(error.message))
        return _case_page(fresh, form, error.status)
    db.session.commit()
    flash(_("Done: %(action)s.", action=ACTION_LABELS[form.action.data]), "success")
    return redirect(url_for("moderation.case", case_id=case_id))


def _load_appeal(appeal_id: int) -> Appeal:
    row = db.session.scalar(
        select(Appeal).options(joinedload(Appeal.action).joinedload(ModerationAction.actor))
        .where(Appeal.id == appeal_id)
    )
    if row is None:
        abort(404)
    return row


@bp.get("/moderation/appeals")
@login_required
def appeals():
    _require(can_moderate(current_user))
    return render_template("moderation/appeals.html", appeals=services.pending_appeals())


@bp.route("/moderation/appeals/<int:appeal_id>", methods=["GET", "POST"])
@login_required
def appeal_decide(appeal_id: int):
    _require(can_moderate(current_user))
    row = _load_appeal(appeal_id)
    form = DecisionForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.decide_appeal(current_user, appeal_id, decision=form.decision.data, note=form.note.data)
        except services.ModerationError as error:
            db.session.rollback()
            row = _load_appeal(appeal_id)
            form.decision.errors.append(str(error.message))
            status = error.status
        else:
            db.session.commit()
            flash(_("The appeal was decided and the member was told."), "success")
            return redirect(url_for("moderation.appeals"))
    elif form.errors:
        status = 400
    case = db.session.get(ModerationCase, row.action.case_id)
    return render_template(
        "moderation/appeal_decide.html", appeal=row, case=case, form=form,
        may_decide=can_decide_appeal(current_user, row.action),
    ), status


# --- audit log and statistics --------------------------------------------------------------------


def _audit_query(form: AuditFilterForm):
    actor = aliased(User)
    stmt = select(AuditLog, actor).outerjoin(actor, actor.id == AuditLog.actor_id)
    if form.action.data:
        stmt = stmt.where(AuditLog.action.startswith(form.action.data.strip(), autoescape=True))
    if form.actor.data:
        stmt = stmt.where(actor.login_id == form.actor.data.strip())
    if form.target_type.data:
        stmt = stmt.where(AuditLog.target_type == form.target_type.data.strip())
    if form.target_id.data is not None:
        stmt = stmt.where(AuditLog.target_id == form.target_id.data)
    if form.since.data:
        stmt = stmt.where(AuditLog.at >= datetime.combine(form.since.data, datetime.min.time(), tzinfo=TOKYO))
    if form.until.data:
        end = datetime.combine(form.until.data, datetime.min.time(), tzinfo=TOKYO) + timedelta(days=1)
        stmt = stmt.where(AuditLog.at < end)
    return stmt.order_by(AuditLog.at.desc(), AuditLog.id.desc())


@bp.get("/moderation/audit")
@login_required
def audit_log():
    _require(can_moderate(current_user))
    form = AuditFilterForm(request.args)
    if not form.validate():
        return render_template("moderation/audit.html", form=form, rows=[], query=""), 400
    rows = db.session.execute(_audit_query(form).limit(500)).all()
    return render_template("moderation/audit.html", form=form, rows=rows, query=request.query_string.decode())


@bp.get("/moderation/audit.csv")
@login_required
def audit_csv():
    _require(can_moderate(current_user))
    form = AuditFilterForm(request.args)
    if not form.validate():
        abort(400)
    rows = db.session.execute(_audit_query(form).limit(100_000)).all()
    table = [["id", "at", "actor_id", "actor_login_id", "action", "target_type", "target_id", "facility_id", "reason", "detail", "ip"]]
    for entry, actor in rows:
        table.append([
            entry.id, entry.at.astimezone(TOKYO).isoformat(), entry.actor_id, actor.login_id if actor else "",
            entry.action, entry.target_type, entry.target_id, entry.facility_id, entry.reason, entry.detail, entry.ip,
        ])
    audit.record("audit.exported", actor=current_user, target_type="audit_log", reason="csv export",
                 filters=request.args.to_dict(), rows=len(rows))
    db.session.commit()
    return csv_response(table, "audit-log.csv")


@bp.get("/moderation/stats")
@login_required
def statistics():
    _require(can_moderate(current_user))
    return render_template("moderation/stats.html", stats=stats.compute())
