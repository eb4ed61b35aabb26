"""Moderation statistics for staff, and the geometry of a server-rendered SVG bar chart.

No chart library and no inline styles (the CSP forbids both); the template draws the bars with
SVG presentation attributes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from community.core.database import utcnow
from community.extensions import db
from community.policy.accounts import TOKYO
from moderation.models import Report
from moderation.reasons import REPORT_REASONS

# Distinguishable colours with at least 3:1 contrast against white.
COLOURS = ["#0b5d3b", "#a3161b", "#1f4e9c", "#8a4b00", "#6a1b9a", "#005f73", "#4a4a4a"]


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100); None for no data."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(math.ceil(p / 100 * len(ordered)), 1)
    return ordered[rank - 1]


def median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


@dataclass
class Bar:
    x: float
    y: float
    height: float
    colour: str
    reason: str
    count: int


@dataclass
class Week:
    start: datetime
    counts: dict[str, int]
    total: int = 0
    bars: list[Bar] = field(default_factory=list)
    x: float = 0


@dataclass
class Statistics:
    weeks: list[Week]
    legend: list[tuple[str, str, str]]  # code, label, colour
    median_hours: float | None
    p90_hours: float | None
    resolved: int
    dismissed_share: float | None
    max_total: int
    ticks: list[tuple[float, int]]
    width: int = 720
    height: int = 320
    plot_top: int = 20
    plot_bottom: int = 260
    plot_left: int = 48
    bar_width: float = 30


def _week_start(at: datetime) -> datetime:
    local = at.astimezone(TOKYO)
    monday = local.date() - timedelta(days=local.weekday())
    return datetime(monday.year, monday.month, monday.day, tzinfo=TOKYO)


def compute(now: datetime | None = None, weeks: int = 12) -> Statistics:
    now = now or utcnow()
    first = _week_start(now) - timedelta(weeks=weeks - 1)
    buckets = [Week(start=first + timedelta(weeks=i), counts={code: 0 for code, _ in REPORT_REASONS}) for i in range(weeks)]
    for created_at, reason in db.session.execute(
        select(Report.created_at, Report.reason).where(Report.created_at >= first)
    ):
        index = (_week_start(created_at) - first).days // 7
        if 0 <= index < weeks and reason in buckets[index].counts:
            buckets[index].counts[reason] += 1
    hours, dismissed = [], 0
    for created_at, resolved_at, status in db.session.execute(
        select(Report.created_at, Report.resolved_at, Report.status).where(Report.resolved_at.is_not(None))
    ):
        hours.append(max((resolved_at - created_at).total_seconds() / 3600, 0))
        dismissed += status == "dismissed"
    stats = Statistics(
        weeks=buckets,
        legend=[(code, str(label), COLOURS[i]) for i, (code, label) in enumerate(REPORT_REASONS)],
        median_hours=median(hours),
        p90_hours=percentile(hours, 90),
        resolved=len(hours),
        dismissed_share=(dismissed / len(hours)) if hours else None,
        max_total=0,
        ticks=[],
    )
    _layout(stats)
    return stats


def _layout(stats: Statistics) -> None:
    for week in stats.weeks:
        week.total = sum(week.counts.values())
    top = max([w.total for w in stats.weeks] + [1])
    step = max(math.ceil(top / 4), 1)
    scale_max = step * 4
    stats.max_total = top
    plot_h = stats.plot_bottom - stats.plot_top
    stats.ticks = [(stats.plot_bottom - plot_h * (i * step) / scale_max, i * step) for i in range(5)]
    slot = (stats.width - stats.plot_left - 10) / len(stats.weeks)
    stats.bar_width = slot * 0.6
    colours = {code: colour for code, _label, colour in stats.legend}
    for i, week in enumerate(stats.weeks):
        week.x = stats.plot_left + slot * i + slot * 0.2
        y = stats.plot_bottom
        for code, count in week.counts.items():
            if not count:
                continue
            h = plot_h * count / scale_max
            y -= h
            week.bars.append(Bar(x=week.x, y=y, height=h, colour=colours[code], reason=code, count=count))
