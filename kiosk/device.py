"""Which kiosk (if any) this request comes from: the enrolment cookie, read once per request."""

from __future__ import annotations

from datetime import timedelta

from flask import Response, current_app, g, has_request_context, request

from kiosk.models import KioskDevice
from kiosk.services import device_for_token

COOKIE = "tsunagari_kiosk"
PREFS_COOKIE = "tsunagari_kiosk_prefs"
# Chromium caps cookie lifetimes at 400 days; the cookie is re-set whenever the device is used.
COOKIE_MAX_AGE = timedelta(days=400)
_UNSET = object()


def current_kiosk() -> KioskDevice | None:
    """The enrolled, unrevoked device of this request (cached on g).

    Lazy rather than set in before_request, because Flask-Limiter's own before_request asks for it
    (per-IP login limits exempt kiosks) before ours would have run.
    """
    if not has_request_context():
        return None
    cached = g.get("_kiosk_device", _UNSET)
    if cached is not _UNSET:
        return cached
    token = request.cookies.get(COOKIE)
    device = device_for_token(token) if token else None
    g._kiosk_device = device
    g._kiosk_cookie_stale = bool(token) and device is None
    return device


def is_kiosk_request() -> bool:
    return current_kiosk() is not None


def set_device_cookie(response: Response, token: str) -> None:
    response.set_cookie(
        COOKIE,
        token,
        max_age=COOKIE_MAX_AGE,
        path="/",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Strict",
    )


def delete_device_cookie(response: Response) -> None:
    response.delete_cookie(
        COOKIE, path="/", secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")), httponly=True,
        samesite="Strict",
    )
