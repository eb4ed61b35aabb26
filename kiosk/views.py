"""The kiosk screens: welcome, login, home, notices, help, logout. Feature flows live in flows.py."""

from __future__ import annotations

import time
from functools import wraps

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from community.accounts.forms import PASSWORD_HINT
from community.accounts.services import AuthenticationError, LockedOut, authenticate
from community.accounts.sessions import end_session, start_session
from community.accounts.twofactor import begin_code_step, pending_user
from community.accounts.views import change_password_form, code_step_form
from community.announcements.models import Announcement
from community.announcements.services import current_announcements
from community.core.urls import safe_next
from community.extensions import db
from community.policy import can_open_announcement
from community.terms import services as terms
from kiosk import drafts, services
from kiosk.device import COOKIE, PREFS_COOKIE, current_kiosk, set_device_cookie
from kiosk.forms import KioskLoginForm
from kiosk.services import settings_for

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk", template_folder="templates")

PREFS = ("furigana", "large")
# A little slack on top of the facility's timings, so the browser's own countdown always acts first.
_SERVER_GRACE_SECONDS = 30


ENDED_REASONS = ("logout", "timeout", "suspended")
# Requests the page makes by itself (the banner check, the no-script reload): not a sign that anyone is there.
AUTO_REFRESH_ARG = "auto"
PASSIVE_ENDPOINTS = {"kiosk.emergency_banner"}


@bp.before_request
def only_on_kiosks():
    if request.endpoint == "kiosk.welcome" and "handoff" in request.args:
        return resume_after_logout()
    # Kiosk screens exist only on enrolled PCs; elsewhere they are simply not there.
    if current_kiosk() is None:
        abort(404)
    return None


def _clean_welcome_url() -> str:
    ended = request.args.get("ended")
    return url_for("kiosk.welcome", ended=ended if ended in ENDED_REASONS else None)


def resume_after_logout():
    """The logout redirect's hand-off: re-set the enrolment cookie that Clear-Site-Data removed.

    Then a redirect to the plain welcome URL, so the used token leaves the address bar and history.
    """
    redeemed = services.redeem_handoff(request.args.get("handoff"))
    db.session.commit()
    if redeemed is None:
        if current_kiosk() is not None:  # still enrolled (the browser kept its cookie): nothing lost
            response = redirect(_clean_welcome_url(), code=303)
        else:
            # Replayed, expired or revoked: enrol nothing. Staff can enrol the PC again.
            response = make_response(render_template("kiosk/handoff_failed.html"), 400)
    else:
        _device, token = redeemed
        response = redirect(_clean_welcome_url(), code=303)
        g._kiosk_cookie_stale = False  # a dead cookie from before must not delete the new one
        set_device_cookie(response, token)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def kiosk_login_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("kiosk.login"), code=303)
        return view(*args, **kwargs)

    return wrapped


def read_prefs() -> set[str]:
    return {p for p in request.cookies.get(PREFS_COOKIE, "").split(".") if p in PREFS}


def idle_limit_seconds() -> int:
    row = settings_for(g.kiosk.facility_id)
    return (row.idle_minutes + row.warning_minutes) * 60 + _SERVER_GRACE_SECONDS


def finished_response(reason: str):
    """End the visit: the server session, then everything the browser kept for this site.

    Clear-Site-Data "cookies" also removes the enrolment cookie (Chromium applies it after this
    response's own Set-Cookie, see docs/kiosk.md), so the redirect carries a one-time hand-off token
    and the welcome screen re-enrols the PC with it.
    """
    if current_user.is_authenticated:
        drafts.discard_draft(current_user)  # an unsent diary is not kept for anyone
        end_session(current_user)
    else:
        session.clear()
    db.session.commit()
    handoff = services.issue_handoff(g.kiosk)
    db.session.commit()
    response = redirect(url_for("kiosk.welcome", ended=reason, handoff=handoff), code=303)
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    response.headers["Referrer-Policy"] = "no-referrer"
    # For browsers without Clear-Site-Data: delete the visit's cookies by name (the hand-off renews ours).
    for name in request.cookies:
        if name != COOKIE:
            response.delete_cookie(name, path="/")
    return response


def check_idle():
    """The server's own idle logout, for when the page's countdown could not run (script off, tab asleep)."""
    if not current_user.is_authenticated:
        return None
    now = time.time()
    seen = session.get("kiosk_seen")
    if seen is not None and now - float(seen) > idle_limit_seconds():
        return finished_response("timeout")
    if request.endpoint not in PASSIVE_ENDPOINTS and AUTO_REFRESH_ARG not in request.args:
        session["kiosk_seen"] = now
    return None


