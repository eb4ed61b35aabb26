"""Members, the city's districts and facilities, and server-side sign-in sessions."""

from __future__ import annotations

import enum
import unicodedata
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from community.core.database import UTCDateTime, utcnow
from community.extensions import db


class Role(enum.StrEnum):
    member = "member"
    supporter = "supporter"
    staff = "staff"
    admin = "admin"


class AccountStatus(enum.StrEnum):
    applied = "applied"  # applied online, not yet verified at a facility
    verified = "verified"
    suspended = "suspended"
    withdrawn = "withdrawn"


def normalize_login_id(value: str) -> str:
    """ＡＢＣ and abc are the same login ID: NFKC folds width, casefold folds case."""
    return unicodedata.normalize("NFKC", value).strip().casefold()


class District(db.Model):
    __tablename__ = "district"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    sort_order: Mapped[int] = mapped_column(default=0)


# The kinds of facility `flask tsunagari init` accepts (a コミュニティセンター counts as a 公民館).
FACILITY_KINDS = ("公民館", "図書館", "市役所")


class Facility(db.Model):
    """A 公民館, 図書館 or the city hall: where identity is checked and kiosks stand."""

    __tablename__ = "facility"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # 公民館, 図書館, 市役所 ...
    address: Mapped[str] = mapped_column(String(200), default="")
    hours: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"))
    # Whether its counter checks identity (本人確認) and whether kiosk PCs stand there.
    verifies_identity: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    hosts_kiosks: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    district: Mapped[District | None] = relationship()


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    login_id: Mapped[str] = mapped_column(String(64))
    # Normalised form for uniqueness and look-up (width- and case-insensitive).
    login_key: Mapped[str] = mapped_column(String(64), unique=True)
    nickname: Mapped[str] = mapped_column(String(40))
    password_hash: Mapped[str] = mapped_column(String(255))
    birth_date: Mapped[date] = mapped_column(Date)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"))
    email: Mapped[str | None] = mapped_column(String(254))
    # Set when the member opened the link sent to `email`; until then only that link goes to it.
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Two-factor sign-in (community/accounts/twofactor.py): the TOTP secret encrypted with a key
    # derived from SECRET_KEY; enabled once a code from it was typed; the last time step used, so a
    # code works once.
    totp_secret: Mapped[str | None] = mapped_column(String(200))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column()
    bio: Mapped[str] = mapped_column(Text, default="")
    role: Mapped[str] = mapped_column(String(20), default=Role.member.value)
    status: Mapped[str] = mapped_column(String(20), default=AccountStatus.applied.value)
    application_code: Mapped[str | None] = mapped_column(String(20), unique=True)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suspended_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suspension_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    district: Mapped[District | None] = relationship()

    __table_args__ = (Index("ix_user_account_status_role", "status", "role"),)

    # Flask-Login keeps the id of the server-side UserSession in the cookie, never the user's id,
    # so that logout (and "log out of all devices") ends the session on the server.
    session_id = None  # set per request by the session loader

    def get_id(self) -> str | None:
        return self.session_id

    @property
    def confirmed_email(self) -> str | None:
        """The address mail may go to: confirmed, and never for a closed account."""
        if self.email and self.email_confirmed_at is not None and self.status != AccountStatus.withdrawn.value:
            return self.email
        return None

    @property
    def has_two_factor(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def is_verified(self) -> bool:
        return self.status == AccountStatus.verified.value

    @property
    def is_suspended(self) -> bool:
        return self.status == AccountStatus.suspended.value

    @property
    def is_applied(self) -> bool:
        return self.status == AccountStatus.applied.value

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.staff.value, Role.admin.value)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.admin.value

    @property
    def is_supporter(self) -> bool:
        return self.role == Role.supporter.value


class IdDocumentKind(enum.StrEnum):
    """The *kind* of identity document shown at the counter. Its number is never recorded."""

    driving_licence = "driving_licence"  # 運転免許証
    my_number_card = "my_number_card"  # マイナンバーカード
    health_insurance_card = "health_insurance_card"  # 健康保険証
    residence_card = "residence_card"  # 在留カード
    student_card = "student_card"  # 学生証
    other = "other"  # その他


class Verification(db.Model):
    """本人確認: a staff member saw an identity document at a facility and the birth date matched.

    Deliberately no column for a document number, an image or a My Number.
    """

    __tablename__ = "verification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    facility_id: Mapped[int | None] = mapped_column(ForeignKey("facility.id", ondelete="SET NULL"))
    id_document_kind: Mapped[str] = mapped_column(String(30))
    birth_date_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    # "application" (applied online, verified at the counter) or "counter" (registered by staff).
    method: Mapped[str] = mapped_column(String(20), default="application")
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    staff: Mapped[User | None] = relationship(foreign_keys=[staff_id])
    facility: Mapped[Facility | None] = relationship()


class PasswordResetCode(db.Model):
    """A one-time code for setting a new password, handed over at the counter or sent by e-mail.

    Only a hash is stored, so a copy of the database cannot be used to take over accounts.
    """

    __tablename__ = "password_reset_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    purpose: Mapped[str] = mapped_column(String(20), default="counter")  # counter, email, initial
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EmailConfirmation(db.Model):
    """A link sent to a new address: the address becomes the member's when the link is opened.

    The token is long and random, so a SHA-256 hash is enough (and can be looked up); the database
    never holds a working link. Single use (`used_at`) and short-lived (`expires_at`).
    """

    __tablename__ = "email_confirmation"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class RecoveryCode(db.Model):
    """One of ten one-time codes for signing in without the phone; only a hash is stored."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LoginFailure(db.Model):
    """One failed sign-in, keyed by the normalised login ID whether or not it exists.

    Counting in the database makes the per-account limit hold across worker processes, and keying by
    the typed ID (not the user row) means the limit behaves the same for IDs that do not exist.
    """

    __tablename__ = "login_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    login_key: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_login_failure_key_at", "login_key", "at"),)


class UserSession(db.Model):
    """A server-side sign-in: logout deletes the row, so a copied cookie stops working at once."""

    __tablename__ = "user_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_agent: Mapped[str] = mapped_column(String(200), default="")

    user: Mapped[User] = relationship()
