"""マイアカウント self-service: a member changes their own password.

Plain functions that flush and never commit; they raise AccountError (or LockedOut) with a
translatable message, which views turn into form errors.
"""

from __future__ import annotations

from flask import Flask, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, delete, select

from community import audit
from community.accounts.models import User, UserSession
from community.accounts.passwords import check_password, hash_password
from community.accounts.services import (
    AccountError,
    LockedOut,
    clear_failures,
    lockout_remaining,
    record_failure,
)
from community.extensions import db
from community.notifications import register_kind
from community.notifications.services import notify
from community.policy import register_notification_target

# Notifications about the member's own account (a password or address changed) point at the
# account itself; only its owner can ever see them.
NOTICE_TARGET = "account"
NOTICE_KINDS = ("password_changed",)


def _current_password_key(user: User) -> str:
    # Guessing the current password on a signed-in session left open is limited like sign-in.
    return "current:" + user.login_key


def check_current_password(user: User, password: str) -> None:
    """Raise LockedOut after too many wrong tries, AccountError for a wrong password (counted)."""
    key = _current_password_key(user)
    remaining = lockout_remaining(key)
    if remaining:
        raise LockedOut(remaining)
    if not check_password(user.password_hash, password or ""):
        record_failure(key)
        raise AccountError(_l("The current password is not correct."))
    clear_failures(key)


def change_password(user: User, *, current_password: str, new_password: str) -> int:
    """Set a new password; every other session of the member ends. Returns how many ended.

    The new password's strength is the form's job (the same rules as at application).
    """
    check_current_password(user, current_password)
    user.password_hash = hash_password(new_password)
    ended = db.session.execute(
        delete(UserSession).where(UserSession.user_id == user.id, UserSession.id != user.session_id)
    ).rowcount or 0
    db.session.flush()
    audit.record("account.password_changed", actor=user, target_type="user", target_id=user.id,
                 sessions_ended=ended)
    notify(user, "password_changed", target_type=NOTICE_TARGET, target_id=user.id)
    return ended


# --- notifications about one's own account --------------------------------------------------------

def own_account_ids(viewer) -> Select:
    return select(User.id).where(User.id == viewer.id)


def describe_notices(notifications) -> dict[int, tuple[str, str]]:
    texts = {
        "password_changed": _("Your password was changed. If this was not you, please ask staff at a facility "
                              "to reset your password at once."),
    }
    return {n.id: (texts[n.kind], url_for("accounts.account")) for n in notifications if n.kind in texts}


def register(app: Flask) -> None:
    register_notification_target(NOTICE_TARGET, own_account_ids)
    for kind in NOTICE_KINDS:
        register_kind(app, kind, describe_notices)
