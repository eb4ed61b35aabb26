"""The city's official web pages (市のページ), imported by a polite crawler for cross-search."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from community.core.database import UTCDateTime, utcnow
from community.extensions import db


class CityPage(db.Model):
    """One page of the city's website: always public; `removed_at` set once it answers 404/410."""

    __tablename__ = "city_page"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    title: Mapped[str] = mapped_column(String(500), default="")
    body: Mapped[str] = mapped_column(Text, default="")  # main content only, as plain text
    department: Mapped[str] = mapped_column(String(200), default="")  # 担当課 / 情報発信元
    page_updated_on: Mapped[date | None] = mapped_column(Date)  # 更新日 as the page states it
    etag: Mapped[str] = mapped_column(String(200), default="")
    last_modified: Mapped[str] = mapped_column(String(100), default="")
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # when this content was stored
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


class CrawlRun(db.Model):
    """One run of `flask citypages crawl`: what it fetched and what went wrong, for the staff report."""

    __tablename__ = "city_page_crawl_run"

    MAX_ERRORS = 500  # a broken site must not grow one row without bound

    id: Mapped[int] = mapped_column(primary_key=True)
    start_url: Mapped[str] = mapped_column(String(2000))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pages_fetched: Mapped[int] = mapped_column(Integer, default=0)  # page requests answered by the site
    pages_new: Mapped[int] = mapped_column(Integer, default=0)
    pages_updated: Mapped[int] = mapped_column(Integer, default=0)
    pages_unchanged: Mapped[int] = mapped_column(Integer, default=0)  # 304, or the same content hash
    pages_removed: Mapped[int] = mapped_column(Integer, default=0)  # 404/410 (or moved) since the last crawl
    skipped_by_robots: Mapped[int] = mapped_column(Integer, default=0)
    hit_page_limit: Mapped[bool] = mapped_column(default=False)
    # [{"url": ..., "message": ...}], in the order they happened
    errors: Mapped[list] = mapped_column(JSON, default=list)

    def add_error(self, url: str, message: str) -> None:
        if len(self.errors or []) < self.MAX_ERRORS:
            # A new list, so the ORM notices the change to a JSON column.
            self.errors = [*(self.errors or []), {"url": url, "message": message}]

    @property
    def error_count(self) -> int:
        return len(self.errors or [])