@bp.get("/")
def welcome():
    if current_user.is_authenticated:
        return redirect(url_for("kiosk.home"), code=303)
    ended = request.args.get("ended")
    return render_template("kiosk/welcome.html", ended=ended if ended in ENDED_REASONS else None)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("kiosk.home"), code=303)
    form = KioskLoginForm()
    if form.validate_on_submit():
        try:
            user = authenticate(form.login_id.data, form.password.data)
        except LockedOut as locked:
            db.session.commit()
            form.password.errors.append(
                _("There were too many wrong passwords. Please wait %(minutes)s minutes, or ask the staff.",
                  minutes=locked.minutes)
            )
            return render_template("kiosk/login.html", form=form), 429
        except AuthenticationError:
            db.session.commit()  # the failure counts towards the per-account limit
            form.password.errors.append(_("The login ID or password is not right. Please check and try again."))
        else:
            if user.is_suspended:
                db.session.commit()
                form.password.errors.append(
                    _("This account is suspended at the moment. Please ask the staff.")
                )
                return render_template("kiosk/login.html", form=form), 403
            if user.has_two_factor:
                db.session.commit()
                begin_code_step(user)
                return redirect(url_for("kiosk.login_code"), code=303)
            return _kiosk_signed_in(user)
    return render_template("kiosk/login.html", form=form), (400 if form.errors else 200)


def _kiosk_signed_in(user):
    start_session(user)
    session["kiosk_seen"] = time.time()
    db.session.commit()
    return redirect(url_for("kiosk.home"), code=303)


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    """The code step on a kiosk. There is no "trust this PC": every visit asks for the code again."""
    if current_user.is_authenticated:
        return redirect(url_for("kiosk.home"), code=303)
    if pending_user() is None:
        return redirect(url_for("kiosk.login"), code=303)
    form, status, user = code_step_form()
    if user is not None:
        return _kiosk_signed_in(user)
    form.code.render_kw = {**(form.code.render_kw or {}), "autocomplete": "off"}
    return render_template("kiosk/login_code.html", form=form), status


@bp.get("/home")
@kiosk_login_required
def home():
    return render_template("kiosk/home.html")


@bp.route("/password", methods=["GET", "POST"])
@kiosk_login_required
def password():
    """パスワードを変える, on the kiosk's large screen; nothing typed is kept or autofilled."""
    form, status, changed = change_password_form(current_user._get_current_object())
    if changed:
        return render_template("kiosk/password_changed.html")
    for field in (form.current_password, form.password, form.password_again):
        field.render_kw = {**(field.render_kw or {}), "autocomplete": "off"}
    return render_template("kiosk/password.html", form=form, password_hint=PASSWORD_HINT), status


@bp.post("/logout")
def logout():
    reason = "timeout" if request.form.get("reason") == "timeout" else "logout"
    if reason == "logout" and not request.form.get("discard") and drafts.has_draft(current_user):
        # おわる with an unsent diary: say that it will be discarded, and offer to go back to it.
        return render_template("kiosk/finish_confirm.html")
    return finished_response(reason)


@bp.post("/keepalive")
def keepalive():
    """つづける: the person is still here (check_idle has already recorded the time)."""
    return ("", 204)


@bp.post("/prefs/<name>")
def toggle_pref(name: str):
    if name not in PREFS:
        abort(404)
    prefs = read_prefs() ^ {name}
    response = redirect(safe_next(request.form.get("next")) or url_for("kiosk.welcome"), code=303)
    # A session cookie: it goes with the browser session and with Clear-Site-Data at logout.
    response.set_cookie(
        PREFS_COOKIE, ".".join(sorted(prefs)), httponly=True, samesite="Strict", path="/",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )
    return response


@bp.get("/announcements")
def announcements():
    return render_template("kiosk/announcements.html", announcements=current_announcements(limit=50))


@bp.get("/announcements/<int:announcement_id>")
def announcement(announcement_id: int):
    """Like the site's page: a withdrawn or ended notice still opens and says so (and why)."""
    item = db.session.get(Announcement, announcement_id)
    if not can_open_announcement(current_user, item):
        abort(404)
    return render_template("kiosk/announcement.html", item=item, state=item.state())


@bp.get("/help")
def help_page():
    return render_template("kiosk/help.html")


@bp.get("/terms", defaults={"kind": "terms"}, endpoint="terms")
@bp.get("/privacy", defaults={"kind": "privacy"}, endpoint="terms")
def terms_page(kind: str):
    """The current 利用規約 or プライバシーポリシー inside kiosk mode (the site's pages are out of reach)."""
    doc = terms.published(kind)
    preamble, articles = terms.parse(doc.body) if doc else ([], [])
    return render_template("kiosk/terms.html", doc=doc, preamble=preamble, articles=articles,
                           kind_title=terms.KIND_TITLES[kind])


@bp.get("/apply")
def apply():
    """はじめての方: joining starts with staff at the counter, which is where this PC stands."""
    return render_template("kiosk/apply.html")
