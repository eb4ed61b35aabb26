"""Japanese error pages that never show a stack trace."""

from __future__ import annotations

import contextlib

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from community.core import storage_full
from community.extensions import db, login_manager

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please check what you entered and try again.")),
    403: (_l("Not allowed"), _l("You do not have permission to open this page.")),
    404: (_l("Page not found"), _l("The page you were looking for does not exist or has been removed.")),
    405: (_l("Method not allowed"), _l("This page cannot be used in that way. Please go back and try again.")),
    413: (
        _l("Too large"),
        _l("What you sent is too large. Photos may be up to 10 MB each; please make them smaller and try again."),
    ),
    429: (_l("Too many attempts"), _l("There were too many attempts in a short time. Please wait a while and try again.")),
    500: (
        _l("Something went wrong"),
        _l("Sorry, a problem occurred on our side. Please try again later; if it keeps happening, contact the city."),
    ),
    503: (_l("Temporarily unavailable"), _l("The service is busy or under maintenance. Please try again in a moment.")),
}

CSRF_MESSAGE = _l(
    "The form was open for too long or was sent twice, so it was not accepted for your safety. "
    "Go back, reload the page and send it again."
)


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.path.startswith("/api/") or (
        best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def render_error(code: int, detail: str | None = None):
    title, message = MESSAGES.get(code, MESSAGES[500])
    if _wants_json():
        return jsonify(error=str(title), message=str(detail or message)), code
    try:
        return render_template("errors/error.html", code=code, title=title, message=detail or message), code
    except Exception:  # noqa: BLE001 - e.g. the database went away: loading the signed-in member failed
        with contextlib.suppress(Exception):
            db.session.rollback()
    # Draw it once more as if signed out (the layout then needs no database), else a bare page.
    g._login_user = login_manager.anonymous_user()
    try:
        return render_template("errors/error.html", code=code, title=title, message=detail or message), code
    except Exception:  # noqa: BLE001
        current_app.logger.exception("the error page could not be drawn")
    text, heading = escape(str(detail or message)), escape(str(title))
    return (f'<!doctype html><html lang="ja"><meta charset="utf-8"><title>{heading}</title>'
            f"<h1>{heading}</h1><p>{text}</p></html>"), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(400, str(CSRF_MESSAGE))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code or 500
        if code not in MESSAGES:
            code = 400 if 400 <= code < 500 else 500
        return render_error(code)

    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError):
        if storage_full.is_storage_full(error):
            return out_of_space(error)
        # A restarting database: a friendly 503; pool_pre_ping recovers the connections afterwards.
        app.logger.warning("database unavailable: %s", error.__class__.__name__)
        db.session.rollback()
        return render_error(503)

    @app.errorhandler(OSError)
    def file_error(error: OSError):
        if storage_full.is_storage_full(error):
            return out_of_space(error)
        # Any other OSError: whatever handles unexpected errors (looked up now: the kiosk wraps it).
        return app.error_handler_spec[None][None][Exception](error)

    def out_of_space(error: Exception):
        # Nothing half-written: the rollback also removes photo files written for this request.
        app.logger.error("storage full on %s %s: %s", request.method, request.path, error.__class__.__name__)
        with contextlib.suppress(Exception):
            db.session.rollback()
        if request.method == "POST":
            return storage_full.kept_response()
        return render_error(503, str(storage_full.MESSAGE_READING))

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the error page must render whatever the session's state
            app.logger.exception("rollback after error failed")
        return render_error(InternalServerError.code)
