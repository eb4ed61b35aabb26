"""The notification list, opening one (marks it read), marking all read, and the e-mail setting."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.core.urls import parse_id
from community.extensions import db
from community.notifications import services
from community.notifications.forms import PreferenceForm

bp = Blueprint("notifications", __name__, template_folder="templates")


def header_context():
    """The header link with the unread count, for logged-in members on every page."""
    if request.endpoint in (None, "static") or not current_user.is_authenticated:
        return {}
    try:
        count = services.unread_count(current_user)
    except Exception:  # noqa: BLE001 - a missing table must not take every page down
        db.session.rollback()
        count = 0
    label = _("Notifications (%(count)s unread)", count=count) if count else _("Notifications")
    return {"notifications_nav": {"url": url_for("notifications.index"), "label": label, "unread": count}}


@bp.get("/notifications")
@login_required
def index():
    page = services.page_for(current_user, request.args.get("page", 1, type=parse_id))
    return render_template("notifications/index.html", page=page, items=services.describe(page.items))


@bp.post("/notifications/<int:notification_id>/open")
@login_required
def open_one(notification_id: int):
    notification = services.get_visible(current_user, notification_id)
    if notification is None:
        abort(404)
    shown = services.describe([notification])
    if not shown:
        abort(404)
    services.mark_read(notification)
    db.session.commit()
    return redirect(shown[0].url)


@bp.post("/notifications/read")
@login_required
def mark_all_read():
    services.mark_all_read(current_user)
    db.session.commit()
    flash(_("All notifications are marked as read."), "success")
    return redirect(url_for("notifications.index"))


@bp.route("/notifications/settings", methods=["GET", "POST"])
@login_required
def settings():
    form = PreferenceForm(obj=services.preference(current_user))
    if form.validate_on_submit():
        services.set_email_enabled(current_user, form.email_enabled.data)
        db.session.commit()
        flash(_("Your notification settings are saved."), "success")
        return redirect(url_for("notifications.settings"))
    return render_template("notifications/settings.html", form=form), (400 if form.errors else 200)
