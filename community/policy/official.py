"""The city's official content: announcements (お知らせ) and imported city pages (市のページ).

Both are public. An announcement shows from its publication until it expires or is withdrawn;
a city page shows until the crawler finds it gone (404/410) and sets `removed_at`.
"""

from __future__ import annotations

from sqlalchemy import and_, or_
from sqlalchemy.sql import ColumnElement, Select

from community.core.database import utcnow


def _announcement_model():
    # Imported lazily: the policy package must not import feature packages at import time.
    from community.announcements.models import Announcement

    return Announcement


def current_announcement_clause() -> ColumnElement[bool]:
    a = _announcement_model()
    now = utcnow()
    return and_(
        a.withdrawn_at.is_(None),
        a.published_at <= now,
        or_(a.expires_at.is_(None), a.expires_at > now),
    )


def visible_announcements(stmt: Select, viewer) -> Select:
    return stmt.where(current_announcement_clause())


def can_view_announcement(viewer, item) -> bool:
    if item is None or item.withdrawn_at is not None:
        return False
    now = utcnow()
    return item.published_at <= now and (item.expires_at is None or item.expires_at > now)


def visible_city_pages(stmt: Select, viewer, page_model) -> Select:
    """`page_model` is search.citypages' CityPage, passed in because community never imports search."""
    return stmt.where(page_model.removed_at.is_(None))


def can_view_city_page(viewer, page) -> bool:
    return page is not None and page.removed_at is None
