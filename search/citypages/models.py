from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, String, Text
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
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
