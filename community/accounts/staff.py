"""The staff counter (職員): look up, verify, register, reset codes, suspend, roles, history.

Every route asks the policy first; every change is written to the audit log by the service.
"""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from community.accounts import qr
from community.accounts.forms import (
    DOCUMENT_LABELS,
    ROLE_LABELS,
    CounterRegistrationForm,
    LookupCodeForm,
    LookupPersonForm,
    RoleForm,
    SuspendForm,
    VerificationForm,
)
from community.accounts.models import Facility, User
from community.accounts.selfservice import send_email_confirmation
from community.accounts.services import (
    AccountError,
    account_history,
    count_pending_applications,
    districts,
    find_application,
    format_code,
    grant_role,
    issue_reset_code,
    latest_verification,
    pending_applications,
    register_at_counter,
    reinstate,
    search_accounts,
    suspend,
    verify,
    verifying_facilities,
)
from community.accounts.twofactor import reset_at_counter
from community.extensions import db
from community.policy import Capability, can, can_grant_role, can_manage_account, is_minor
from community.terms.services import record_agreement

bp = Blueprint("staff", __name__, url_prefix="/staff", template_folder="templates")

FACILITY_KEY = "staff_facility_id"

ACTION_LABELS = {
    "account.applied": _l("Applied online"),
    "account.verified": _l("Identity verified"),
    "account.registered_at_counter": _l("Registered at the counter"),
    "account.reset_code_issued": _l("Password reset code issued"),
    "account.reset_code_emailed": _l("Password reset code sent by e-mail"),
    "account.password_reset": _l("Password changed with a code"),
    "account.password_changed": _l("Password changed by the member"),
    "account.email_confirmation_sent": _l("E-mail confirmation link sent"),
    "account.email_confirmed": _l("E-mail address confirmed"),
    "account.email_removed": _l("E-mail address removed by the member"),
    "account.two_factor_enabled": _l("Two-factor sign-in turned on"),
    "account.two_factor_disabled": _l("Two-factor sign-in turned off by the member"),
    "account.two_factor_reset": _l("Two-factor sign-in reset at the counter"),
    "account.recovery_code_used": _l("Signed in with a recovery code"),
    "account.suspended": _l("Suspended"),
    "account.reinstated": _l("Reinstated"),
    "account.suspension_ended": _l("Suspension ended on its end date"),
    "account.role_granted": _l("Role changed"),
    "account.admin_created": _l("Administrator created on the server's command line"),
    "account.admin_recovered": _l("Password set and lock lifted on the server's command line"),
    "account.staff_created": _l("Staff account created by an administrator"),
    "account.staff_revoked": _l("Staff role taken away by an administrator"),
}


def staff_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not can(current_user, Capability.verify_accounts):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _load_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _current_facility_id() -> int | None:
    """The facility the staff member chose last; remembered in their session."""
    value = session.get(FACILITY_KEY)
    if value is not None and db.session.get(Facility, value) is not None:
        return value
    return None


def _remember_facility(facility_id: int | None) -> None:
    if facility_id:
        session[FACILITY_KEY] = facility_id


def _verification_form() -> VerificationForm:
    form = VerificationForm()
    form.set_facilities(verifying_facilities())
    if request.method == "GET" and _current_facility_id():
        form.facility_id.data = _current_facility_id()
    return form


@bp.get("/")
@staff_required
def dashboard():
    code_form = LookupCodeForm(request.args)
    person_form = LookupPersonForm(request.args)
    results = None
    status = 200
    if "code" in request.args:
        if code_form.validate():
            user = find_application(code_form.code.data)
            if user is not None:
                return redirect(url_for("staff.user", user_id=user.id))
            code_form.code.errors.append(
                _("No application has this code. It may have expired, or the person may already be verified: "
                  "try searching by name and birth date.")
            )
        status = 404 if code_form.code.data else 400
        if not code_form.code.data:
            code_form.code.errors = [_("Please enter the application code.")]
    elif "name" in request.args:
        if person_form.validate():
            results = search_accounts(person_form.name.data, person_form.birth_date_value)
        else:
            status = 400
    return render_template(
        "accounts/staff/dashboard.html",
        code_form=code_form,
        person_form=person_form,
        results=results,
        pending=pending_applications(),
        pending_count=count_pending_applications(),
    ), status


def _user_page(user: User, *, verification_form=None, suspend_form=None, role_form=None, status=200):
    if verification_form is None:
        verification_form = _verification_form()
    if role_form is None:
        role_form = RoleForm(formdata=None, role=user.role)
    return render_template(
        "accounts/staff/user.html",
        user=user,
        code=format_code(user.application_code),
        verification=latest_verification(user),
        document_labels=DOCUMENT_LABELS,
        role_labels=ROLE_LABELS,
        verification_form=verification_form,
        suspend_form=suspend_form or SuspendForm(formdata=None),
        role_form=role_form,
        is_minor=is_minor(user),
        may_manage=can_manage_account(current_user, user),
        may_grant=can(current_user, Capability.grant_roles) and current_user.id != user.id,
        is_self=current_user.id == user.id,
    ), status


@bp.get("/users/<int:user_id>")
@staff_required
def user(user_id: int):
    return _user_page(_load_user(user_id))


