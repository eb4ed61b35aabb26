"""A full disk (or database) must not lose what a member typed, nor stop anyone reading.

`is_storage_full(error)` recognises the failure wherever it surfaces: a file write's OSError
(ENOSPC, EDQUOT), SQLite's SQLITE_FULL ("database or disk is full") and PostgreSQL's disk_full
(SQLSTATE 53100), also when SQLAlchemy or another library wraps them.

- A POST that fails this way is rolled back (photo files written for it go with the rollback, see
  community/media/storage.py) and answered 503 by `kept_response()`: the typed fields, editable,
  in a form that sends them again to the same address with a fresh CSRF token and the same
  double-submit id (so a retry after a send that did succeed cannot post twice), plus a copy.
- Writes that only accompany reading (a session's or a kiosk's "last seen", a circle's "read up
  to") use `commit_or_skip()`, and applying the search outbox before a search catches it too: on
  a full disk they are dropped (the outbox rows stay for later) and logged.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import re
import sqlite3
from collections.abc import Callable

from flask import current_app, jsonify, render_template, request
from flask_babel import lazy_gettext as _l

from community.extensions import db

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 120
PG_DISK_FULL = "53100"

TITLE = _l("Could not be saved just now")
MESSAGE = _l(
    "The server could not save it just now. What you typed is kept below. Please wait a while and send it again."
)
MESSAGE_READING = _l("The server could not save anything just now. Please wait a while and try again.")

# Never echoed: secrets and the form's own protection. The CSRF token is replaced with a fresh one.
_SECRET = re.compile(r"password|passwd|secret|token|csrf|code", re.IGNORECASE)
# The project's hidden form fields: re-sent as they came, not shown (the double-submit id first).
CARRIED = frozenset({
    "submission_id", "submission_key", "form_key", "version", "seen", "seen_updated_at", "seen_answers",
    "next", "expected_status",
})
# Labels for the fields members write in; other fields show their name.
LABELS = {
    "title": _l("Title"), "body": _l("Body"), "text": _l("Text"), "comment": _l("Comment"),
    "name": _l("Name"), "description": _l("Description"), "message": _l("Message"), "answer": _l("Answer"),
    "note": _l("Note"), "place": _l("Place"), "reason": _l("Reason"), "nickname": _l("Nickname"),
    "bio": _l("About you"), "q": _l("Search words"),
}
# A value like this was chosen (an id, a choice, a date, a number), not written: re-sent, not shown.
_CHOSEN = re.compile(r"^[\w.:+/-]{0,40}$", re.ASCII)


def is_storage_full(error: BaseException | None) -> bool:
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if isinstance(error, sqlite3.Error) and (
            getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "database or disk is full" in str(error)
        ):
            return True
        if getattr(error, "sqlstate", None) == PG_DISK_FULL:  # psycopg
            return True
        error = getattr(error, "orig", None) or error.__cause__ or error.__context__
    return False


def commit_or_skip(what: str, write: Callable[[], object] | None = None):
    """Make (`write`) and commit a change that only accompanies reading; on a full disk drop it
    (logged) and let the page go on. Returns what `write` returned (True without one) once
    committed, None when skipped."""
    try:
        result = write() if write is not None else True
        db.session.commit()
    except Exception as error:
        if not is_storage_full(error):
            raise
        db.session.rollback()
        log.warning("storage full: %s skipped (%s)", what, error.__class__.__name__)
        return None
    return result


def _fields() -> tuple[list[dict], list[tuple[str, str]], bool]:
    """(shown, carried, secrets_dropped): the typed fields to show editable, the rest to re-send
    hidden, and whether a password or code was left out (it must be typed again)."""
    shown: list[dict] = []
    carried: list[tuple[str, str]] = []
    secrets_dropped = False
    for name in request.form:
        if _SECRET.search(name):
            secrets_dropped = secrets_dropped or (name != "csrf_token" and any(request.form.getlist(name)))
            continue
        for value in request.form.getlist(name):
            if name in CARRIED or (name not in LABELS and _CHOSEN.match(value)):
                carried.append((name, value))
            else:
                label = LABELS.get(name, name)
                shown.append({"name": name, "label": label, "value": value,
                              "long": "\n" in value or len(value) > 80 or name in ("body", "text", "comment")})
    return shown, carried, secrets_dropped


def kept_response(template: str = "errors/storage_full.html"):
    """The 503 answer to a POST whose save failed for lack of space: nothing typed is lost."""
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    shown, carried, secrets_dropped = _fields()
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    if request.path.startswith("/api/") or best == "application/json":
        return jsonify(error=str(TITLE), message=str(MESSAGE),
                       fields={f["name"]: f["value"] for f in shown}), 503, headers
    files_dropped = any(f.filename for f in request.files.values())
    copy = "\n\n".join(f"{f['label']}:\n{f['value']}" for f in shown)
    context = {"title": TITLE, "message": MESSAGE, "shown": shown, "carried": carried, "copy": copy,
               "files_dropped": files_dropped, "secrets_dropped": secrets_dropped,
               "action": request.full_path.rstrip("?")}
    try:
        html = render_template(template, **context)
    except Exception:  # noqa: BLE001 - the layout reads the database: then the form alone, unstyled
        log.exception("the storage-full page could not be drawn in the layout")
        with contextlib.suppress(Exception):
            db.session.rollback()
        # Without the context processors (they ask the database too).
        html = current_app.jinja_env.get_template("errors/storage_full_bare.html").render(**context)
    return html, 503, headers
