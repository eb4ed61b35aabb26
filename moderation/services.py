"""The moderation workflow. Services flush, never commit, and raise ModerationError for the views.

Every report, claim, action, appeal and decision is written to the append-only audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from community import audit
from community.accounts.models import User
from community.core.database import utcnow
from community.extensions import db
from community.policy import (
    ModerationState,
    can_appeal,
    can_decide_appeal,
    can_manage_account,
    can_moderate,
    can_report,
    is_own_content,
    state_is_visible,
)
from community.policy.accounts import TOKYO, today_in_japan
from moderation import notify as moderation_notify
from moderation.models import Appeal, ModerationAction, ModerationCase, ModerationNotice, Report
from moderation.reasons import (
    ACTION_LABELS,
    APPEAL_DAYS,
    APPEAL_MAX,
    NOTE_MAX,
    NOTE_REQUIRED_REASONS,
    REPORT_REASON_LABELS,
    URGENT_REASONS,
    rule_label,
    rules,
)
from moderation.registry import get_kind, kinds

CLAIM_MINUTES = 30
SUMMARY_MAX = 100


class ModerationError(Exception):
    status = 400

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class NotAllowed(ModerationError):
    status = 403


class ItemNotFound(ModerationError):
    status = 404


class ItemRemoved(ModerationError):
    status = 410


class OwnContent(ModerationError):
    status = 403


class AlreadyHandled(ModerationError):
    status = 409


def summary_of(kind, obj) -> str:
    text = " ".join((kind.summary(obj) or "").split())
    return text if len(text) <= SUMMARY_MAX else text[: SUMMARY_MAX - 1] + "…"


def _notify(user_id, notice_kind, case, *, action=None, outcome="", rule="", note="") -> None:
    if user_id is None:
        return
    notice = ModerationNotice(
        user_id=user_id,
        kind=notice_kind,
        case_id=case.id,
        action_id=action.id if action else None,
        item_kind=case.kind,
        item_summary=case.summary,
        outcome=outcome,
        rule_label=rule,
        note=note,
    )
    db.session.add(notice)
    db.session.flush()
    moderation_notify.send(notice)


# --- reporting -----------------------------------------------------------------------------------


def load_reportable(viewer, kind_name: str, target_id: int):
    """The item if this viewer may report it; otherwise the error the page explains."""
    kind = get_kind(kind_name)
    if kind is None:
        raise ItemNotFound(_l("The item was not found."))
    obj = kind.load(target_id)
    if obj is None or not kind.can_view(viewer, obj):
        raise ItemNotFound(_l("The item was not found."))
    if kind.is_deleted(obj) or kind.get_state(obj) == ModerationState.removed.value:
        raise ItemRemoved(_l("This item has already been deleted, so it cannot be reported."))
    if is_own_content(viewer, kind.author_id(obj)):
        raise OwnContent(_l("You cannot report your own content. You can edit or delete it yourself."))
    return kind, obj


def validate_report(reason: str, note: str) -> str:
    note = (note or "").strip()
    if reason not in REPORT_REASON_LABELS:
        raise ModerationError(_l("Please choose a reason."))
    if reason in NOTE_REQUIRED_REASONS and not note:
        raise ModerationError(_l("For this reason, please describe the problem."))
    if len(note) > NOTE_MAX:
        raise ModerationError(_l("Please keep the note to %(max)s characters or fewer.", max=NOTE_MAX))
    return note


def _case_for(kind, obj, target_id: int) -> ModerationCase:
    stmt = select(ModerationCase).where(ModerationCase.kind == kind.name, ModerationCase.target_id == target_id)
    case = db.session.scalar(stmt)
    if case is not None:
        return case
    author_id = kind.author_id(obj)
    author = db.session.get(User, author_id) if author_id else None
    case = ModerationCase(
        kind=kind.name,
        target_id=target_id,
        author_id=author_id,
        district_id=author.district_id if author else None,
        summary=summary_of(kind, obj),
        opened_at=utcnow(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(case)
    except IntegrityError:  # someone else reported the same item at the same moment
        case = db.session.scalar(stmt)
    return case


def submit_report(reporter, kind_name: str, target_id: int, reason: str, note: str) -> Report:
    if not can_report(reporter):
        raise NotAllowed(_l("You do not have permission to do this."))
    kind, obj = load_reportable(reporter, kind_name, target_id)
    note = validate_report(reason, note)
    now = utcnow()
    case = _case_for(kind, obj, target_id)
    case.summary = summary_of(kind, obj)
    if case.status != "open":
        # A closed item reported again starts a new round in the queue.
        case.status, case.outcome, case.auto_hidden = "open", "", False
        case.opened_at, case.version = now, case.version + 1
    case.updated_at = now
    report = db.session.scalar(
        select(Report).where(Report.case_id == case.id, Report.reporter_id == reporter.id, Report.status == "open")
    )
    created = report is None
    if created:
        report = Report(case_id=case.id, reporter_id=reporter.id, created_at=now)
        db.session.add(report)
    report.reason, report.note, report.updated_at = reason, note, now
    report.from_supporter = bool(reporter.is_supporter)
    db.session.flush()
    audit.record(
        "report.created" if created else "report.updated",
        actor=reporter, target_type=kind.name, target_id=target_id, reason=reason,
        case_id=case.id, report_id=report.id, supporter=report.from_supporter,
    )
    _maybe_auto_hide(case, kind, obj)
    return report


def report_weight(case_id: int) -> int:
    """Distinct open reporters, a supporter counting as MODERATION_SUPPORTER_WEIGHT."""
    weight = current_app.config.get("MODERATION_SUPPORTER_WEIGHT", 2)
    rows = db.session.execute(
        select(Report.from_supporter, func.count()).where(Report.case_id == case_id, Report.status == "open")
        .group_by(Report.from_supporter)
    ).all()
    return sum(count * (weight if supporter else 1) for supporter, count in rows)


def _maybe_auto_hide(case: ModerationCase, kind, obj) -> None:
    threshold = current_app.config.get("MODERATION_AUTO_HIDE_THRESHOLD", 3)
    if case.auto_hidden or not threshold or not kind.has_state or not state_is_visible(kind.get_state(obj)):
        return
    if report_weight(case.id) < threshold:
        return
    kind.set_state(obj, ModerationState.hidden.value)
    case.auto_hidden = True
    db.session.flush()
    _notify(case.author_id, "under_review", case, outcome="under_review")
    audit.record(
        "moderation.auto_hidden", actor=None, target_type=case.kind, target_id=case.target_id,
        reason="threshold", case_id=case.id, threshold=threshold,
    )


# --- what members see ----------------------------------------------------------------------------


def reports_of(user) -> list[Report]:
    return list(
        db.session.scalars(
            select(Report).options(joinedload(Report.case)).where(Report.reporter_id == user.id)
            .order_by(Report.updated_at.desc(), Report.id.desc()).limit(200)
        )
    )


@dataclass(frozen=True)
class MyReport:
    report: Report
    item_state: str  # shown, hidden (no longer visible to the reporter), removed (deleted or gone)


def my_reports(user) -> list[MyReport]:
    """The reporter's reports, each with what the item is now *to them*.

    The case keeps the item's summary for staff; the reporter sees it only while the item's own
    policy still lets them open it, so a deleted or hidden item's text does not live on here.
    """
    reports = reports_of(user)
    wanted: dict[str, set[int]] = {}
    for report in reports:
        wanted.setdefault(report.case.kind, set()).add(report.case.target_id)
    loaded = {}
    for name, ids in wanted.items():
        kind = get_kind(name)
        loaded[name] = (kind, kind.many(ids) if kind else {})
    rows = []
    for report in reports:
        kind, items = loaded[report.case.kind]
        obj = items.get(report.case.target_id)
        if kind is None or obj is None or kind.is_deleted(obj) or (
            kind.has_state and kind.get_state(obj) == ModerationState.removed.value
        ):
            state = "removed"
        elif not kind.can_view(user, obj):
            state = "hidden"
        else:
            state = "shown"
        rows.append(MyReport(report, state))
    return rows


def notices_for(user) -> list[ModerationNotice]:
    return list(
        db.session.scalars(
            select(ModerationNotice).options(joinedload(ModerationNotice.action))
            .where(ModerationNotice.user_id == user.id)
            .order_by(ModerationNotice.created_at.desc(), ModerationNotice.id.desc()).limit(200)
        )
    )


def appealed_action_ids(action_ids) -> dict[int, Appeal]:
    ids = [i for i in action_ids if i]
    if not ids:
        return {}
    return {a.action_id: a for a in db.session.scalars(select(Appeal).where(Appeal.action_id.in_(ids)))}


def appeal_deadline(action: ModerationAction) -> datetime:
    return action.created_at + timedelta(days=APPEAL_DAYS)


@dataclass
class PatrolRow:
    item: object
    kind_label: str
    already_reported: bool


def patrol_items(viewer, limit: int = 50) -> list[PatrolRow]:
    """Newest items the supporter may see, through each kind's own SQL policy filter."""
    items = []
    for kind in kinds().values():
        if kind.patrol is not None:
            items.extend((kind, item) for item in kind.patrol(viewer, limit))
    items.sort(key=lambda pair: pair[1].created_at, reverse=True)
    items = items[:limit]
    reported = set()
    if items:
        reported = set(
            db.session.execute(
                select(ModerationCase.kind, ModerationCase.target_id)
                .join(Report, Report.case_id == ModerationCase.id)
                .where(Report.reporter_id == viewer.id, Report.status == "open")
            ).all()
        )
    return [PatrolRow(item, str(kind.label), (item.kind, item.target_id) in reported) for kind, item in items]


