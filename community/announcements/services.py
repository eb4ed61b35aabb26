from __future__ import annotations

from sqlalchemy import or_, select

from community.announcements.models import Announcement
from community.core.database import utcnow
from community.extensions import db


def _current(stmt):
    now = utcnow()
    return stmt.where(
        Announcement.withdrawn_at.is_(None),
        Announcement.published_at <= now,
        or_(Announcement.expires_at.is_(None), Announcement.expires_at > now),
    )


def current_announcements(limit: int = 20) -> list[Announcement]:
    stmt = _current(select(Announcement)).order_by(Announcement.is_emergency.desc(), Announcement.published_at.desc())
    return list(db.session.scalars(stmt.limit(limit)))


def current_emergencies() -> list[Announcement]:
    stmt = _current(select(Announcement).where(Announcement.is_emergency.is_(True)))
    return list(db.session.scalars(stmt.order_by(Announcement.published_at.desc())))
