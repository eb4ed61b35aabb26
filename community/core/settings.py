"""Site settings an administrator sets for the city (first by `flask tsunagari init`).

One row (id 1) in `site_settings`. Every reader goes through `site_settings()`, which falls back
to the configuration (TSUNAGARI_CITY_NAME, TSUNAGARI_CITY_WEBSITE, TSUNAGARI_CONTACT_EMAIL,
TSUNAGARI_CONTACT_PHONE) for a value the row does not have, or when there is no row at all (the
demo city, or a site set up before this table). Administrators change the row at /admin/settings.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import String, Text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from community.core.database import UTCDateTime, utcnow
from community.extensions import db

SETTINGS_ID = 1
EDITABLE = ("city_name", "city_website", "contact_email", "contact_phone", "help_text")


class SiteSettings(db.Model):
    __tablename__ = "site_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    city_name: Mapped[str] = mapped_column(String(40), default="")
    # The city's official web site: where `flask citypages crawl` starts when given no URL.
    city_website: Mapped[str] = mapped_column(String(500), default="")
    # The contact page and the help page (/contact, /help): who answers residents, and what to add.
    contact_email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="", server_default="")
    help_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


@dataclass(frozen=True)
class Settings:
    city_name: str
    city_website: str
    contact_email: str = ""
    contact_phone: str = ""
    help_text: str = ""


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
    def value(name: str, config_key: str | None = None) -> str:
        stored = getattr(row, name, "") if row is not None else ""
        return stored or (config.get(config_key, "") if config_key else "")

    return Settings(
        city_name=value("city_name") or config["CITY_NAME"],
        city_website=value("city_website", "CITY_WEBSITE"),
        contact_email=value("contact_email", "CONTACT_EMAIL"),
        contact_phone=value("contact_phone", "CONTACT_PHONE"),
        help_text=value("help_text"),
    )


def save_site_settings(*, city_name: str, city_website: str = "", **more: str) -> SiteSettings:
    """Create or update the row (more: contact_email, contact_phone, help_text); flushes, never commits."""
    row = settings_row()
    if row is None:
        row = SiteSettings(id=SETTINGS_ID)
        db.session.add(row)
    row.city_name = city_name
    row.city_website = city_website
    for name, text in more.items():
        if name not in EDITABLE:
            raise TypeError(f"unknown site setting {name}")
        setattr(row, name, text)
    db.session.flush()
    return row
