"""Site settings an administrator sets for the city (first by `flask tsunagari init`).

One row (id 1) in `site_settings`. Every reader goes through `site_settings()`, which falls back
to the configuration (TSUNAGARI_CITY_NAME, TSUNAGARI_CITY_WEBSITE) for a value the row does not
have, or when there is no row at all (the demo city, or a site set up before this table).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import String
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from community.core.database import UTCDateTime, utcnow
from community.extensions import db

SETTINGS_ID = 1


class SiteSettings(db.Model):
    __tablename__ = "site_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    city_name: Mapped[str] = mapped_column(String(40), default="")
    # The city's official web site: where `flask citypages crawl` starts when given no URL.
    city_website: Mapped[str] = mapped_column(String(500), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


@dataclass(frozen=True)
class Settings:
    city_name: str
    city_website: str


def settings_row() -> SiteSettings | None:
    return db.session.get(SiteSettings, SETTINGS_ID)


def site_settings() -> Settings:
    """The city's settings: the row's values, else the configuration's."""
    config = current_app.config
    try:
        row = settings_row()
    except SQLAlchemyError:
        # Error pages (a database outage's 503) render the layout too: they must not fail here.
        with contextlib.suppress(SQLAlchemyError):
            db.session.rollback()
        row = None
    return Settings(
        city_name=(row.city_name if row and row.city_name else None) or config["CITY_NAME"],
        city_website=(row.city_website if row and row.city_website else None) or config.get("CITY_WEBSITE", ""),
    )


def save_site_settings(*, city_name: str, city_website: str = "") -> SiteSettings:
    """Create or update the row; flushes, never commits."""
    row = settings_row()
    if row is None:
        row = SiteSettings(id=SETTINGS_ID)
        db.session.add(row)
    row.city_name = city_name
    row.city_website = city_website
    db.session.flush()
    return row
