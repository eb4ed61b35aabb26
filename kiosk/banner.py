"""The emergency banner reaches a kiosk screen that is already open.

With JavaScript, kiosk.js asks `/kiosk/emergencies` every 30 seconds and swaps the banner in when it
changed. Without it, reading screens (nothing to type, so nothing to lose) reload themselves every
60 seconds. Neither counts as the visitor doing something, so the idle logout still comes on time.
"""

from __future__ import annotations

import hashlib

from flask import g, make_response, render_template, request, url_for

from kiosk.views import AUTO_REFRESH_ARG, bp

POLL_HEADER = "X-Kiosk-Banner-Version"
REFRESH_SECONDS = 60
# Screens with no field to type in: a reload there loses nothing. Any other screen (login, search,
# the diary steps, screens added later) never reloads by itself.
READING_SCREENS = {
    "kiosk.welcome", "kiosk.home", "kiosk.help_page", "kiosk.apply", "kiosk.announcements",
    "kiosk.announcement", "kiosk.circles", "kiosk.circle", "kiosk.circle_topic", "kiosk.diaries", "kiosk.diary",
}


@bp.app_template_filter("banner_version")
def banner_version(html) -> str:
    return hashlib.sha256(str(html).strip().encode()).hexdigest()[:16]


@bp.app_context_processor
def auto_refresh():
    if g.get("kiosk") is None or request.endpoint not in READING_SCREENS or request.method != "GET":
        return {"kiosk_refresh_url": None}
    args = {**(request.view_args or {}), **request.args.to_dict(), AUTO_REFRESH_ARG: "1"}
    return {"kiosk_refresh_url": url_for(request.endpoint, **args), "kiosk_refresh_seconds": REFRESH_SECONDS}


@bp.get("/emergencies")
def emergency_banner():
    """The banner alone (empty when there is no emergency), with a version to compare."""
    html = render_template("announcements/_kiosk_banner.html")
    response = make_response(html)
    response.headers[POLL_HEADER] = banner_version(html)
    return response
