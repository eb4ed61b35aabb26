"""Account services: plain functions that flush and never commit.

They raise AccountError (or AuthenticationError / LockedOut at sign-in) with a translatable message;
views turn those into form errors.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select, update

from community import audit
from community.accounts.models import (
    AccountStatus,
    District,
    Facility,
    IdDocumentKind,
    LoginFailure,
    PasswordResetCode,
    Role,
    User,
    UserSession,
    Verification,
    normalize_login_id,
)
from community.accounts.passwords import check_password, dummy_hash, hash_password
from community.core.database import utcnow
from community.extensions import db
from community.policy import Capability, can, can_grant_role, can_manage_account

TOKYO = ZoneInfo("Asia/Tokyo")

# Codes people read aloud and type: no 0/O, 1/I (nor L, which reads like 1 in many fonts).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
RESET_CODE_HOURS = 24
# A code handed over with a counter registration may be used at home some days later.
INITIAL_CODE_DAYS = 14


class AccountError(Exception):
    """A domain error whose message is shown to the user as it is (already translatable)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class AuthenticationError(Exception):
    """Login failed; the message never says whether the login ID exists."""


class LockedOut(Exception):
    """Too many failures for this login ID; try again after `minutes`."""

    def __init__(self, minutes: int):
        super().__init__(minutes)
        self.minutes = minutes


# --- small parsers -------------------------------------------------------------------------------

def normalize_code(value: str) -> str:
    """Full-width, lower case, spaces and hyphens are all accepted: ａｂｃｄ－２３４５ → ABCD2345."""
    return re.sub(r"[\s\-‐－ー―]", "", unicodedata.normalize("NFKC", value or "")).upper()


def format_code(code: str | None) -> str:
    """ABCD-2345: two groups of four are easier to read out at the counter."""
    if not code:
        return ""
    return f"{code[:4]}-{code[4:]}" if len(code) == CODE_LENGTH else code


_ERAS = {"明治": 1867, "大正": 1911, "昭和": 1925, "平成": 1988, "令和": 2018}
_ERA_RE = re.compile(r"^(明治|大正|昭和|平成|令和)(\d{1,2}|元)年(\d{1,2})月(\d{1,2})日?$")
_WESTERN_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
OLDEST_BIRTH_DATE = date(1900, 1, 1)


def parse_birth_date(value: str, today: date | None = None) -> date:
    """1960-04-01, 1960/4/1, 1960年4月1日, 19600401 or 昭和35年4月1日, in full- or half-width digits."""
    text = re.sub(r"\s", "", unicodedata.normalize("NFKC", value or ""))
    if not text:
        raise AccountError(_l("Please enter your birth date."))
    try:
        if m := _ERA_RE.match(text):
            era, year, month, day = m.groups()
            parsed = date(_ERAS[era] + (1 if year == "元" else int(year)), int(month), int(day))
        elif m := _WESTERN_RE.match(text):
            parsed = date(int(m[1]), int(m[2]), int(m[3]))
        elif re.fullmatch(r"\d{8}", text):
            parsed = date(int(text[:4]), int(text[4:6]), int(text[6:]))
        else:
            raise ValueError(text)
    except ValueError:
        raise AccountError(
            _l("Please enter the birth date as year, month and day, for example 1960-04-01.")
        ) from None
    if parsed > (today or datetime.now(TOKYO).date()):
        raise AccountError(_l("The birth date is in the future. Please check it."))
    if parsed < OLDEST_BIRTH_DATE:
        raise AccountError(_l("The birth date is too long ago. Please check the year."))
    return parsed


