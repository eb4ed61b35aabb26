"""Security headers on every response, and a NUL in a query or form value refused (a 400)."""

from __future__ import annotations

import flask
from flask import Flask, Response, abort, request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "media-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def _has_nul(values: MultiDict) -> bool:
    return any("\x00" in key or any("\x00" in value for value in items) for key, items in values.lists())


class Request(flask.Request):
    """Refuses a NUL in form data (a 400) when the form is parsed.

    PostgreSQL refuses a NUL in any text (a 500); no browser sends one unless it is tampered with.
    Checked when parsed rather than up front, so a blueprint may still raise max_form_memory_size.
    """

    def _load_form_data(self) -> None:
        super()._load_form_data()
        if _has_nul(self.form):
            raise BadRequest()


def init_app(app: Flask) -> None:
    app.request_class = Request

    @app.before_request
    def refuse_nul_in_query():
        if _has_nul(request.args):
            abort(400)

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", "geolocation=(), microphone=(), payment=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("ENV") == "production" and request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        # Pages for a logged-in person are never stored by shared caches or the browser's disk cache.
        if request.endpoint != "static" and "Cache-Control" not in response.headers:
            from flask_login import current_user

            if current_user and current_user.is_authenticated:
                response.headers["Cache-Control"] = "private, no-store"
                response.vary.add("Cookie")
        return response
