"""Error pages in the kiosk layout on kiosks, so that even a 404 offers no way out of kiosk mode."""

from __future__ import annotations

from flask import Flask, g, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from community.core import storage_full
from community.core.errors import CSRF_MESSAGE, MESSAGES


def _kiosk_error(code: int, detail: str | None = None):
    title, message = MESSAGES.get(code, MESSAGES[500])
    return render_template("kiosk/error.html", code=code, title=title, message=detail or message), code


def init_app(app: Flask) -> None:
    # Wrap the site's handlers rather than replace them: they still log and roll back.
    handlers = app.error_handler_spec.setdefault(None, {}).setdefault(None, {})
    for exc_class in (CSRFError, HTTPException, OperationalError, OSError, Exception):
        original = handlers.get(exc_class)
        if original is None:
            continue

        def handler(error, _original=original, _exc_class=exc_class):
            result = _original(error)
            if g.get("kiosk") is None:
                return result
            if _exc_class is CSRFError:
                return _kiosk_error(400, str(CSRF_MESSAGE))
            if storage_full.is_storage_full(error):  # what was typed comes back inside the kiosk screens
                if request.method == "POST":
                    return storage_full.kept_response("kiosk/storage_full.html")
                return _kiosk_error(503, str(storage_full.MESSAGE_READING))
            if _exc_class in (OperationalError, OSError):
                return result  # not a full disk: the answer of the handler this wraps, as before
            code = getattr(error, "code", None) if isinstance(error, HTTPException) else 500
            return _kiosk_error(code if code in MESSAGES else 500)

        handlers[exc_class] = handler
