"""Server-side sign-in sessions for Flask-Login."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import request, session
from flask_login import login_user, logout_user
from sqlalchemy import delete

from community.accounts.models import User, UserSession
from community.core.database import utcnow
from community.core.storage_full import commit_or_skip
from community.extensions import db, login_manager

# Touch last_seen_at at most this often, so reading pages does not write on every request.
_TOUCH_EVERY = timedelta(minutes=5)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    row = db.session.get(UserSession, session_id)
    if row is None:
        return None
    user = row.user
    if user.status == "withdrawn":
        return None
    user.session_id = row.id
    now = utcnow()
    changed = False
    if user.is_suspended and user.suspended_until is not None and user.suspended_until <= now:
        from community.accounts.services import lift_expired_suspension

        changed = lift_expired_suspension(user)
    if now - row.last_seen_at > _TOUCH_EVERY:
        row.last_seen_at = now
        changed = True
    if changed:
        commit_or_skip("a session's last-seen time")  # a full disk must not sign anyone out
    return user


def start_session(user: User) -> UserSession:
    """Sign in: a fresh cookie session (rotation against fixation) tied to a new server row."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    row = UserSession(
        id=secrets.token_urlsafe(32),
        user_id=user.id,
        user_agent=(request.user_agent.string or "")[:200],
    )
    db.session.add(row)
    db.session.flush()
    user.session_id = row.id
    login_user(user)
    return row


def end_session(user: User | None) -> None:
    if user is not None and user.session_id:
        db.session.execute(delete(UserSession).where(UserSession.id == user.session_id))
    logout_user()
    session.clear()


def end_all_sessions(user: User) -> int:
    result = db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    return result.rowcount or 0
