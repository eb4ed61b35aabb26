"""Residents' account pages: sign-in, 利用申込 and its slip, my account, password reset."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from community.accounts import qr
from community.accounts.forms import (
    PASSWORD_HINT,
    ApplicationForm,
    ChangePasswordForm,
    EmailChangeForm,
    EmailConfirmForm,
    EmailRemoveForm,
    EmailResetForm,
    LoginForm,
    PasswordResetForm,
    SecondFactorForm,
    TwoFactorEnrolForm,
    TwoFactorOffForm,
)
from community.accounts.selfservice import (
    LinkError,
    change_password,
    confirm_email,
    link_for,
    pending_email,
    remove_email,
    request_email_change,
    send_email_confirmation,
)
from community.accounts.services import (
    AccountError,
    AuthenticationError,
    LockedOut,
    apply,
    authenticate,
    districts,
    format_code,
    request_email_reset,
    reset_password,
    suspension_last_day,
    verifying_facilities,
)
from community.accounts.sessions import end_all_sessions, end_session, start_session
from community.accounts.twofactor import (
    begin_code_step,
    check_second_factor,
    confirm_enrolment,
    pending_user,
    provisioning_uri,
    recovery_codes_left,
    required_for,
    start_enrolment,
    turn_off,
)
from community.core.once import already_sent
from community.core.urls import safe_next
from community.extensions import db, limiter
from community.policy import Capability, can, minor_until
from community.terms.services import record_agreement

bp = Blueprint(
    "accounts", __name__, template_folder="templates", static_folder="static", static_url_path="/accounts/static"
)

# What a suspended member may still open: the page that explains the suspension, and the way out.
SUSPENDED_ALLOWED = {"accounts.suspended", "accounts.logout", "static", "accounts.static", "core.help_page",
                     "core.contact", "core.healthz"}
# What staff who must set up two-factor sign-in may open before they have.
ENROL_ALLOWED = {"accounts.two_factor", "accounts.logout", "static", "accounts.static", "core.help_page",
                 "core.contact", "core.healthz"}


def rate_limit_exempt() -> bool:
    """Per-IP limits are skipped when any registered hook says so (e.g. an enrolled kiosk)."""
    hooks = current_app.extensions.get("tsunagari.ratelimit_exempt", [])
    return any(hook() for hook in hooks)


def _ip_limit() -> str:
    return current_app.config.get("LOGIN_IP_LIMIT", "30 per 15 minutes")


ip_limited = limiter.limit(_ip_limit, methods=["POST"], exempt_when=rate_limit_exempt)


@bp.before_app_request
def confine_suspended_members():
    if (
        current_user.is_authenticated
        and current_user.is_suspended
        and request.endpoint not in SUSPENDED_ALLOWED
    ):
        return redirect(url_for("accounts.suspended"))
    return None


@bp.before_app_request
def require_second_factor():
    """Staff who must use two-factor sign-in reach nothing (no staff page either) before they set it
    up. Kiosk screens have no staff pages and keep every visitor inside kiosk mode themselves."""
    if (
        current_user.is_authenticated
        and request.endpoint not in ENROL_ALLOWED
        and request.blueprint != "kiosk"
        and not current_user.has_two_factor
        and required_for(current_user)
    ):
        return redirect(url_for("accounts.two_factor"))
    return None


@bp.route("/login", methods=["GET", "POST"])
@ip_limited
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = authenticate(form.login_id.data, form.password.data)
        except LockedOut as locked:
            status = 429
            form.password.errors.append(
                _(
                    "There were too many failed attempts for this login ID. Please wait %(minutes)s minutes "
                    "and try again, or ask staff at a facility to reset your password.",
                    minutes=locked.minutes,
                )
            )
        except AuthenticationError:
            db.session.commit()  # keep the counted failure
            form.password.errors.append(_("The login ID or password is incorrect."))
        else:
            if user.has_two_factor:
                db.session.commit()  # the password's counted failures are cleared
                begin_code_step(user)
                return redirect(url_for("accounts.login_code", next=safe_next(request.args.get("next"))))
            return _signed_in(user)
    if form.errors and status == 200:
        status = 400
    return render_template("accounts/login.html", form=form), status


def _signed_in(user):
    start_session(user)
    db.session.commit()
    if user.is_suspended:
        return redirect(url_for("accounts.suspended"))
    flash(_("You are now logged in."), "success")
    return redirect(safe_next(request.args.get("next")) or url_for("core.home"))


def code_step_form():
    """The code step of signing in, shared with the kiosk: (form, status, user signed in or None).
    A wrong code is counted towards a lockout of its own, like a wrong password."""
    user = pending_user()
    form = SecondFactorForm()
    if user is None or not form.validate_on_submit():
        return form, (400 if form.errors else 200), None
    try:
        if check_second_factor(user, form.code.data):
            return form, 200, user
    except LockedOut as locked:
        form.code.errors.append(
            _("There were too many wrong codes. Please wait %(minutes)s minutes and try again.",
              minutes=locked.minutes))
        return form, 429, None
    db.session.commit()  # keep the counted failure
    form.code.errors.append(_("The code is not correct. Type the 6 digits your app shows now, or a recovery code."))
    return form, 400, None


@bp.route("/login/code", methods=["GET", "POST"])
@ip_limited
def login_code():
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    if pending_user() is None:
        flash(_("Please log in again: the code must follow the password within 5 minutes."), "error")
        return redirect(url_for("accounts.login"))
    form, status, user = code_step_form()
    if user is not None:
        return _signed_in(user)
    return render_template("accounts/login_code.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    end_session(current_user)
    db.session.commit()
    flash(_("You have been logged out."), "success")
    return redirect(url_for("core.home"))


@bp.route("/apply", methods=["GET", "POST"], endpoint="apply")
@ip_limited
def apply_view():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.account"))
    form = ApplicationForm()
    form.set_districts(districts())
    if form.validate_on_submit():
        # A resend (double click, lost response) would be told its own login ID is taken; it goes
        # to the slip instead (sign-in first if the first response's cookie never arrived).
        if (resent := already_sent()) is not None:
            return resent
        try:
            user = apply(
                login_id=form.login_id.data,
                nickname=form.nickname.data,
                password=form.password.data,
                birth_date=form.birth_date_value,
                district_id=form.district_id.data,
                email=form.email.data,
            )
        except AccountError as error:
            form.login_id.errors.append(error.message)
        else:
            record_agreement(user, "online")
            if user.email:
                send_email_confirmation(user, user.email)
            start_session(user)
            db.session.commit()
            flash(_("Your application has been received."), "success")
            return redirect(url_for("accounts.slip"))
    return (
        render_template("accounts/apply.html", form=form, password_hint=PASSWORD_HINT),
        400 if form.errors else 200,
    )


@bp.get("/apply/slip")
@login_required
def slip():
    if not current_user.is_applied or not current_user.application_code:
        flash(_("Your identity has already been verified; there is no slip to print."), "success")
        return redirect(url_for("accounts.account"))
    code = current_user.application_code
    return render_template(
        "accounts/slip.html",
        code=format_code(code),
        qr_svg=qr.svg(code, label=_("QR code of application code %(code)s", code=format_code(code))),
        facilities=verifying_facilities(),
        expiry_days=current_app.config.get("APPLICATION_EXPIRY_DAYS", 30),
    )


@bp.get("/account")
@login_required
def account():
    user = current_user
    minor_end = minor_until(user.birth_date) if user.birth_date else None
    return render_template(
        "accounts/account.html",
        user=user,
        code=format_code(user.application_code),
        can_write=can(user, Capability.write),
        minor_end=minor_end,
        facilities=verifying_facilities() if user.is_applied else [],
        expiry_days=current_app.config.get("APPLICATION_EXPIRY_DAYS", 30),
    )


@bp.post("/account/sessions/end-all")
@login_required
def end_all():
    user = current_user._get_current_object()
    end_all_sessions(user)
    end_session(user)
    db.session.commit()
    flash(_("You have been logged out on every device."), "success")
    return redirect(url_for("accounts.login"))


def change_password_form(user) -> tuple[ChangePasswordForm, int, bool]:
    """The change-password form, shared with the kiosk's screen: (form, status, changed).

    Only the caller's templates differ; a wrong current password is counted (committed) like a
    failed sign-in.
    """
    form = ChangePasswordForm()
    form.login_id = user.login_id
    if not form.validate_on_submit():
        return form, (400 if form.errors else 200), False
    try:
        change_password(user, current_password=form.current_password.data, new_password=form.password.data)
    except LockedOut as locked:
        form.current_password.errors.append(
            _("There were too many wrong passwords. Please wait %(minutes)s minutes and try again.",
              minutes=locked.minutes))
        return form, 429, False
    except AccountError as error:
        db.session.commit()  # keep the counted failure
        form.current_password.errors.append(error.message)
        return form, 400, False
    db.session.commit()
    return form, 200, True


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@ip_limited
def password_change():
    form, status, changed = change_password_form(current_user._get_current_object())
    if changed:
        flash(_("Your password has been changed. You have been logged out on your other devices."), "success")
        return redirect(url_for("accounts.account"))
    return render_template("accounts/password_change.html", form=form, password_hint=PASSWORD_HINT), status


def _email_page(change: EmailChangeForm | None = None, remove: EmailRemoveForm | None = None, status: int = 200):
    user = current_user._get_current_object()
    return render_template(
        "accounts/email.html", user=user, pending=pending_email(user),
        change=change or EmailChangeForm(formdata=None), remove=remove or EmailRemoveForm(formdata=None, prefix="remove"),
    ), status


def _password_error(form, error: Exception) -> int:
    """A wrong current password (counted, so committed) or a lockout, shown on the form's field."""
    if isinstance(error, LockedOut):
        form.current_password.errors.append(
            _("There were too many wrong passwords. Please wait %(minutes)s minutes and try again.",
              minutes=error.minutes))
        return 429
    db.session.commit()  # keep the counted failure
    form.current_password.errors.append(error.message)
    return 400


