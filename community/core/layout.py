"""What every page's layout needs: the emergency banner, capabilities and date filters."""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_babel import get_locale
from flask_login import current_user

from community.core import i18n
from community.core.settings import site_settings
from community.policy import Capability, can, why_cannot


def register_nav(app: Flask, order: int, endpoint: str, label, capability: Capability | None = None) -> None:
    """Feature packages add their entry to the main navigation; with `capability`, only viewers
    who have it (per the policy) see the entry."""
    app.extensions.setdefault("tsunagari.nav", []).append((order, endpoint, label, capability))


def init_app(app: Flask) -> None:
    def has_endpoint(endpoint: str) -> bool:
        return endpoint in app.view_functions

    app.jinja_env.globals["has_endpoint"] = has_endpoint
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["jdate"] = i18n.format_date
    app.jinja_env.filters["jdatetime"] = i18n.format_datetime
    app.jinja_env.globals["can"] = lambda capability: can(current_user, capability)
    app.jinja_env.globals["why_cannot"] = lambda capability: why_cannot(current_user, capability)
    app.jinja_env.globals["Capability"] = Capability

    @app.context_processor
    def layout_context():
        from community.announcements.services import current_emergencies

        emergencies = []
        if request.endpoint != "static":
            try:
                emergencies = current_emergencies()
            except Exception:  # noqa: BLE001 - a missing table must not take every page down
                current_app.logger.exception("could not load emergency notices")
        locale = get_locale()
        return {
            "site_name": current_app.config["SITE_NAME"],
            "city_name": site_settings().city_name,
            "emergencies": emergencies,
            "lang": locale.language if locale else "ja",
            "main_nav": [
                {"endpoint": item[1], "label": item[2]}
                for item in sorted(app.extensions.get("tsunagari.nav", []), key=lambda i: i[0])
                if len(item) < 4 or item[3] is None or can(current_user, item[3])
            ],
        }