# --- the staff queue -----------------------------------------------------------------------------


@dataclass
class QueueRow:
    case: ModerationCase
    reports: list[Report] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    reporters: int = 0
    supporter_reported: bool = False
    weight: int = 0
    urgent: bool = False
    author_history: dict[str, int] = field(default_factory=dict)
    priority: float = 0.0


def _priority(row: QueueRow, now: datetime) -> float:
    age_days = max((now - row.case.opened_at).total_seconds() / 86400, 0)
    return row.weight * 10 + min(age_days, 30) * 4


def author_histories(author_ids) -> dict[int, dict[str, int]]:
    ids = [i for i in set(author_ids) if i]
    history: dict[int, dict[str, int]] = {i: {} for i in ids}
    if ids:
        rows = db.session.execute(
            select(ModerationAction.author_id, ModerationAction.action, func.count())
            .where(ModerationAction.author_id.in_(ids), ModerationAction.action.in_(["hide", "delete", "warn", "suspend"]))
            .group_by(ModerationAction.author_id, ModerationAction.action)
        ).all()
        for author_id, action, count in rows:
            history[author_id][action] = count
    return history


def queue(*, status: str = "open", reason: str = "", source: str = "", district_id: int | None = None,
          now: datetime | None = None, limit: int = 300) -> list[QueueRow]:
    now = now or utcnow()
    supporter_weight = current_app.config.get("MODERATION_SUPPORTER_WEIGHT", 2)
    stmt = select(ModerationCase).options(joinedload(ModerationCase.author), joinedload(ModerationCase.claimed_by))
    if status in ("open", "closed"):
        stmt = stmt.where(ModerationCase.status == status)
    if district_id:
        stmt = stmt.where(ModerationCase.district_id == district_id)
    report_filter = []
    if reason:
        report_filter.append(Report.reason == reason)
    if source == "supporter":
        report_filter.append(Report.from_supporter.is_(True))
    elif source == "member":
        report_filter.append(Report.from_supporter.is_(False))
    if report_filter:
        stmt = stmt.where(ModerationCase.id.in_(select(Report.case_id).where(*report_filter)))
    cases = list(db.session.scalars(stmt.order_by(ModerationCase.updated_at.desc()).limit(limit)).unique())
    rows = {c.id: QueueRow(case=c) for c in cases}
    if rows:
        for report in db.session.scalars(
            select(Report).where(Report.case_id.in_(list(rows))).order_by(Report.created_at)
        ):
            row = rows[report.case_id]
            if row.case.status == "open" and report.status != "open":
                continue  # earlier rounds are history, not this round's evidence
            row.reports.append(report)
        histories = author_histories(c.author_id for c in cases)
        for row in rows.values():
            row.reasons = sorted({r.reason for r in row.reports}, key=list(REPORT_REASON_LABELS).index)
            row.reporters = len({r.reporter_id for r in row.reports})
            row.supporter_reported = any(r.from_supporter for r in row.reports)
            row.weight = sum(supporter_weight if r.from_supporter else 1 for r in row.reports)
            row.urgent = bool(URGENT_REASONS & set(row.reasons))
            row.author_history = histories.get(row.case.author_id, {})
            row.priority = _priority(row, now)
    result = list(rows.values())
    if status == "open":
        # Auto-hidden items first, then personal information and child safety, then the score.
        result.sort(key=lambda r: (r.case.auto_hidden, r.urgent, r.priority), reverse=True)
    return result