@bp.get("/account/email")
@login_required
def email():
    return _email_page()


@bp.post("/account/email")
@login_required
@ip_limited
def email_change():
    form = EmailChangeForm()
    if not form.validate_on_submit():
        return _email_page(change=form, status=400)
    try:
        request_email_change(current_user, email=form.email.data, current_password=form.current_password.data)
    except (LockedOut, AccountError) as error:
        return _email_page(change=form, status=_password_error(form, error))
    db.session.commit()
    flash(_("We have sent a link to %(email)s. Open it within 24 hours to confirm the address.",
            email=form.email.data.strip()), "success")
    return redirect(url_for("accounts.email"))


@bp.post("/account/email/remove")
@login_required
@ip_limited
def email_remove():
    form = EmailRemoveForm(prefix="remove")
    if not form.validate_on_submit():
        return _email_page(remove=form, status=400)
    try:
        remove_email(current_user, current_password=form.current_password.data)
    except (LockedOut, AccountError) as error:
        return _email_page(remove=form, status=_password_error(form, error))
    db.session.commit()
    flash(_("Your e-mail address has been removed. No more e-mail will be sent to you."), "success")
    return redirect(url_for("accounts.email"))


@bp.route("/account/email/confirm/<token>", methods=["GET", "POST"])
@ip_limited
def email_confirm(token: str):
    """The link in the mail; it works without signing in (opening it proves the address)."""
    form = EmailConfirmForm()
    try:
        link = link_for(token)
        if form.validate_on_submit():
            confirm_email(token)
            db.session.commit()
            flash(_("Your e-mail address has been confirmed."), "success")
            return redirect(url_for("accounts.email" if current_user.is_authenticated else "core.home"))
    except LinkError as error:
        return render_template("accounts/email_link.html", error=error.message), error.status
    return render_template("accounts/email_confirm.html", form=form, link=link)


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
@ip_limited
def two_factor():
    """Set up two-factor sign-in: a QR code and the secret as text, then a code typed from the app."""
    user = current_user._get_current_object()
    if user.has_two_factor:
        return render_template("accounts/two_factor.html", user=user, off=TwoFactorOffForm(),
                               required=required_for(user), codes_left=recovery_codes_left(user))
    secret = start_enrolment(user)
    form = TwoFactorEnrolForm()
    if form.validate_on_submit():
        try:
            codes = confirm_enrolment(user, form.code.data)
        except AccountError as error:
            form.code.errors.append(error.message)
        else:
            db.session.commit()
            return render_template("accounts/two_factor_codes.html", codes=codes)
    db.session.commit()  # the new secret, so that reloading the page shows the same QR code
    return render_template(
        "accounts/two_factor_setup.html", form=form, secret=" ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
        qr_svg=qr.svg(provisioning_uri(user, secret), label=_("QR code for your authenticator app")),
        required=required_for(user),
    ), (400 if form.errors else 200)


