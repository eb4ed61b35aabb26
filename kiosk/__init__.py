"""Kiosk mode for shared PCs in libraries and community centres.

An enrolled browser (a KioskDevice's cookie) is always in kiosk mode: every request gets the kiosk
layout, ordinary pages redirect to their kiosk counterparts, and nothing of one visitor stays for the next.
"""

from __future__ import annotations

from flask import Flask, Response, g, redirect, request, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from community.core.storage_full import commit_or_skip

# Endpoints an enrolled PC may still reach outside the kiosk blueprint.
_PASSTHROUGH = {"static", "core.healthz"}
_PASSTHROUGH_BLUEPRINTS = {"media"}  # photos inside diaries and circles


def _kiosk_counterpart(endpoint: str) -> str:
    """Where an ordinary page sends a kiosk: the same thing in kiosk form, or the start."""
    args = {}
    mapping = {
        "accounts.login": "kiosk.login",
        "announcements.index": "kiosk.announcements",
        "core.help_page": "kiosk.help_page",
    }
    if endpoint == "announcements.show" and request.view_args:
        return url_for("kiosk.announcement", announcement_id=request.view_args["announcement_id"])
    view_args = request.view_args or {}
    if endpoint == "terms.document":
        return url_for("kiosk.terms", kind=view_args.get("kind", "terms"))
    if endpoint == "circles.show" and "kiosk.circle" in _app_endpoints():
        return url_for("kiosk.circle", circle_id=view_args["circle_id"])
    if endpoint == "circles.topic" and "kiosk.circle_topic" in _app_endpoints():
        return url_for("kiosk.circle_topic", topic_id=view_args["topic_id"])
    if endpoint == "circles.index" and "kiosk.circles" in _app_endpoints():
        return url_for("kiosk.circles")
    if endpoint == "search.index" and "kiosk.search" in _app_endpoints():
        if request.args.get("q"):
            args["q"] = request.args["q"]
        return url_for("kiosk.search", **args)
    if endpoint in mapping:
        return url_for(mapping[endpoint])
    return url_for("kiosk.home" if current_user.is_authenticated else "kiosk.welcome")


def _app_endpoints():
    from flask import current_app

    return current_app.view_functions


def init_app(app: Flask) -> None:
    from kiosk import (  # noqa: F401 - models register their tables
        banner,  # noqa: F401 - the emergency banner's refresh
        demo,
        device,
        drafts,
        errors,
        flows,  # noqa: F401 - adds the diary, circle and search screens that have landed
        models,
        services,
    )
    from kiosk.furigana import ruby
    from kiosk.staff import bp as staff_bp
    from kiosk.views import bp as kiosk_bp
    from kiosk.views import check_idle, finished_response, read_prefs

    app.register_blueprint(kiosk_bp)
    app.register_blueprint(staff_bp)

    # Per-IP sign-in limits must not lock out a whole facility behind one address (per-account limits stay).
    exempt = app.extensions.setdefault("tsunagari.ratelimit_exempt", [])
    if isinstance(exempt, list):
        exempt.append(device.is_kiosk_request)

    from flask_babel import lazy_gettext as _l

    from community.core.cli import register_demo_loader
    from community.core.layout import register_nav
    from community.policy import Capability

    register_demo_loader(app, 80, demo.load)
    register_nav(app, 95, "kiosk_staff.index", _l("Kiosks"), capability=Capability.manage_kiosks)
    errors.init_app(app)

    def enforce_kiosk_mode():
        kiosk = device.current_kiosk()
        g.kiosk = kiosk
        if kiosk is None or request.endpoint == "static":
            return None
        if commit_or_skip("a kiosk's last-use time", lambda: services.touch_device(kiosk)):
            g._kiosk_refresh_cookie = True
        endpoint = request.endpoint or ""
        if current_user.is_authenticated and current_user.is_suspended:
            # The ordinary "suspended" page would lead out of kiosk mode: end the visit instead.
            return finished_response("suspended")
        if endpoint.startswith("kiosk."):
            return check_idle()
        if endpoint in _PASSTHROUGH or request.blueprint in _PASSTHROUGH_BLUEPRINTS:
            return None
        # Nothing a visitor does leads out of kiosk mode: ordinary pages (and unknown URLs) redirect.
        return redirect(_kiosk_counterpart(endpoint), code=303)

    # First in line, before the other packages' hooks (which would redirect to ordinary pages).
    app.before_request_funcs.setdefault(None, []).insert(0, enforce_kiosk_mode)

    @app.after_request
    def kiosk_headers(response: Response) -> Response:
        if g.get("_kiosk_cookie_stale"):
            device.delete_device_cookie(response)
        if g.get("kiosk") is None:
            return response
        if request.endpoint != "static":
            # Nothing of a visit may be kept on the shared PC, not even the welcome screen.
            response.headers["Cache-Control"] = "no-store"
            response.vary.add("Cookie")
        if g.get("_kiosk_refresh_cookie") and "Clear-Site-Data" not in response.headers:
            device.set_device_cookie(response, request.cookies[device.COOKIE])
        return response

    @app.context_processor
    def kiosk_context():
        kiosk = g.get("kiosk")
        if kiosk is None:
            return {"kiosk": None}
        return {
            "kiosk": kiosk,
            "kiosk_settings": services.settings_for(kiosk.facility_id),
            "kiosk_prefs": read_prefs(),
            "kiosk_has_draft": drafts.has_draft(current_user),
        }

    def kana(text) -> Markup:
        """Furigana over the kiosk's own labels when the visitor turned them on."""
        text = str(text)
        if g.get("kiosk") is not None and "furigana" in read_prefs():
            return ruby(text)
        return escape(text)

    app.jinja_env.filters["kana"] = kana