def claim_is_live(case: ModerationCase, now: datetime | None = None) -> bool:
    return (
        case.claimed_by_id is not None and case.claimed_at is not None
        and case.claimed_at > (now or utcnow()) - timedelta(minutes=CLAIM_MINUTES)
    )


def claim(staff, case_id: int) -> ModerationCase:
    if not can_moderate(staff):
        raise NotAllowed(_l("You do not have permission to do this."))
    case = db.session.get(ModerationCase, case_id)
    if case is None:
        raise ItemNotFound(_l("The item was not found."))
    now = utcnow()
    result = db.session.execute(
        update(ModerationCase)
        .where(
            ModerationCase.id == case_id,
            or_(
                ModerationCase.claimed_by_id.is_(None),
                ModerationCase.claimed_by_id == staff.id,
                ModerationCase.claimed_at < now - timedelta(minutes=CLAIM_MINUTES),
            ),
        )
        .values(claimed_by_id=staff.id, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(case)
    if result.rowcount != 1:
        raise AlreadyHandled(_l("Another staff member is already handling this item."))
    audit.record("moderation.claimed", actor=staff, target_type=case.kind, target_id=case.target_id, case_id=case.id)
    return case


def release(staff, case_id: int) -> None:
    if not can_moderate(staff):
        raise NotAllowed(_l("You do not have permission to do this."))
    case = db.session.get(ModerationCase, case_id)
    if case is None:
        raise ItemNotFound(_l("The item was not found."))
    if case.claimed_by_id != staff.id:
        raise ModerationError(_l("You are not handling this item."))
    case.claimed_by_id, case.claimed_at = None, None
    db.session.flush()
    audit.record("moderation.released", actor=staff, target_type=case.kind, target_id=case.target_id, case_id=case.id)


# --- staff actions -------------------------------------------------------------------------------


def end_of_day_utc(day: date) -> datetime:
    return datetime.combine(day, datetime.max.time(), tzinfo=TOKYO).astimezone(utcnow().tzinfo)


def act(
    staff,
    case_id: int,
    *,
    version: int,
    action: str,
    rule: str,
    note: str = "",
    suspend_until: date | None = None,
    indefinite: bool = False,
    hide_all: bool = False,
) -> ModerationAction:
    if not can_moderate(staff):
        raise NotAllowed(_l("You do not have permission to do this."))
    case = db.session.get(ModerationCase, case_id)
    if case is None:
        raise ItemNotFound(_l("The item was not found."))
    if case.version != version:
        raise AlreadyHandled(_l("This item has already been handled."))
    if claim_is_live(case) and case.claimed_by_id != staff.id:
        raise AlreadyHandled(_l("Another staff member is already handling this item."))
    if action not in ACTION_LABELS:
        raise ModerationError(_l("Please choose an action."))
    if rule not in dict(rules()):
        raise ModerationError(_l("Please choose the rule this action is based on."))
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ModerationError(_l("Please keep the note to %(max)s characters or fewer.", max=NOTE_MAX))
    kind = get_kind(case.kind)
    obj = kind.load(case.target_id) if kind else None
    state = kind.get_state(obj) if obj is not None else None
    author = db.session.get(User, case.author_id) if case.author_id else None
    if action in ("hide", "delete", "restore") and obj is None:
        raise ModerationError(_l("The item no longer exists."))
    if action in ("hide", "delete", "restore") and not kind.has_state:
        raise ModerationError(_l("This kind of item cannot be hidden or deleted. Warn or suspend the author instead."))
    if action == "dismiss" and case.status != "open":
        raise AlreadyHandled(_l("This item has already been handled."))
    if action == "hide" and state != ModerationState.visible.value and not case.auto_hidden:
        raise ModerationError(_l("This item is already hidden or deleted."))
    if action == "delete" and state == ModerationState.removed.value:
        raise ModerationError(_l("This item is already deleted."))
    if action == "restore" and state == ModerationState.visible.value:
        raise ModerationError(_l("This item is already shown."))
    until_at = None
    if action in ("warn", "suspend") and author is None:
        raise ModerationError(_l("The author's account no longer exists."))
    if action == "suspend":
        if not can_manage_account(staff, author):
            raise NotAllowed(_l("You cannot suspend this account."))
        if not author.is_verified:
            raise ModerationError(_l("This account is not active, so it cannot be suspended."))
        if not indefinite and suspend_until is None:
            raise ModerationError(_l("Please give the last day of the suspension, or choose indefinite."))
        if not indefinite and suspend_until <= today_in_japan():
            raise ModerationError(_l("The last day of the suspension must be after today."))
        until_at = None if indefinite else end_of_day_utc(suspend_until)

    now = utcnow()
    closes = action != "restore" or case.status == "open"
    result = db.session.execute(
        update(ModerationCase)
        .where(ModerationCase.id == case.id, ModerationCase.version == version)
        .values(
            version=version + 1,
            status="closed" if closes else case.status,
            outcome=action,
            auto_hidden=False,
            claimed_by_id=None,
            claimed_at=None,
            first_action_at=func.coalesce(ModerationCase.first_action_at, now),
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise AlreadyHandled(_l("This item has already been handled."))
    was_auto_hidden = case.auto_hidden
    db.session.expire(case)

    label = rule_label(rule)
    record = ModerationAction(
        case_id=case.id, actor_id=staff.id, author_id=case.author_id, action=action, rule=rule,
        rule_label=label, note=note, suspended_until=until_at, hide_all=hide_all, created_at=now,
    )
    db.session.add(record)
    if action == "hide":
        kind.set_state(obj, ModerationState.hidden.value)
    elif action == "delete":
        kind.set_state(obj, ModerationState.removed.value)
    elif action == "restore" or (action == "dismiss" and was_auto_hidden and state == ModerationState.hidden.value):
        kind.set_state(obj, ModerationState.visible.value)
    elif action == "suspend":
        author.status = "suspended"
        author.suspended_until = until_at
        author.suspension_reason = label + (f"\n{note}" if note else "")
    hidden_count = 0
    if hide_all and action in ("hide", "delete", "warn", "suspend") and case.author_id:
        for other in kinds().values():
            if other.hide_all_by_author is not None:
                hidden_count += other.hide_all_by_author(case.author_id)
    db.session.flush()

    closed_reports = []
    if closes:
        closed_reports = list(db.session.scalars(select(Report).where(Report.case_id == case.id, Report.status == "open")))
        for report in closed_reports:
            report.status = "dismissed" if action in ("dismiss", "restore") else "actioned"
            report.outcome = action
            report.resolved_at = now
    author_hears = action != "dismiss" or was_auto_hidden
    if author_hears:
        _notify(case.author_id, "action", case, action=record, outcome=action, rule=label, note=note)
    for reporter_id in {r.reporter_id for r in closed_reports}:
        _notify(reporter_id, "report_closed", case, outcome=action)
    db.session.flush()
    audit.record(
        f"moderation.{action}", actor=staff, target_type=case.kind, target_id=case.target_id, reason=label,
        case_id=case.id, action_id=record.id, rule=rule, note=note, author_id=case.author_id,
        until=until_at.isoformat() if until_at else ("indefinite" if action == "suspend" else None),
        hidden_other_items=hidden_count,
    )
    return record


# --- appeals -------------------------------------------------------------------------------------


def submit_appeal(user, action_id: int, body: str) -> Appeal:
    action = db.session.get(ModerationAction, action_id)
    if action is None or not can_appeal(user, action):
        raise ItemNotFound(_l("The item was not found."))
    if db.session.scalar(select(Appeal.id).where(Appeal.action_id == action.id)) is not None:
        raise ModerationError(_l("You have already appealed this decision. Each decision can be appealed once."))
    if utcnow() > appeal_deadline(action):
        raise ModerationError(_l("The %(days)s days for an appeal have passed.", days=APPEAL_DAYS))
    body = (body or "").strip()
    if not body:
        raise ModerationError(_l("Please write why you think the decision should change."))
    if len(body) > APPEAL_MAX:
        raise ModerationError(_l("Please keep the appeal to %(max)s characters or fewer.", max=APPEAL_MAX))
    appeal = Appeal(action_id=action.id, author_id=user.id, body=body)
    try:
        with db.session.begin_nested():
            db.session.add(appeal)
    except IntegrityError:
        raise ModerationError(
            _l("You have already appealed this decision. Each decision can be appealed once.")
        ) from None
    audit.record(
        "appeal.created", actor=user, target_type="moderation_action", target_id=action.id,
        reason=action.action, appeal_id=appeal.id,
    )
    return appeal


def pending_appeals() -> list[Appeal]:
    return list(
        db.session.scalars(
            select(Appeal).options(joinedload(Appeal.action).joinedload(ModerationAction.case))
            .where(Appeal.status == "pending").order_by(Appeal.created_at)
        )
    )


def decide_appeal(staff, appeal_id: int, *, decision: str, note: str) -> Appeal:
    if not can_moderate(staff):
        raise NotAllowed(_l("You do not have permission to do this."))
    appeal = db.session.get(Appeal, appeal_id)
    if appeal is None:
        raise ItemNotFound(_l("The item was not found."))
    action = db.session.get(ModerationAction, appeal.action_id)
    if not can_decide_appeal(staff, action):
        raise NotAllowed(_l("A staff member other than the one who took the action must decide the appeal."))
    if decision not in ("upheld", "overturned"):
        raise ModerationError(_l("Please choose a decision."))
    note = (note or "").strip()
    if not note:
        raise ModerationError(_l("Please write the reason for the decision. The member will see it."))
    if len(note) > NOTE_MAX:
        raise ModerationError(_l("Please keep the note to %(max)s characters or fewer.", max=NOTE_MAX))
    now = utcnow()
    result = db.session.execute(
        update(Appeal).where(Appeal.id == appeal.id, Appeal.status == "pending")
        .values(status=decision, decided_by_id=staff.id, decided_at=now, decision_note=note)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise AlreadyHandled(_l("This item has already been handled."))
    db.session.expire(appeal)
    case = db.session.get(ModerationCase, action.case_id)
    if decision == "overturned":
        kind = get_kind(case.kind)
        obj = kind.load(case.target_id) if kind else None
        if action.action in ("hide", "delete") and obj is not None:
            kind.set_state(obj, ModerationState.visible.value)
        if action.action == "suspend" and action.author_id:
            author = db.session.get(User, action.author_id)
            if author is not None and author.is_suspended:
                author.status, author.suspended_until, author.suspension_reason = "verified", None, ""
        outcome = "restore" if action.action in ("hide", "delete") else "dismiss"
        for report in db.session.scalars(
            select(Report).where(Report.case_id == case.id, Report.outcome == action.action, Report.status == "actioned")
        ):
            report.status, report.outcome = "dismissed", outcome
        case.outcome, case.version, case.updated_at = outcome, case.version + 1, now
    _notify(action.author_id, "appeal_decision", case, action=action, outcome=decision, note=note)
    db.session.flush()
    audit.record(
        "appeal.decided", actor=staff, target_type="moderation_action", target_id=action.id, reason=decision,
        appeal_id=appeal.id, note=note, case_id=case.id,
    )
    return appeal