@bp.post("/users/<int:user_id>/verify")
@staff_required
def verify_user(user_id: int):
    user = _load_user(user_id)
    form = _verification_form()
    if form.validate_on_submit():
        try:
            verify(
                user,
                staff=current_user,
                facility_id=form.facility_id.data,
                id_document_kind=form.id_document_kind.data,
                birth_date_confirmed=form.birth_date_confirmed.data,
            )
        except AccountError as error:
            db.session.rollback()
            flash(error.message, "error")
            return redirect(url_for("staff.user", user_id=user_id))
        _remember_facility(form.facility_id.data)
        db.session.commit()
        flash(_("%(name)s has been verified. They can now use every feature for members.", name=user.nickname),
              "success")
        return redirect(url_for("staff.user", user_id=user_id))
    if not user.is_applied:
        # A second submission of the same form: say so plainly, change nothing.
        flash(_("This account has already been verified. Nothing was changed."), "error")
        return redirect(url_for("staff.user", user_id=user_id))
    return _user_page(user, verification_form=form, status=400)


@bp.route("/register", methods=["GET", "POST"])
@staff_required
def register():
    form = CounterRegistrationForm()
    form.set_districts(districts())
    form.set_facilities(verifying_facilities())
    if request.method == "GET" and _current_facility_id():
        form.facility_id.data = _current_facility_id()
    if form.validate_on_submit():
        try:
            user, code = register_at_counter(
                staff=current_user,
                facility_id=form.facility_id.data,
                login_id=form.login_id.data,
                nickname=form.nickname.data,
                birth_date=form.birth_date_value,
                district_id=form.district_id.data,
                email=form.email.data,
                id_document_kind=form.id_document_kind.data,
                birth_date_confirmed=form.birth_date_confirmed.data,
            )
        except AccountError as error:
            form.login_id.errors.append(error.message)
        else:
            record_agreement(user, "counter")  # the resident agreed on the counter's form
            if user.email:
                send_email_confirmation(user, user.email)
            _remember_facility(form.facility_id.data)
            db.session.commit()
            return _code_slip(user, code, initial=True)
    return render_template("accounts/staff/register.html", form=form), (400 if form.errors else 200)


def _code_slip(user: User, code: str, *, initial: bool):
    """The one-time code is shown once, here, to print or copy onto paper; only its hash is kept."""
    return render_template(
        "accounts/staff/code_slip.html",
        user=user,
        code=format_code(code),
        qr_svg=qr.svg(code, label=_("QR code of one-time code %(code)s", code=format_code(code))),
        initial=initial,
    )


@bp.post("/users/<int:user_id>/reset-code")
@staff_required
def reset_code(user_id: int):
    user = _load_user(user_id)
    try:
        code = issue_reset_code(user, staff=current_user, facility_id=_current_facility_id())
    except AccountError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("staff.user", user_id=user_id))
    db.session.commit()
    return _code_slip(user, code, initial=False)


@bp.post("/users/<int:user_id>/two-factor/reset")
@staff_required
def reset_two_factor(user_id: int):
    """A lost phone: after checking identity, the second factor is cleared (an admin's job for staff)."""
    user = _load_user(user_id)
    try:
        reset_at_counter(user, staff=current_user, facility_id=_current_facility_id())
    except AccountError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Two-factor sign-in has been reset. The member sets it up again at their next sign-in."), "success")
    return redirect(url_for("staff.user", user_id=user_id))


@bp.post("/users/<int:user_id>/suspend")
@staff_required
def suspend_user(user_id: int):
    user = _load_user(user_id)
    form = SuspendForm()
    if form.validate_on_submit():
        try:
            suspend(user, staff=current_user, until=form.until.data, reason=form.reason.data,
                    facility_id=_current_facility_id())
        except AccountError as error:
            db.session.rollback()
            form.reason.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("The account has been suspended."), "success")
            return redirect(url_for("staff.user", user_id=user_id))
    return _user_page(user, suspend_form=form, status=400)


@bp.post("/users/<int:user_id>/reinstate")
@staff_required
def reinstate_user(user_id: int):
    user = _load_user(user_id)
    try:
        reinstate(user, staff=current_user, facility_id=_current_facility_id())
    except AccountError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("The account has been reinstated."), "success")
    return redirect(url_for("staff.user", user_id=user_id))


@bp.post("/users/<int:user_id>/role")
@staff_required
def change_role(user_id: int):
    if not can(current_user, Capability.grant_roles):
        abort(403)
    user = _load_user(user_id)
    form = RoleForm()
    if form.validate_on_submit():
        if not can_grant_role(current_user, user, form.role.data):
            flash(_("This role cannot be given to this account."), "error")
            return redirect(url_for("staff.user", user_id=user_id))
        try:
            grant_role(user, admin=current_user, role=form.role.data)
        except AccountError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("The role has been changed to %(role)s.", role=ROLE_LABELS[user.role]), "success")
        return redirect(url_for("staff.user", user_id=user_id))
    return _user_page(user, role_form=form, status=400)


@bp.get("/users/<int:user_id>/history")
@staff_required
def history(user_id: int):
    user = _load_user(user_id)
    return render_template(
        "accounts/staff/history.html", user=user, rows=account_history(user), action_labels=ACTION_LABELS
    )
