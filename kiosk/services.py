"""Kiosk services: plain functions that flush and never commit."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, select

from community import audit
from community.accounts.models import Facility, User
from community.core.database import utcnow
from community.extensions import db
from kiosk.models import (
    DEFAULT_IDLE_MINUTES,
    DEFAULT_WARNING_MINUTES,
    KioskDevice,
    KioskHandoff,
    KioskSettings,
)

# Writing last_used_at on every page would turn each click into a database write.
_TOUCH_EVERY = timedelta(minutes=5)
# Long enough for the logout redirect to be followed on a slow PC, short enough to be useless later.
HANDOFF_TTL = timedelta(minutes=2)


class KioskError(Exception):
    """A kiosk action that cannot be done; the message is shown to staff."""


def hash_token(token: str) -> str:
    # The token is 256 random bits, so a fast hash is enough: it cannot be guessed, only stolen.
    return hashlib.sha256(token.encode()).hexdigest()


def enrol_device(facility: Facility, name: str, created_by: User) -> tuple[KioskDevice, str]:
    """Enrol a browser; returns the device and the raw token, which is never stored."""
    token = secrets.token_urlsafe(32)
    device = KioskDevice(
        facility_id=facility.id,
        name=name.strip(),
        token_hash=hash_token(token),
        created_by_id=created_by.id,
        last_used_at=utcnow(),
    )
    db.session.add(device)
    db.session.flush()
    audit.record(
        "kiosk.enrol", actor=created_by, target_type="kiosk_device", target_id=device.id,
        facility_id=facility.id, name=device.name,
    )
    return device, token


def device_for_token(token: str | None) -> KioskDevice | None:
    """The active device a cookie's token belongs to (None when unknown or revoked)."""
    if not token or len(token) > 128:
        return None
    device = db.session.scalar(select(KioskDevice).where(KioskDevice.token_hash == hash_token(token)))
    if device is None or device.revoked_at is not None:
        return None
    return device


def issue_handoff(device: KioskDevice) -> str:
    """A single-use token that re-enrols this device after Clear-Site-Data removed its cookie.

    Returns the raw token (only its hash is stored); the device's older hand-offs are dropped.
    """
    now = utcnow()
    db.session.execute(
        delete(KioskHandoff).where(
            KioskHandoff.device_id == device.id,
            (KioskHandoff.used_at.is_not(None)) | (KioskHandoff.expires_at < now),
        )
    )
    token = secrets.token_urlsafe(32)
    db.session.add(KioskHandoff(device_id=device.id, token_hash=hash_token(token), created_at=now,
                                expires_at=now + HANDOFF_TTL))
    db.session.flush()
    return token


def redeem_handoff(token: str | None) -> tuple[KioskDevice, str] | None:
    """Use a hand-off token once: the device and a fresh enrolment token for its cookie, or None
    when the token is unknown, used, expired or its device revoked.

    The cookie's old token is not stored anywhere in the clear, so the device gets a new one (the old
    cookie is gone from the browser anyway).
    """
    if not token or len(token) > 128:
        return None
    handoff = db.session.scalar(
        select(KioskHandoff).where(KioskHandoff.token_hash == hash_token(token)).with_for_update()
    )
    now = utcnow()
    if handoff is None or handoff.used_at is not None or handoff.expires_at <= now:
        return None
    handoff.used_at = now  # single use, even when the device turns out to be revoked
    device = handoff.device
    if device.revoked_at is not None:
        db.session.flush()
        return None
    device_token = secrets.token_urlsafe(32)
    device.token_hash = hash_token(device_token)
    device.last_used_at = now
    db.session.flush()
    return device, device_token


def touch_device(device: KioskDevice) -> bool:
    """Record use at most every few minutes; True when the row changed."""
    now = utcnow()
    if device.last_used_at is None or now - device.last_used_at > _TOUCH_EVERY:
        device.last_used_at = now
        db.session.flush()
        return True
    return False


def revoke_device(device: KioskDevice, revoked_by: User) -> None:
    if device.revoked_at is not None:
        raise KioskError("already revoked")
    device.revoked_at = utcnow()
    device.revoked_by_id = revoked_by.id
    db.session.flush()
    audit.record(
        "kiosk.revoke", actor=revoked_by, target_type="kiosk_device", target_id=device.id,
        facility_id=device.facility_id, name=device.name,
    )


def list_devices() -> list[KioskDevice]:
    """Every device with its facility loaded in the same query (the staff list shows both)."""
    from sqlalchemy.orm import joinedload

    stmt = (
        select(KioskDevice)
        .options(joinedload(KioskDevice.facility))
        .order_by(KioskDevice.revoked_at.is_not(None), KioskDevice.facility_id, KioskDevice.name)
    )
    return list(db.session.scalars(stmt))


def settings_for(facility_id: int) -> KioskSettings:
    """The facility's settings, or unsaved defaults when it has none."""
    row = db.session.scalar(select(KioskSettings).where(KioskSettings.facility_id == facility_id))
    if row is None:
        row = KioskSettings(
            facility_id=facility_id,
            idle_minutes=DEFAULT_IDLE_MINUTES,
            warning_minutes=DEFAULT_WARNING_MINUTES,
            help_text="",
        )
    return row


def save_settings(facility: Facility, *, idle_minutes: int, warning_minutes: int, help_text: str, by: User) -> KioskSettings:
    row = db.session.scalar(select(KioskSettings).where(KioskSettings.facility_id == facility.id))
    if row is None:
        row = KioskSettings(facility_id=facility.id)
        db.session.add(row)
    row.idle_minutes = idle_minutes
    row.warning_minutes = warning_minutes
    row.help_text = help_text.strip()
    db.session.flush()
    audit.record(
        "kiosk.settings", actor=by, target_type="facility", target_id=facility.id, facility_id=facility.id,
        idle_minutes=idle_minutes, warning_minutes=warning_minutes,
    )
    return row
