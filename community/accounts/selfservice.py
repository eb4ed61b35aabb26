"""マイアカウント self-service: a member changes their own password and e-mail address.

Plain functions that flush and never commit; they raise AccountError (or LockedOut) with a
translatable message, which views turn into form errors.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import Flask, current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, delete, func, select, update

from community import audit
from community.accounts.models import EmailConfirmation, User, UserSession
from community.accounts.passwords import check_password, hash_password
from community.accounts.services import (
    AccountError,
    LockedOut,
    clear_failures,
    lockout_remaining,
    record_failure,
)
from community.core.database import utcnow
from community.core.mail import queue_mail
from community.extensions import db
from community.notifications import register_kind
from community.notifications.services import notify
from community.policy import register_notification_target

# Notifications about the member's own account (a password or address changed) point at the
# account itself; only its owner can ever see them.
NOTICE_TARGET = "account"
NOTICE_KINDS = ("password_changed", "email_changed")
EMAIL_LINK_HOURS = 24
EMAIL_LINKS_PER_DAY = 5  # confirmation mails a member may ask for in 24 hours


class LinkError(AccountError):
    """A confirmation link that cannot be used; `status` is the HTTP answer (404 unknown, 410 spent)."""

    def __init__(self, message, status: int):
        super().__init__(message)
        self.status = status


def _site() -> str:
    return current_app.config["SITE_NAME"]


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
    notify(user, "password_changed", target_type=NOTICE_TARGET, target_id=user.id, email=False)
    if user.confirmed_email:
        queue_mail(
            user.confirmed_email,
            _("[%(site)s] Your password was changed", site=_site()),
            _("The password of your account %(login_id)s was changed. If you did this, there is nothing to do.\n\n"
              "If it was not you, please go to a facility with an identity document at once: staff will give "
              "you a code to set a new password, and every sign-in will end.", login_id=user.login_id),
        )
    return ended


# --- e-mail address ------------------------------------------------------------------------------

def hash_link_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def pending_email(user: User) -> EmailConfirmation | None:
    """The latest link still waiting to be opened, if any."""
    return db.session.scalar(
        select(EmailConfirmation)
        .where(EmailConfirmation.user_id == user.id, EmailConfirmation.used_at.is_(None),
               EmailConfirmation.expires_at > utcnow())
        .order_by(EmailConfirmation.created_at.desc(), EmailConfirmation.id.desc())
    )


def _close_pending_links(user: User) -> None:
    db.session.execute(
        update(EmailConfirmation)
        .where(EmailConfirmation.user_id == user.id, EmailConfirmation.used_at.is_(None))
        .values(expires_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def send_email_confirmation(user: User, email: str) -> str:
    """Mail a one-time link to `email`; nothing else is sent to an address before it is confirmed.

    Only the newest link works. Returns the token (the caller never shows it: it is for tests).
    """
    now = utcnow()
    sent = db.session.scalar(
        select(func.count()).select_from(EmailConfirmation)
        .where(EmailConfirmation.user_id == user.id, EmailConfirmation.created_at > now - timedelta(days=1))
    ) or 0
    if sent >= EMAIL_LINKS_PER_DAY:
        raise AccountError(_l("Too many confirmation e-mails were sent today. Please try again tomorrow."))
    _close_pending_links(user)
    token = secrets.token_urlsafe(32)
    db.session.add(EmailConfirmation(
        user_id=user.id, email=email, token_hash=hash_link_token(token), created_at=now,
        expires_at=now + timedelta(hours=EMAIL_LINK_HOURS),
    ))
    db.session.flush()
    queue_mail(
        email,
        _("[%(site)s] Please confirm your e-mail address", site=_site()),
        _("Someone (we hope you) gave this address for the account %(login_id)s. To confirm it, open this link "
          "within %(hours)s hours and press the button:\n\n%(url)s\n\nIf this was not you, ignore this message: "
          "nothing more will be sent to this address.", login_id=user.login_id, hours=EMAIL_LINK_HOURS,
          url=url_for("accounts.email_confirm", token=token, _external=True)),
    )
    audit.record("account.email_confirmation_sent", actor=user, target_type="user", target_id=user.id)
    return token


def request_email_change(user: User, *, email: str, current_password: str) -> str:
    """Add or change the address: a link goes to the new one; the old one stays until it is opened."""
    check_current_password(user, current_password)
    email = email.strip()
    if user.confirmed_email and user.confirmed_email.casefold() == email.casefold():
        raise AccountError(_l("This is already your confirmed e-mail address. Nothing was changed."))
    return send_email_confirmation(user, email)


def link_for(token: str) -> EmailConfirmation:
    """The confirmation a link stands for, or LinkError saying why it cannot be used."""
    row = db.session.scalar(select(EmailConfirmation).where(EmailConfirmation.token_hash == hash_link_token(token)))
    if row is None or row.user.status == "withdrawn":
        raise LinkError(_l("This link is not valid. Please check that the whole link was copied."), 404)
    if row.used_at is not None:
        raise LinkError(_l("This link has already been used. Your address may already be confirmed: see My "
                           "account."), 410)
    if row.expires_at <= utcnow():
        raise LinkError(_l("This link has expired, or a newer link was sent. Please ask for a new one from "
                           "My account."), 410)
    return row


def confirm_email(token: str) -> User:
    """Open a link: its address becomes the member's, and a previous confirmed address is told."""
    row = link_for(token)
    now = utcnow()
    claimed = db.session.execute(
        update(EmailConfirmation)
        .where(EmailConfirmation.id == row.id, EmailConfirmation.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:  # the same link opened twice at once
        raise LinkError(_l("This link has already been used. Your address may already be confirmed: see My "
                           "account."), 410)
    user = row.user
    previous = user.confirmed_email
    user.email, user.email_confirmed_at = row.email, now
    _close_pending_links(user)
    db.session.flush()
    if previous and previous.casefold() != row.email.casefold():
        queue_mail(
            previous,
            _("[%(site)s] Your e-mail address was changed", site=_site()),
            _("The e-mail address of the account %(login_id)s was changed to another address. Nothing more will "
              "be sent here.\n\nIf it was not you, please go to a facility with an identity document at once.",
              login_id=user.login_id),
        )
    audit.record("account.email_confirmed", actor=user, target_type="user", target_id=user.id,
                 changed=bool(previous))
    notify(user, "email_changed", target_type=NOTICE_TARGET, target_id=user.id, email=False)
    return user


def remove_email(user: User, *, current_password: str) -> None:
    check_current_password(user, current_password)
    if not user.email and pending_email(user) is None:
        raise AccountError(_l("There is no e-mail address to remove. Nothing was changed."))
    previous = user.confirmed_email
    user.email, user.email_confirmed_at = None, None
    _close_pending_links(user)
    db.session.flush()
    if previous:
        queue_mail(
            previous,
            _("[%(site)s] Your e-mail address was removed", site=_site()),
            _("The e-mail address of the account %(login_id)s was removed. Nothing more will be sent here.\n\n"
              "If it was not you, please go to a facility with an identity document at once.",
              login_id=user.login_id),
        )
    audit.record("account.email_removed", actor=user, target_type="user", target_id=user.id)


# --- notifications about one's own account --------------------------------------------------------

def own_account_ids(viewer) -> Select:
    return select(User.id).where(User.id == viewer.id)


def describe_notices(notifications) -> dict[int, tuple[str, str]]:
    texts = {
        "password_changed": _("Your password was changed. If this was not you, please ask staff at a facility "
                              "to reset your password at once."),
        "email_changed": _("Your e-mail address was changed. If this was not you, please ask staff at a facility "
                           "at once."),
    }
    return {n.id: (texts[n.kind], url_for("accounts.account")) for n in notifications if n.kind in texts}


def register(app: Flask) -> None:
    register_notification_target(NOTICE_TARGET, own_account_ids)
    for kind in NOTICE_KINDS:
        register_kind(app, kind, describe_notices)
