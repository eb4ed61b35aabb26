"""One counter cell per (object, local date, hour, age band): no user, session or address column.

`weekday` is stored (derived from `day`) so that charts group by it without date functions that
differ between SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Index, Integer, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from community.extensions import db

# The conflict target of the upsert in services.record_view.
CELL_KEY = ("kind", "object_id", "owner_kind", "owner_id", "day", "hour", "age_band")


class ReachView(db.Model):
    __tablename__ = "reach_view"
    __table_args__ = (
        UniqueConstraint(*CELL_KEY),
        Index("ix_reach_view_owner_day", "owner_kind", "owner_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # What was read: "circle_topic" (a circle's topic page) or "official_post".
    kind: Mapped[str] = mapped_column(String(30))
    object_id: Mapped[int] = mapped_column(Integer)
    # Whose reach it is: "circle" or "official" (an OfficialAccount).
    owner_kind: Mapped[str] = mapped_column(String(20))
    owner_id: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)  # local date in Asia/Tokyo
    hour: Mapped[int] = mapped_column(SmallInteger)  # 0-23, local
    weekday: Mapped[int] = mapped_column(SmallInteger)  # 0 = Monday
    age_band: Mapped[str] = mapped_column(String(10))
    views: Mapped[int] = mapped_column(Integer, default=0)
