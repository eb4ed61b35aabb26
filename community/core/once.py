"""Double-submit protection: a form sent twice creates its content once.

A form opts in with `{{ submission_field() }}` (a hidden, random `submission_id`). The first commit
of that POST which inserts rows also inserts a `form_submission` row with the id, in the same
transaction, so "the post exists" and "the id is used" are committed together or not at all.
Sending the same form again (a double click, a retry after a lost response, a reload) inserts the
same primary key: that transaction is rolled back whole (its photo files removed with it) and the
sender is redirected to what the first send produced, with a message, instead of posting again.
The check happens at the commit, not before the view: the view parses its own form first (with
its own size limits), and a racing pair of sends is decided by the database, not by a read.

Rows live in the database, so this holds across processes and machines.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from flask import Flask, flash, g, has_request_context, redirect, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import String, delete, event, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from community.core.database import UTCDateTime, utcnow
from community.core.urls import safe_next
from community.extensions import db

FIELD = "submission_id"
KEEP = timedelta(days=2)
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_INSERTED = "tsunagari.once.inserted"


class FormSubmission(db.Model):
    __tablename__ = "form_submission"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(default=None)
    # Where the first send led (a same-site path), filled in after its response was decided.
    location: Mapped[str | None] = mapped_column(String(500), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


def insert_or_earlier(row, submission_key: str | None):
    """Insert `row` (a model with a unique `submission_key`) in a savepoint. Returns `(row, True)`,
    or `(earlier, False)` when the same form sent at the same moment was stored by the other
    request first (its own key check came too early to see it)."""
    model = type(row)
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        earlier = db.session.scalar(select(model).where(model.submission_key == submission_key)) \
            if submission_key else None
        if earlier is None:
            raise
        return earlier, False
    return row, True


def submission_field() -> Markup:
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, secrets.token_urlsafe(24))


def submitted_token() -> str | None:
    """The id sent with this POST, read only from a form the view has already parsed."""
    if not has_request_context() or request.method != "POST":
        return None
    form = request.__dict__.get("form")  # werkzeug caches the parsed form here; never parse it ourselves
    value = form.get(FIELD, "") if form is not None else ""
    return value if _TOKEN_RE.match(value) else None


def already_sent():
    """The answer to a second send, or None: for views whose own checks would refuse a resend before
    the commit ("name taken", "already requested", "already answered") with a misleading error.
    Call it after the form is parsed; a racing pair is still decided at the commit."""
    token = submitted_token()
    row = db.session.get(FormSubmission, token) if token is not None else None
    return _already_sent(row) if row is not None else None


def _already_sent(row: FormSubmission | None):
    flash(_("This was already sent, so it was not sent again."), "info")
    target = (row.location if row is not None else None) or safe_next(request.full_path.rstrip("?"))
    return redirect(target or url_for("core.home"), code=303)


def _is_app_session(session: Session) -> bool:
    return db.session.registry.has() and db.session.registry() is session


def _after_flush(session: Session, flush_context) -> None:
    if any(not isinstance(obj, FormSubmission) for obj in session.new):
        session.info[_INSERTED] = True


def _before_commit(session: Session) -> None:
    if not has_request_context() or g.get("submission_recorded") or not _is_app_session(session):
        return
    token = submitted_token()
    if token is None:
        return
    if session.new or session.dirty or session.deleted:
        session.flush()
    if not session.info.pop(_INSERTED, False):
        return  # e.g. the sign-in's "last seen" update: not the content this form sends
    user = g.get("_login_user")  # not current_user: this commit may be the one inside the user loader
    session.execute(delete(FormSubmission).where(FormSubmission.created_at < utcnow() - KEEP))
    g.submission_token = token
    session.add(FormSubmission(token=token, user_id=getattr(user, "id", None)))
    session.flush()  # a second send fails here (same primary key), inside the transaction of its content
    g.submission_recorded = True


def _forget(session: Session, *args) -> None:
    session.info.pop(_INSERTED, None)


def _rolled_back(session: Session, previous_transaction) -> None:
    session.info.pop(_INSERTED, None)
    if previous_transaction.parent is None and has_request_context() and _is_app_session(session):
        g.pop("submission_recorded", None)


def init_app(app: Flask) -> None:
    app.add_template_global(submission_field)
    if not event.contains(Session, "before_commit", _before_commit):  # once per process, not per app
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_commit", _forget)
        event.listen(Session, "after_soft_rollback", _rolled_back)

    @app.after_request
    def remember_where_it_led(response):
        if g.get("submission_recorded") and response.status_code in (301, 302, 303, 307, 308):
            location = safe_next(response.headers.get("Location"))
            if location:
                try:
                    db.session.execute(
                        update(FormSubmission).where(FormSubmission.token == g.submission_token).values(location=location)
                    )
                    db.session.commit()
                except Exception:  # noqa: BLE001 - the content is committed; a later resend goes home instead
                    app.logger.warning("could not remember where a submission led")
                    db.session.rollback()
        return response

    @app.errorhandler(IntegrityError)
    def sent_before(error: IntegrityError):
        db.session.rollback()
        token = g.get("submission_token")
        if token and not g.get("submission_recorded"):
            row = db.session.get(FormSubmission, token)
            if row is not None:
                return _already_sent(row)
        # Not a second send: whatever handles unexpected errors (it logs; a kiosk draws its own page).
        fallback = app.error_handler_spec.get(None, {}).get(None, {}).get(Exception)
        if fallback is not None:
            return fallback(error)
        from community.core.errors import render_error

        app.logger.exception("integrity error on %s %s", request.method, request.path)
        return render_error(500)
