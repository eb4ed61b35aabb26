"""お知らせ: public list, page and feeds; staff screens to publish, renew and withdraw.

Each view loads (404), asks the policy (403), calls one service, commits once.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from community.announcements import feeds, services
from community.announcements.forms import STATE_LABELS, AnnouncementForm, RenewForm, WithdrawForm
from community.announcements.models import Announcement
from community.announcements.services import AlreadyWithdrawn, AnnouncementError, current_announcements
from community.core.database import utcnow
from community.core.i18n import TOKYO, format_datetime
from community.extensions import db
from community.official.models import OfficialAccount
from community.policy import (
    can_issue_emergency,
    can_manage_announcement,
    can_manage_official_accounts,
    can_open_announcement,
    can_renew_announcement,
    can_withdraw_announcement,
    managed_announcements,
    official_accounts_for,
)

bp = Blueprint(
    "announcements", __name__, url_prefix="/announcements", template_folder="templates", static_folder="static"
)


@bp.app_context_processor
def announcement_labels():
    return {"announcement_state_labels": STATE_LABELS}


def _local(value: datetime | None) -> datetime | None:
    """A naive Japan time typed into a form, as an aware datetime."""
    return value.replace(tzinfo=TOKYO) if value is not None else None


def _form_value(value: datetime | None) -> datetime | None:
    """An aware datetime as the naive Japan time a datetime-local input shows."""
    return value.astimezone(TOKYO).replace(tzinfo=None, second=0, microsecond=0) if value is not None else None


def format_end(item: Announcement) -> str:
    return format_datetime(item.expires_at)


def _refused(message: str, status: int = 403):
    return render_template("announcements/refused.html", message=message), status


def _show_error(form, error: AnnouncementError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_error = error.message


def _load(announcement_id: int) -> Announcement:
    item = db.session.get(Announcement, announcement_id)
    if not can_open_announcement(current_user, item):
        abort(404)
    return item


def _may_manage_any() -> bool:
    if can_manage_official_accounts(current_user):
        return True
    return db.session.scalar(official_accounts_for(current_user).limit(1)) is not None


# --- public ----------------------------------------------------------------------------------------


@bp.get("/")
def index():
    show_staff_link = current_user.is_authenticated and _may_manage_any()
    return render_template(
        "announcements/index.html", announcements=current_announcements(limit=100), show_staff_link=show_staff_link
    )


@bp.get("/<int:announcement_id>")
def show(announcement_id: int):
    item = _load(announcement_id)
    return render_template(
        "announcements/show.html", item=item, state=item.state(),
        may_manage=can_manage_announcement(current_user, item),
        may_renew=can_renew_announcement(current_user, item) and item.state() == "current",
        may_withdraw=can_withdraw_announcement(current_user, item),
    )


@bp.get("/feed.atom")
def feed():
    return feeds.atom_response()


@bp.get("/emergencies.json")
def emergencies_json():
    return feeds.emergencies_response()


# --- staff -----------------------------------------------------------------------------------------


@bp.get("/manage")
@login_required
def manage():
    if not _may_manage_any():
        return _refused(_("You are not a member of any department account, so you have no announcements to "
                          "manage. An administrator can add you to your department's account."))
    stmt = managed_announcements(select(Announcement), current_user).order_by(
        Announcement.published_at.desc(), Announcement.id.desc()
    )
    items = list(db.session.scalars(stmt.limit(200)))
    now = utcnow()
    return render_template(
        "announcements/manage.html", items=[(item, item.state(now)) for item in items],
        may_publish=db.session.scalar(official_accounts_for(current_user).limit(1)) is not None,
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    accounts = list(db.session.scalars(official_accounts_for(current_user)))
    if not accounts:
        return _refused(_("You are not a member of any department account, so you cannot publish announcements. "
                          "An administrator can add you to your department's account."))
    emergency_accounts = [a for a in accounts if can_issue_emergency(current_user, a)]
    form = AnnouncementForm()
    form.account_id.choices = [(a.id, a.name) for a in accounts]
    form.form_error = None
    if request.method == "GET":
        form.submission_key.data = secrets.token_urlsafe(24)
        if request.args.get("kind") == "emergency" and emergency_accounts:
            form.kind.data = "emergency"
            form.account_id.data = emergency_accounts[0].id
    status = 200
    if form.validate_on_submit():
        account = db.session.get(OfficialAccount, form.account_id.data)
        try:
            item, created = services.publish(
                current_user, account, title=form.title.data, body=form.body.data,
                emergency=form.kind.data == "emergency", starts_at=_local(form.starts_at.data),
                expires_at=_local(form.expires_at.data), submission_key=form.submission_key.data,
            )
        except AnnouncementError as error:
            db.session.rollback()
            _show_error(form, error)
            status = error.status
        else:
            db.session.commit()
            if not created:
                flash(_("This announcement had already been published; it was not published twice."), "info")
            elif item.is_emergency:
                flash(_("The emergency notice was published. It is shown at the top of every page until %(end)s.",
                        end=format_end(item)), "success")
            else:
                flash(_("The announcement was published."), "success")
            return redirect(url_for(".show", announcement_id=item.id), code=303)
    elif request.method == "POST":
        status = 400
    return render_template(
        "announcements/new.html", form=form, emergency_accounts=emergency_accounts,
        deadline=services.emergency_deadline(),
    ), status


@bp.route("/<int:announcement_id>/renew", methods=["GET", "POST"])
@login_required
def renew(announcement_id: int):
    item = _load(announcement_id)
    if not can_renew_announcement(current_user, item):
        if item.withdrawn_at is not None and can_manage_announcement(current_user, item):
            return _refused(_("This notice has been withdrawn, so it cannot be renewed."), 409)
        return _refused(_("Only members of the department that issues emergency notices can renew this one."))
    form = RenewForm()
    form.form_error = None
    now = utcnow()
    if request.method == "GET":
        form.seen.data = item.expires_at.isoformat() if item.expires_at else ""
        suggestion = min((item.expires_at or now) + timedelta(days=1), services.emergency_deadline(now))
        form.expires_at.data = _form_value(suggestion)
    status = 200
    if form.validate_on_submit():
        try:
            seen = datetime.fromisoformat(form.seen.data) if form.seen.data else None
        except ValueError:
            seen = None
        try:
            changed = services.renew(current_user, item, expires_at=_local(form.expires_at.data), seen_expires_at=seen)
        except AnnouncementError as error:
            db.session.rollback()
            _show_error(form, error)
            status = error.status
            item = db.session.get(Announcement, announcement_id)
            form.seen.data = item.expires_at.isoformat() if item.expires_at else ""
        else:
            db.session.commit()
            if changed:
                flash(_("The emergency notice was renewed. It is now shown until %(end)s.", end=format_end(item)),
                      "success")
            else:
                flash(_("This end time had already been saved."), "info")
            return redirect(url_for(".show", announcement_id=item.id), code=303)
    elif request.method == "POST":
        status = 400
    return render_template("announcements/renew.html", form=form, item=item,
                           deadline=services.emergency_deadline(now)), status


@bp.route("/<int:announcement_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(announcement_id: int):
    item = _load(announcement_id)
    if not can_manage_announcement(current_user, item):
        return _refused(
            _("Only members of the department that published this notice, or an administrator, can withdraw it.")
        )
    if item.withdrawn_at is not None:
        flash(_("This notice had already been withdrawn."), "info")
        return redirect(url_for(".show", announcement_id=item.id), code=303)
    form = WithdrawForm()
    form.form_error = None
    status = 200
    if form.validate_on_submit():
        try:
            services.withdraw(current_user, item, reason=form.reason.data)
        except AlreadyWithdrawn:
            db.session.rollback()
            flash(_("This notice had already been withdrawn."), "info")
            return redirect(url_for(".show", announcement_id=announcement_id), code=303)
        except AnnouncementError as error:
            db.session.rollback()
            _show_error(form, error)
            status = error.status
            item = db.session.get(Announcement, announcement_id)
        else:
            db.session.commit()
            flash(_("The notice was withdrawn. It no longer appears in banners, lists or feeds."), "success")
            return redirect(url_for(".show", announcement_id=announcement_id), code=303)
    elif request.method == "POST":
        status = 400
    return render_template("announcements/withdraw.html", form=form, item=item), status
