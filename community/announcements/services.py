"""お知らせ and 緊急情報: publish, renew, withdraw. Plain arguments, flush, never commit.

Each refusal raises AnnouncementError with a Japanese-translatable message, the form field it
belongs to (if any) and the HTTP status the view answers with.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import lazyload

from community import audit
from community.announcements.models import Announcement, AnnouncementRenewal
from community.core.database import utcnow
from community.core.i18n import format_datetime
from community.core.once import insert_or_earlier
from community.extensions import db
from community.policy import (
    can_act_as_official,
    can_issue_emergency,
    can_manage_announcement,
    can_renew_announcement,
    visible_announcements,
)

# An emergency notice must end within a week; it can be renewed (again at most a week ahead).
EMERGENCY_MAX = timedelta(days=7)
# Forms have minute precision: "exactly 7 days from now" typed a few seconds later is still fine.
_GRACE = timedelta(minutes=1)
BANNER_LIMIT = 3


class AnnouncementError(Exception):
    """A refusal the staff member can act on; str(error) is the message to show."""

    def __init__(self, message, *, field: str | None = None, status: int = 400):
        super().__init__(str(message))
        self.message = str(message)
        self.field = field
        self.status = status

    def __str__(self) -> str:
        return self.message


class AlreadyWithdrawn(AnnouncementError):
    pass


def current_announcements(limit: int = 20) -> list[Announcement]:
    stmt = visible_announcements(select(Announcement), current_user).order_by(
        Announcement.is_emergency.desc(), Announcement.published_at.desc()
    )
    return list(db.session.scalars(stmt.limit(limit)))


def current_emergencies() -> list[Announcement]:
    """Every current emergency notice, most recent first (the banner shows the first few)."""
    stmt = visible_announcements(select(Announcement).where(Announcement.is_emergency.is_(True)), current_user)
    return list(db.session.scalars(stmt.order_by(Announcement.published_at.desc(), Announcement.id.desc())))


def emergency_deadline(now: datetime | None = None) -> datetime:
    return (now or utcnow()) + EMERGENCY_MAX


def _check_emergency_end(expires_at: datetime | None, now: datetime) -> None:
    if expires_at is None:
        raise AnnouncementError(
            _l("An emergency notice needs an end time, at most 7 days from now. It can be renewed later."),
            field="expires_at",
        )
    if expires_at <= now:
        raise AnnouncementError(_l("The end time has already passed. Please choose a time in the future."),
                                field="expires_at")
    if expires_at > emergency_deadline(now) + _GRACE:
        raise AnnouncementError(
            _l("An emergency notice can be shown for at most 7 days (until %(limit)s). "
               "If it is still needed then, renew it.", limit=format_datetime(emergency_deadline(now))),
            field="expires_at",
        )


def publish(
    actor,
    account,
    *,
    title: str,
    body: str = "",
    emergency: bool = False,
    starts_at: datetime | None = None,
    expires_at: datetime | None = None,
    submission_key: str | None = None,
    now: datetime | None = None,
) -> tuple[Announcement, bool]:
    """(the announcement, True) or, for a second submit of the same form, (the first one, False)."""
    now = now or utcnow()
    if account is None or not can_act_as_official(actor, account):
        name = getattr(account, "name", "")
        raise AnnouncementError(
            _l("You are not a member of 「%(name)s」, so you cannot publish as it. "
               "An administrator can add you to the department's account.", name=name)
            if name else _l("Please choose the department account to publish as."),
            field="account_id", status=403 if name else 400,
        )
    if submission_key:
        existing = db.session.scalar(select(Announcement).where(Announcement.submission_key == submission_key))
        if existing is not None:
            return existing, False
    if emergency and not can_issue_emergency(actor, account):
        raise AnnouncementError(
            _l("「%(name)s」 cannot issue emergency notices. Emergency notices come from the departments an "
               "administrator has allowed, such as 防災課. Publish it as an ordinary announcement instead.",
               name=account.name),
            field="kind", status=403,
        )
    title = (title or "").strip()
    if not title:
        raise AnnouncementError(_l("Please enter a title."), field="title")
    if emergency:
        starts_at = None  # an emergency is published at once
        _check_emergency_end(expires_at, now)
    published_at = starts_at if starts_at is not None and starts_at > now else now
    if expires_at is not None and expires_at <= published_at:
        raise AnnouncementError(
            _l("The end time must be after the start of publication (%(start)s).", start=format_datetime(published_at)),
            field="expires_at",
        )
    item = Announcement(
        title=title,
        body=(body or "").strip(),
        department=account.name,
        official_account_id=account.id,
        is_emergency=emergency,
        published_at=published_at,
        expires_at=expires_at,
        updated_at=now,
        created_by_id=actor.id,
        submission_key=submission_key or None,
    )
    item, created = insert_or_earlier(item, submission_key)
    if not created:
        return item, False
    audit.record(
        "announcement.emergency" if emergency else "announcement.publish",
        actor=actor, target_type="announcement", target_id=item.id,
        account=account.name, title=title, published_at=published_at.isoformat(),
        expires_at=expires_at.isoformat() if expires_at else None,
    )
    if emergency:
        # The department's followers hear of it at once (one INSERT ... SELECT for all of them).
        from community.official.services import notify_followers

        notify_followers(account, "official_emergency", actor=actor, target_type="announcement", target_id=item.id)
    return item, True


def _locked(item: Announcement) -> Announcement:
    """Re-read the row under a lock (PostgreSQL), so two staff members cannot both change it."""
    return db.session.scalars(
        select(Announcement)
        .where(Announcement.id == item.id)
        .options(lazyload(Announcement.official_account))  # FOR UPDATE refuses the outer join
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def renew(actor, item: Announcement, *, expires_at: datetime | None, seen_expires_at: datetime | None = None,
          now: datetime | None = None) -> bool:
    """Set a new end time (at most 7 days from now). False when it already was that (a double submit)."""
    now = now or utcnow()
    if not can_renew_announcement(actor, item):
        if item.withdrawn_at is not None:
            raise AnnouncementError(_l("This notice has been withdrawn, so it cannot be renewed."), status=409)
        raise AnnouncementError(
            _l("Only members of the department that issues emergency notices can renew this one."), status=403
        )
    item = _locked(item)
    if item.withdrawn_at is not None:
        raise AnnouncementError(_l("This notice has been withdrawn, so it cannot be renewed."), status=409)
    if expires_at is not None and item.expires_at == expires_at:
        return False
    if seen_expires_at is not None and item.expires_at != seen_expires_at:
        raise AnnouncementError(
            _l("Someone else changed the end time in the meantime; it is now %(end)s. Please check and try again.",
               end=format_datetime(item.expires_at)),
            field="expires_at", status=409,
        )
    if item.expires_at is not None and item.expires_at <= now:
        raise AnnouncementError(
            _l("This emergency notice has already ended. To show it again, publish a new one."), status=409
        )
    _check_emergency_end(expires_at, now)
    db.session.add(AnnouncementRenewal(
        announcement_id=item.id, renewed_at=now, renewed_by_id=actor.id,
        previous_expires_at=item.expires_at, new_expires_at=expires_at,
    ))
    previous = item.expires_at
    item.expires_at = expires_at
    item.updated_at = now
    db.session.flush()
    audit.record(
        "announcement.renew", actor=actor, target_type="announcement", target_id=item.id,
        previous_expires_at=previous.isoformat() if previous else None, expires_at=expires_at.isoformat(),
    )
    return True


def withdraw(actor, item: Announcement, *, reason: str, now: datetime | None = None) -> None:
    """Take a notice down at once (it leaves every banner, list and feed); the reason is shown on its page."""
    now = now or utcnow()
    if not can_manage_announcement(actor, item):
        raise AnnouncementError(
            _l("Only members of the department that published this notice, or an administrator, can withdraw it."),
            status=403,
        )
    reason = (reason or "").strip()
    if not reason:
        raise AnnouncementError(_l("Please write why the notice is withdrawn. It is shown on the notice's page."),
                                field="reason")
    item = _locked(item)
    if item.withdrawn_at is not None:
        raise AlreadyWithdrawn(
            _l("This notice had already been withdrawn (%(when)s).", when=format_datetime(item.withdrawn_at)),
            status=409,
        )
    item.withdrawn_at = now
    item.withdrawn_by_id = actor.id
    item.withdrawal_reason = reason
    item.updated_at = now
    db.session.flush()
    audit.record("announcement.withdraw", actor=actor, target_type="announcement", target_id=item.id, reason=reason,
                 emergency=item.is_emergency)