def end_of_day_utc(day: date) -> datetime:
    """A suspension "until 1 December" lasts to the end of that day in Japan."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=TOKYO).astimezone(UTC)


def suspension_last_day(user: User) -> date | None:
    """The last day (in Japan) of a suspension with an end date."""
    if user.suspended_until is None:
        return None
    return (user.suspended_until.astimezone(TOKYO) - timedelta(seconds=1)).date()


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def new_application_code() -> str:
    while True:
        code = _new_code()
        if db.session.scalar(select(User.id).where(User.application_code == code)) is None:
            return code


# --- look-ups ------------------------------------------------------------------------------------

def find_by_login_id(login_id: str) -> User | None:
    return db.session.scalar(select(User).where(User.login_key == normalize_login_id(login_id or "")))


def login_id_taken(login_id: str) -> bool:
    return db.session.scalar(select(User.id).where(User.login_key == normalize_login_id(login_id))) is not None


def find_application(code: str) -> User | None:
    code = normalize_code(code)
    if not code:
        return None
    return db.session.scalar(select(User).where(User.application_code == code))


def search_accounts(name_or_login_id: str, birth_date: date, limit: int = 20) -> list[User]:
    """Staff look-up by nickname or login ID together with the birth date (both must match)."""
    term = unicodedata.normalize("NFKC", name_or_login_id or "").strip()
    if not term:
        return []
    stmt = (
        select(User)
        .where(User.birth_date == birth_date, User.status != AccountStatus.withdrawn.value)
        .where(or_(User.nickname == term, User.login_key == normalize_login_id(term)))
        .order_by(User.applied_at.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def pending_applications(limit: int = 20) -> list[User]:
    stmt = (
        select(User)
        .where(User.status == AccountStatus.applied.value)
        .order_by(User.applied_at.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def count_pending_applications() -> int:
    return db.session.scalar(
        select(func.count()).select_from(User).where(User.status == AccountStatus.applied.value)
    ) or 0


def verifying_facilities() -> list[Facility]:
    """The facilities whose counters check identity: listed for applicants and offered to staff."""
    return list(db.session.scalars(select(Facility).where(Facility.verifies_identity).order_by(Facility.id)))


def districts() -> list[District]:
    return list(db.session.scalars(select(District).order_by(District.sort_order, District.id)))


def latest_verification(user: User) -> Verification | None:
    return db.session.scalar(
        select(Verification).where(Verification.user_id == user.id).order_by(Verification.verified_at.desc())
    )


@dataclass
class HistoryRow:
    entry: audit.AuditLog
    actor_nickname: str | None
    facility_name: str | None


def account_history(user: User, limit: int = 200) -> list[HistoryRow]:
    """The audit entries about this account, with who and where in the same query (no N+1)."""
    actor = db.aliased(User)
    stmt = (
        select(audit.AuditLog, actor.nickname, Facility.name)
        .outerjoin(actor, actor.id == audit.AuditLog.actor_id)
        .outerjoin(Facility, Facility.id == audit.AuditLog.facility_id)
        .where(audit.AuditLog.target_type == "user", audit.AuditLog.target_id == user.id)
        .order_by(audit.AuditLog.at.desc(), audit.AuditLog.id.desc())
        .limit(limit)
    )
    return [HistoryRow(entry, nickname, facility) for entry, nickname, facility in db.session.execute(stmt)]


# --- applying and verifying ----------------------------------------------------------------------

def _check_new_account(login_id: str, district_id: int | None) -> None:
    if login_id_taken(login_id):
        raise AccountError(_l("This login ID is already in use. Please choose another one."))
    if district_id is not None and db.session.get(District, district_id) is None:
        raise AccountError(_l("Please choose your district from the list."))


def apply(
    *, login_id: str, nickname: str, password: str, birth_date: date, district_id: int | None, email: str | None
) -> User:
    """利用申込: an account that can log in and read, waiting for verification at a facility."""
    _check_new_account(login_id, district_id)
    user = User(
        login_id=unicodedata.normalize("NFKC", login_id).strip(),
        login_key=normalize_login_id(login_id),
        nickname=nickname.strip(),
        password_hash=hash_password(password),
        birth_date=birth_date,
        district_id=district_id,
        email=(email or "").strip() or None,
        role=Role.member.value,
        status=AccountStatus.applied.value,
        application_code=new_application_code(),
        applied_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    audit.record("account.applied", actor=user, target_type="user", target_id=user.id)
    return user


def _check_document(id_document_kind: str, birth_date_confirmed: bool) -> None:
    if id_document_kind not in {kind.value for kind in IdDocumentKind}:
        raise AccountError(_l("Please choose the kind of identity document."))
    if not birth_date_confirmed:
        raise AccountError(_l("Please confirm that the birth date matches the document."))


def verify(
    user: User, *, staff: User, facility_id: int | None, id_document_kind: str, birth_date_confirmed: bool
) -> Verification:
    """本人確認 at the counter. Refuses self-verification and a second verification of the same person."""
    if user.id == staff.id:
        raise AccountError(_l("You cannot verify your own account. Please ask another staff member."))
    if not can_manage_account(staff, user):
        raise AccountError(_l("You do not have permission to do this."))
    if not user.is_applied:
        raise AccountError(_l("This account has already been verified. Nothing was changed."))
    _check_document(id_document_kind, birth_date_confirmed)
    if facility_id is not None and db.session.get(Facility, facility_id) is None:
        raise AccountError(_l("Please choose the facility."))
    # Guarded update: of two simultaneous submissions only one changes the row.
    now = utcnow()
    changed = db.session.execute(
        update(User)
        .where(User.id == user.id, User.status == AccountStatus.applied.value)
        .values(status=AccountStatus.verified.value, verified_at=now, application_code=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        raise AccountError(_l("This account has already been verified. Nothing was changed."))
    db.session.refresh(user)
    verification = Verification(
        user_id=user.id,
        staff_id=staff.id,
        facility_id=facility_id,
        id_document_kind=id_document_kind,
        birth_date_confirmed=True,
        method="application",
        verified_at=now,
    )
    db.session.add(verification)
    db.session.flush()
    audit.record(
        "account.verified", actor=staff, target_type="user", target_id=user.id, facility_id=facility_id,
        id_document_kind=id_document_kind,
    )
    return verification


def register_at_counter(
    *,
    staff: User,
    facility_id: int | None,
    login_id: str,
    nickname: str,
    birth_date: date,
    district_id: int | None,
    email: str | None,
    id_document_kind: str,
    birth_date_confirmed: bool,
) -> tuple[User, str]:
    """A resident registered by staff, verified at once. Returns the user and the one-time code
    with which they choose their own password (staff never know it)."""
    from community.policy import Capability, can

    if not can(staff, Capability.verify_accounts):
        raise AccountError(_l("You do not have permission to do this."))
    _check_document(id_document_kind, birth_date_confirmed)
    _check_new_account(login_id, district_id)
    now = utcnow()
    user = User(
        login_id=unicodedata.normalize("NFKC", login_id).strip(),
        login_key=normalize_login_id(login_id),
        nickname=nickname.strip(),
        # Unusable until the resident sets a password with the code.
        password_hash=hash_password(secrets.token_urlsafe(32)),
        birth_date=birth_date,
        district_id=district_id,
        email=(email or "").strip() or None,
        role=Role.member.value,
        status=AccountStatus.verified.value,
        applied_at=now,
        verified_at=now,
    )
    db.session.add(user)
    db.session.flush()
    db.session.add(
        Verification(
            user_id=user.id, staff_id=staff.id, facility_id=facility_id, id_document_kind=id_document_kind,
            birth_date_confirmed=True, method="counter", verified_at=now,
        )
    )
    audit.record(
        "account.registered_at_counter", actor=staff, target_type="user", target_id=user.id,
        facility_id=facility_id, id_document_kind=id_document_kind,
    )
    code = _issue_code(user, issued_by=staff, purpose="initial", valid_for=timedelta(days=INITIAL_CODE_DAYS))
    return user, code


def expire_applications(now: datetime | None = None) -> int:
    """Delete applications older than TSUNAGARI_APPLICATION_EXPIRY_DAYS; returns how many."""
    now = now or utcnow()
    days = int(current_app.config.get("APPLICATION_EXPIRY_DAYS", 30))
    cutoff = now - timedelta(days=days)
    expired = list(
        db.session.scalars(
            select(User).where(User.status == AccountStatus.applied.value, User.applied_at < cutoff)
        )
    )
    for user in expired:
        # Only the id and age are logged: the point is that the person's data is gone.
        audit.record(
            "account.application_expired", target_type="user", target_id=user.id,
            days_waited=(now - user.applied_at).days,
        )
        db.session.delete(user)
    # Old sign-in failures are no longer needed for the lockout either.
    db.session.execute(delete(LoginFailure).where(LoginFailure.at < now - timedelta(days=1)))
    db.session.flush()
    return len(expired)


# --- one-time codes and passwords ----------------------------------------------------------------

def _issue_code(user: User, *, issued_by: User | None, purpose: str, valid_for: timedelta) -> str:
    now = utcnow()
    # A new code replaces any earlier unused one: only the latest slip works.
    db.session.execute(
        update(PasswordResetCode)
        .where(PasswordResetCode.user_id == user.id, PasswordResetCode.used_at.is_(None))
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )
    code = _new_code()
    db.session.add(
        PasswordResetCode(
            user_id=user.id,
            code_hash=hash_password(code),
            purpose=purpose,
            issued_by_id=getattr(issued_by, "id", None),
            created_at=now,
            expires_at=now + valid_for,
        )
    )
    db.session.flush()
    return code


def issue_reset_code(user: User, *, staff: User, facility_id: int | None) -> str:
    """Counter reset: staff hand the member a code valid for 24 hours."""
    if not can_manage_account(staff, user):
        raise AccountError(_l("You do not have permission to do this."))
    if user.status == AccountStatus.withdrawn.value:
        raise AccountError(_l("This account has been closed."))
    code = _issue_code(user, issued_by=staff, purpose="counter", valid_for=timedelta(hours=RESET_CODE_HOURS))
    audit.record("account.reset_code_issued", actor=staff, target_type="user", target_id=user.id,
                 facility_id=facility_id)
    return code


def request_email_reset(login_id: str) -> bool:
    """Send a code to the member's confirmed address if there is one. The caller shows the same message
    either way, so nobody learns whether a login ID exists or has an address."""
    from flask_babel import gettext as _

    from community.core.mail import queue_mail

    user = find_by_login_id(login_id)
    if user is None or not user.confirmed_email:  # never a typo's or a stranger's inbox
        return False
    code = _issue_code(user, issued_by=None, purpose="email", valid_for=timedelta(hours=RESET_CODE_HOURS))
    site = current_app.config["SITE_NAME"]
    queue_mail(
        user.confirmed_email,
        _("[%(site)s] Your password reset code", site=site),
        _(
            "Your one-time code is %(code)s. Enter it with your login ID on the password reset page "
            "within 24 hours. If you did not ask for this, you can ignore this message.",
            code=format_code(code),
        ),
    )
    audit.record("account.reset_code_emailed", target_type="user", target_id=user.id)
    return True


def reset_password(login_id: str, code: str, new_password: str) -> User:
    """Set a new password with a one-time code. Same message for every failure (no oracle)."""
    invalid = AccountError(
        _l("The login ID or code is not correct, or the code has expired or was already used.")
    )
    key = "reset:" + normalize_login_id(login_id or "")
    remaining = lockout_remaining(key)
    if remaining:
        raise LockedOut(remaining)
    user = find_by_login_id(login_id)
    now = utcnow()
    code = normalize_code(code)
    match = None
    if user is not None and user.status != AccountStatus.withdrawn.value:
        candidates = db.session.scalars(
            select(PasswordResetCode).where(
                PasswordResetCode.user_id == user.id,
                PasswordResetCode.used_at.is_(None),
                PasswordResetCode.expires_at > now,
            )
        )
        match = next((row for row in candidates if check_password(row.code_hash, code)), None)
    else:
        check_password(dummy_hash(), code)
    if match is None:
        record_failure(key)
        raise invalid
    changed = db.session.execute(
        update(PasswordResetCode)
        .where(PasswordResetCode.id == match.id, PasswordResetCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:  # the same code used twice at once
        raise invalid
    user.password_hash = hash_password(new_password)
    # Whoever knew the old password is signed out everywhere.
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    clear_failures(key)
    clear_failures(user.login_key)
    db.session.flush()
    audit.record("account.password_reset", actor=user, target_type="user", target_id=user.id, purpose=match.purpose)
    return user


# --- suspension and roles ------------------------------------------------------------------------

def suspend(user: User, *, staff: User, until: date | None, reason: str, facility_id: int | None) -> None:
    if not can_manage_account(staff, user):
        raise AccountError(_l("You cannot suspend this account."))
    if not user.is_verified:
        raise AccountError(_l("Only verified accounts can be suspended."))
    if until is not None and until < datetime.now(TOKYO).date():
        raise AccountError(_l("The end date is in the past."))
    if not (reason or "").strip():
        raise AccountError(_l("Please write the reason. The member will see it."))
    user.status = AccountStatus.suspended.value
    user.suspended_until = end_of_day_utc(until) if until else None
    user.suspension_reason = reason.strip()
    db.session.flush()
    audit.record(
        "account.suspended", actor=staff, target_type="user", target_id=user.id, facility_id=facility_id,
        reason=user.suspension_reason, until=until.isoformat() if until else None,
    )


def reinstate(user: User, *, staff: User | None, facility_id: int | None = None) -> None:
    if staff is not None and not can_manage_account(staff, user):
        raise AccountError(_l("You do not have permission to do this."))
    if not user.is_suspended:
        raise AccountError(_l("This account is not suspended. Nothing was changed."))
    user.status = AccountStatus.verified.value
    user.suspended_until = None
    user.suspension_reason = ""
    db.session.flush()
    audit.record(
        "account.reinstated" if staff else "account.suspension_ended", actor=staff, target_type="user",
        target_id=user.id, facility_id=facility_id,
    )


def lift_expired_suspension(user: User) -> bool:
    """A suspension with an end date ends by itself; called when the member next appears."""
    if user.is_suspended and user.suspended_until is not None and user.suspended_until <= utcnow():
        reinstate(user, staff=None)
        return True
    return False


def grant_role(user: User, *, admin: User, role: str) -> None:
    if role not in {r.value for r in Role}:
        raise AccountError(_l("Please choose a role."))
    if not can_grant_role(admin, user, role):
        raise AccountError(_l("This role cannot be given to this account."))
    if user.role == role:
        raise AccountError(_l("The account already has this role. Nothing was changed."))
    previous, user.role = user.role, role
    db.session.flush()
    audit.record("account.role_granted", actor=admin, target_type="user", target_id=user.id,
                 role=role, previous=previous)


# --- signing in ----------------------------------------------------------------------------------

def lockout_remaining(login_key: str, now: datetime | None = None) -> int:
    """Minutes this login ID must still wait (0 = may try).

    After LOGIN_FAILURE_LIMIT failures (default 5) remembered for a day, the wait is
    LOGIN_LOCK_MINUTES (15) after the last one, doubling with each further failure, at most a day.
    """
    now = now or utcnow()
    limit = int(current_app.config.get("LOGIN_FAILURE_LIMIT", 5))
    base = int(current_app.config.get("LOGIN_LOCK_MINUTES", 15))
    times = list(
        db.session.scalars(
            select(LoginFailure.at)
            .where(LoginFailure.login_key == login_key, LoginFailure.at > now - timedelta(days=1))
            .order_by(LoginFailure.at.desc())
            .limit(limit + 16)
        )
    )
    if len(times) < limit:
        return 0
    wait = min(timedelta(minutes=base) * 2 ** (len(times) - limit), timedelta(days=1))
    left = times[0] + wait - now
    if left <= timedelta(0):
        return 0
    return max(1, int(-(-left.total_seconds() // 60)))


def record_failure(login_key: str) -> None:
    db.session.add(LoginFailure(login_key=login_key, at=utcnow()))
    db.session.flush()


def clear_failures(login_key: str) -> None:
    db.session.execute(delete(LoginFailure).where(LoginFailure.login_key == login_key))


def authenticate(login_id: str, password: str) -> User:
    """Check the password; the caller commits so that failures are counted across processes."""
    key = normalize_login_id(login_id or "")
    remaining = lockout_remaining(key)
    if remaining:
        raise LockedOut(remaining)
    user = find_by_login_id(login_id)
    if user is None or user.status == AccountStatus.withdrawn.value:
        check_password(dummy_hash(), password)  # same cost whether or not the ID exists
        record_failure(key)
        raise AuthenticationError
    if not check_password(user.password_hash, password):
        record_failure(key)
        raise AuthenticationError
    clear_failures(key)
    lift_expired_suspension(user)
    return user


# --- staff accounts (administrators) -------------------------------------------------------------

# A staff account is not a resident's: it gets the same placeholder birth date as `create-admin`.
STAFF_PLACEHOLDER_BIRTH_DATE = date(1900, 1, 1)


def create_staff_account(*, admin: User, login_id: str, nickname: str) -> tuple[User, str]:
    """A verified staff account that signs in first with a one-time code (the counter's "initial"
    code), so nobody but its owner ever knows the password. Returns the user and the code."""
    if not can(admin, Capability.grant_roles):
        raise AccountError(_l("You do not have permission to do this."))
    _check_new_account(login_id, None)
    now = utcnow()
    user = User(
        login_id=unicodedata.normalize("NFKC", login_id).strip(),
        login_key=normalize_login_id(login_id),
        nickname=nickname.strip(),
        password_hash=hash_password(secrets.token_urlsafe(32)),  # unusable until the code is used
        birth_date=STAFF_PLACEHOLDER_BIRTH_DATE,
        role=Role.staff.value,
        status=AccountStatus.verified.value,
        applied_at=now,
        verified_at=now,
    )
    db.session.add(user)
    db.session.flush()
    audit.record("account.staff_created", actor=admin, target_type="user", target_id=user.id,
                 before={}, after={"login_id": user.login_id, "nickname": user.nickname, "role": user.role})
    code = _issue_code(user, issued_by=admin, purpose="initial", valid_for=timedelta(days=INITIAL_CODE_DAYS))
    return user, code


def count_admins() -> int:
    return db.session.scalar(
        select(func.count()).select_from(User).where(
            User.role == Role.admin.value, User.status == AccountStatus.verified.value
        )
    ) or 0


def revoke_staff(user: User, *, admin: User) -> None:
    """Staff or administrator back to member, signed out everywhere. An administrator may revoke
    themself, but never the last administrator: the site would have nobody to run it."""
    if not can(admin, Capability.grant_roles):
        raise AccountError(_l("You do not have permission to do this."))
    if not user.is_staff:
        raise AccountError(_l("This account is not a staff account. Nothing was changed."))
    if user.is_admin and user.is_verified and count_admins() <= 1:
        raise AccountError(_l("This is the last administrator, so the role cannot be taken away. "
                              "Make another administrator first."))
    previous, user.role = user.role, Role.member.value
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    db.session.flush()
    audit.record("account.staff_revoked", actor=admin, target_type="user", target_id=user.id,
                 before={"role": previous}, after={"role": user.role})
