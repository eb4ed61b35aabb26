"""The searchable sources: one small adapter per content kind.

Each says what goes into the index, which policy filter reloads its hits, and how a hit is shown.
"""

from __future__ import annotations

from datetime import date, datetime, time
from functools import partial
from zoneinfo import ZoneInfo

from flask import url_for
from flask_babel import lazy_gettext as _l

from search.sources import Document, Presented, SearchSource, register

TOKYO = ZoneInfo("Asia/Tokyo")


def _day(value: date | None) -> datetime | None:
    return datetime.combine(value, time(12), tzinfo=TOKYO) if value else None


def _announcements() -> None:
    from community.announcements.models import Announcement
    from community.policy import visible_announcements

    def document(item: Announcement) -> Document:
        return Document(
            kind="announcement",
            object_id=item.id,
            source="official",
            title=item.title,
            body=f"{item.body}\n{item.department}",
            date=item.published_at,
        )

    def present(item: Announcement) -> Presented:
        return Presented(
            title=item.title,
            text=item.body,
            url=url_for("announcements.show", announcement_id=item.id),
            date=item.published_at,
            extra={"department": item.department, "emergency": item.is_emergency},
        )

    register(SearchSource("announcement", Announcement, "official", _l("Announcement"), document,
                          visible_announcements, present))


def _city_pages() -> None:
    from community.policy import visible_city_pages
    from search.citypages.models import CityPage

    def document(page: CityPage) -> Document | None:
        if page.removed_at is not None:
            return None  # gone from the city's site: out of the index too
        return Document(
            kind="citypage",
            object_id=page.id,
            source="official",
            title=page.title,
            body=f"{page.body}\n{page.department}",
            date=_day(page.page_updated_on) or page.fetched_at,
        )

    def present(page: CityPage) -> Presented:
        return Presented(
            title=page.title or page.url,
            text=page.body,
            url=page.url,
            date=_day(page.page_updated_on) or page.fetched_at,
            extra={"department": page.department, "external": True},
        )

    register(SearchSource("citypage", CityPage, "official", _l("City page"), document,
                          partial(visible_city_pages, page_model=CityPage), present))


def register_all() -> None:
    _announcements()
    _city_pages()
