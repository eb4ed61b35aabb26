from __future__ import annotations

from flask_login import current_user
from sqlalchemy import select

from community.announcements.models import Announcement
from community.extensions import db
from community.policy import visible_announcements


def current_announcements(limit: int = 20) -> list[Announcement]:
    stmt = visible_announcements(select(Announcement), current_user).order_by(
        Announcement.is_emergency.desc(), Announcement.published_at.desc()
    )
    return list(db.session.scalars(stmt.limit(limit)))


def current_emergencies() -> list[Announcement]:
    stmt = visible_announcements(select(Announcement).where(Announcement.is_emergency.is_(True)), current_user)
    return list(db.session.scalars(stmt.order_by(Announcement.published_at.desc())))