@bp.post("/account/two-factor/off")
@login_required
@ip_limited
def two_factor_off():
    user = current_user._get_current_object()
    form = TwoFactorOffForm()
    if form.validate_on_submit():
        try:
            turn_off(user, current_password=form.current_password.data)
        except (LockedOut, AccountError) as error:
            status = _password_error(form, error)
        else:
            db.session.commit()
            flash(_("Two-factor sign-in is now off."), "success")
            return redirect(url_for("accounts.account"))
    else:
        status = 400
    return render_template("accounts/two_factor.html", user=user, off=form, required=required_for(user),
                           codes_left=recovery_codes_left(user)), status


@bp.get("/suspended")
@login_required
def suspended():
    if not current_user.is_suspended:
        abort(404)
    return render_template(
        "accounts/suspended.html", user=current_user, last_day=suspension_last_day(current_user)
    )


@bp.route("/password/reset", methods=["GET", "POST"])
@ip_limited
def password_reset():
    form = PasswordResetForm()
    status = 200
    if form.validate_on_submit():
        try:
            reset_password(form.login_id.data, form.code.data, form.password.data)
        except LockedOut as locked:
            status = 429
            form.code.errors.append(
                _("There were too many wrong codes. Please wait %(minutes)s minutes and try again.",
                  minutes=locked.minutes)
            )
        except AccountError as error:
            db.session.commit()  # keep the counted failure
            form.code.errors.append(error.message)
        else:
            if current_user.is_authenticated:
                end_session(current_user)
            db.session.commit()
            flash(_("Your new password has been set. Please log in with it."), "success")
            return redirect(url_for("accounts.login"))
    if form.errors and status == 200:
        status = 400
    return render_template("accounts/password_reset.html", form=form, password_hint=PASSWORD_HINT), status


@bp.route("/password/forgot", methods=["GET", "POST"])
@ip_limited
def password_forgot():
    form = EmailResetForm()
    if form.validate_on_submit():
        request_email_reset(form.login_id.data)
        db.session.commit()
        # The same answer whether or not the ID exists or has an address.
        flash(
            _("If this login ID has an e-mail address, a code has been sent to it. "
              "Otherwise, please ask staff at a facility."),
            "success",
        )
        return redirect(url_for("accounts.password_reset"))
    return render_template("accounts/password_forgot.html", form=form), (400 if form.errors else 200)
