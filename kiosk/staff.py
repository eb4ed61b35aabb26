"""Staff screens: enrol this browser as a kiosk, list kiosks, revoke one, set a facility's timings."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from community.accounts.models import Facility
from community.accounts.sessions import end_session
from community.extensions import db
from community.policy import Capability, can
from kiosk import services
from kiosk.device import set_device_cookie
from kiosk.forms import EnrolForm, SettingsForm
from kiosk.models import KioskDevice, KioskSettings

bp = Blueprint("kiosk_staff", __name__, url_prefix="/staff/kiosks", template_folder="templates")


def manage_kiosks_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not can(current_user, Capability.manage_kiosks):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _facility_choices() -> list[tuple[int, str]]:
    query = select(Facility).where(Facility.hosts_kiosks).order_by(Facility.id)
    return [(f.id, f.name) for f in db.session.scalars(query)]


def _render(enrol_form: EnrolForm | None = None, settings_form: SettingsForm | None = None, status: int = 200):
    choices = _facility_choices()
    enrol_form = enrol_form or EnrolForm(prefix="enrol")
    settings_form = settings_form or SettingsForm(prefix="settings", formdata=None)
    enrol_form.facility_id.choices = choices
    settings_form.facility_id.choices = choices
    saved = {
        row.facility_id: row
        for row in db.session.scalars(select(KioskSettings))
    }
    facilities = [(facility_id, name, saved.get(facility_id) or services.settings_for(facility_id)) for facility_id, name in choices]
    return (
        render_template(
            "kiosk/staff_list.html",
            devices=services.list_devices(),
            enrol_form=enrol_form,
            settings_form=settings_form,
            facilities=facilities,
        ),
        status,
    )


@bp.get("/")
@manage_kiosks_required
def index():
    return _render()


@bp.post("/enrol")
@manage_kiosks_required
def enrol():
    form = EnrolForm(prefix="enrol")
    form.facility_id.choices = _facility_choices()
    if not form.validate_on_submit():
        return _render(enrol_form=form, status=400)
    facility = db.get_or_404(Facility, form.facility_id.data)
    _device, token = services.enrol_device(facility, form.name.data, current_user)
    # From now on this browser is a shared PC: the staff member's own sign-in must not stay on it.
    end_session(current_user)
    db.session.commit()
    response = redirect(url_for("kiosk.welcome"), code=303)
    set_device_cookie(response, token)
    return response


@bp.post("/<int:device_id>/revoke")
@manage_kiosks_required
def revoke(device_id: int):
    device = db.get_or_404(KioskDevice, device_id)
    try:
        services.revoke_device(device, current_user)
    except services.KioskError:
        flash(_("This kiosk was already revoked."), "error")
    else:
        db.session.commit()
        flash(_("The kiosk \"%(name)s\" was revoked. It shows the ordinary site from now on.", name=device.name), "success")
    return redirect(url_for(".index"), code=303)


@bp.post("/settings")
@manage_kiosks_required
def settings():
    form = SettingsForm(prefix="settings")
    form.facility_id.choices = _facility_choices()
    if not form.validate_on_submit():
        return _render(settings_form=form, status=400)
    facility = db.get_or_404(Facility, form.facility_id.data)
    services.save_settings(
        facility,
        idle_minutes=form.idle_minutes.data,
        warning_minutes=form.warning_minutes.data,
        help_text=form.help_text.data or "",
        by=current_user,
    )
    db.session.commit()
    flash(_("The kiosk settings for %(facility)s were saved.", facility=facility.name), "success")
    return redirect(url_for(".index"), code=303)
