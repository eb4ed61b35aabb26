"""Two-factor sign-in (TOTP, RFC 6238) with one-time recovery codes.

Required for staff and administrators when TWO_FACTOR_REQUIRED is on (the default in production),
offered to every member. The secret is stored encrypted with a key derived from SECRET_KEY, so a
copy of the database alone does not give the codes; recovery codes are stored hashed. Plain
functions that flush and never commit.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from flask import current_app, session
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from community import audit
from community.accounts.models import RecoveryCode, User, UserSession
from community.accounts.selfservice import check_current_password
from community.accounts.services import (
    CODE_ALPHABET,
    AccountError,
    LockedOut,
    clear_failures,
    lockout_remaining,
    normalize_code,
    record_failure,
)
from community.core.database import utcnow
from community.extensions import db
from community.policy import can_manage_account

RECOVERY_CODES = 10
STEP = 30  # seconds per code (RFC 6238's default, what every authenticator app uses)
VALID_WINDOW = 1  # a phone clock one step ahead or behind is accepted


def required_for(user: User) -> bool:
    """Staff and administrators must use a second factor when the site setting is on."""
    setting = current_app.config.get("TWO_FACTOR_REQUIRED")
    if setting is None:
        setting = current_app.config.get("ENV") == "production"
    return bool(setting) and user.is_staff


def _fernet() -> Fernet:
    # A key of its own, derived from SECRET_KEY: rotating SECRET_KEY means every member re-enrols.
    digest = hashlib.sha256(b"tsunagari-totp:" + str(current_app.config["SECRET_KEY"]).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def _decrypt(stored: str) -> str | None:
    try:
        return _fernet().decrypt(stored.encode()).decode()
    except InvalidToken:
        return None


def secret_of(user: User) -> str | None:
    return _decrypt(user.totp_secret) if user.totp_secret else None


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.login_id, issuer_name=current_app.config["SITE_NAME"])


def start_enrolment(user: User) -> str:
    """A new secret, kept (encrypted) until the member types a code from it; returns the secret."""
    if user.totp_enabled_at is not None:
        raise AccountError(_l("Two-factor sign-in is already on. Nothing was changed."))
    secret = secret_of(user) if user.totp_secret else None
    if secret is None:
        secret = pyotp.random_base32()
        user.totp_secret = _encrypt(secret)
        db.session.flush()
    return secret


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step whose code this is (now, one before or one after), or None."""
    code = "".join(ch for ch in normalize_code(code) if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = time.time() if now is None else now
    for offset in (0, -VALID_WINDOW, VALID_WINDOW):
        at = int(now) + offset * STEP
        if secrets.compare_digest(totp.at(at), code):
            return at // STEP
    return None


# --- the code step of signing in -------------------------------------------------------------------

PENDING = "second_factor"
PENDING_SECONDS = 300  # the password step is good for five minutes


def begin_code_step(user: User) -> None:
    """The password was right: remember (in the signed cookie) whose code is awaited, and since when.
    No sign-in session exists until the code is right."""
    session[PENDING] = {"user": user.id, "at": int(time.time())}


def pending_user() -> User | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending.get("user"))
    if user is None or user.status == "withdrawn" or not user.has_two_factor:
        return None
    return user


def _recovery_hash(code: str) -> str:
    """Keyed (HMAC-SHA-256 with a key derived from SECRET_KEY): the codes are random (~50 bits), so one
    fast, look-up-able hash is enough, and a database dump alone cannot be tried against it. scrypt
    here measured 0.46 s a code on our machine: ten of them at set-up, and at every recovery sign-in."""
    key = hashlib.sha256(b"tsunagari-recovery:" + str(current_app.config["SECRET_KEY"]).encode()).digest()
    return hmac.new(key, code.encode(), hashlib.sha256).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(CODE_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(code)) for code in codes)
    db.session.flush()
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def confirm_enrolment(user: User, code: str) -> list[str]:
    """The member typed a code from the new secret: two-factor is on. Returns the recovery codes,
    shown once (only their hashes are kept)."""
    secret = secret_of(user) if user.totp_enabled_at is None else None
    if secret is None:
        raise AccountError(_l("Please start the set-up again."))
    step = matching_step(secret, code)
    if step is None:
        raise AccountError(_l("The code is not correct. Type the 6 digits your app shows now."))
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    codes = _new_recovery_codes(user)
    audit.record("account.two_factor_enabled", actor=user, target_type="user", target_id=user.id)
    return codes


def _failure_key(user: User) -> str:
    return "2fa:" + user.login_key


def check_second_factor(user: User, code: str) -> bool:
    """A code from the app (each used once) or an unused recovery code. Failures count towards a
    lockout of their own, like passwords (LockedOut); returns True on success."""
    key = _failure_key(user)
    remaining = lockout_remaining(key)
    if remaining:
        raise LockedOut(remaining)
    secret = secret_of(user)
    step = matching_step(secret, code) if secret else None
    if step is not None and step > (user.totp_last_step or 0):
        # Guarded: the same code sent twice at once signs in once.
        used = db.session.execute(
            update(User).where(User.id == user.id, (User.totp_last_step.is_(None)) | (User.totp_last_step < step))
            .values(totp_last_step=step).execution_options(synchronize_session=False)
        ).rowcount
        if used:
            db.session.refresh(user)
            clear_failures(key)
            return True
    elif step is None and _use_recovery_code(user, code):
        clear_failures(key)
        return True
    record_failure(key)
    return False


def _use_recovery_code(user: User, code: str) -> bool:
    typed = normalize_code(code)
    if len(typed) != 10:
        return False
    match = db.session.scalar(select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None), RecoveryCode.code_hash == _recovery_hash(typed)))
    if match is None:
        return False
    used = db.session.execute(
        update(RecoveryCode).where(RecoveryCode.id == match.id, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow()).execution_options(synchronize_session=False)
    ).rowcount
    if used:
        audit.record("account.recovery_code_used", actor=user, target_type="user", target_id=user.id)
    return bool(used)


def recovery_codes_left(user: User) -> int:
    return len(db.session.scalars(
        select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).all())


def _clear(user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def turn_off(user: User, *, current_password: str) -> None:
    """A member turns it off; staff cannot while the site requires it."""
    if required_for(user):
        raise AccountError(_l("Staff and administrators must use two-factor sign-in on this site."))
    check_current_password(user, current_password)
    if user.totp_enabled_at is None:
        raise AccountError(_l("Two-factor sign-in is not on. Nothing was changed."))
    _clear(user)
    db.session.flush()
    audit.record("account.two_factor_disabled", actor=user, target_type="user", target_id=user.id)


def reset_at_counter(user: User, *, staff: User, facility_id: int | None) -> None:
    """The phone was lost: staff (an administrator, for staff accounts) clear the second factor
    after checking identity. Every sign-in of the account ends; it enrols again at its next one."""
    if not can_manage_account(staff, user):
        raise AccountError(_l("You do not have permission to do this."))
    if user.totp_secret is None:
        raise AccountError(_l("Two-factor sign-in is not on for this account. Nothing was changed."))
    _clear(user)
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    db.session.flush()
    audit.record("account.two_factor_reset", actor=staff, target_type="user", target_id=user.id,
                 facility_id=facility_id)

