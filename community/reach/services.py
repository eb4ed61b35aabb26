"""Counting page views into aggregate cells, and reading them back as a report.

Recording: `record_view(...)` adds one to the cell (object, local date, hour, age band) with one
INSERT ... ON CONFLICT DO UPDATE on its own short connection, so it never holds a lock for the
rest of the page and a failure is logged, never shown. No user, session or address is stored.

Dedupe ("at most once per viewer, object and hour"): the browser's own session cookie holds, for
the current hour only, short HMAC digests of (object, hour) made with the app's secret key. The
server keeps no list of who read what, not even for an hour; the cookie is opaque (it does not
say which pages were read), is replaced when the hour changes, and is emptied at sign-in and
sign-out (and by the kiosk's Clear-Site-Data). A browser that drops its cookies is counted again: the
numbers are reach, not an audit.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app, request, session
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, bindparam, func, select, text

from community.core.database import utcnow
from community.extensions import db
from community.policy.accounts import TOKYO, is_minor
from community.reach.models import ReachView

log = logging.getLogger(__name__)

# Age bands, youngest first. 中学生以下 follows the Japanese school year (policy.is_minor).
AGE_BANDS: list[tuple[str, object]] = [
    ("child", _l("Junior-high age or younger")),
    ("teen", _l("High-school age / teens")),
    ("20s", _l("20s")),
    ("30s", _l("30s")),
    ("40s", _l("40s")),
    ("50s", _l("50s")),
    ("60s", _l("60s")),
    ("70plus", _l("70 and over")),
    ("guest", _l("Not verified / guests")),
]
BAND_CODES = [code for code, _label in AGE_BANDS]
PERIODS = (7, 30, 90)
# A band read fewer times than this in the period is not shown (privacy, 小さな数の秘匿).
SUPPRESS_BELOW = 5
# Fewer views than this for the chosen audience: no suggestion, we say there is too little data.
SUGGEST_MIN_VIEWS = 20
SEEN_KEY = "reach_seen"
SEEN_MAX = 60  # digests kept per hour (~0.9 kB of the 4 kB cookie); past that a re-read may count again

WEEKDAYS = [_l("Mon"), _l("Tue"), _l("Wed"), _l("Thu"), _l("Fri"), _l("Sat"), _l("Sun")]


def age_band(viewer, today: date) -> str:
    """The band of a verified reader's age on `today`; everyone else is a guest."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return "guest"
    if not viewer.is_verified or viewer.birth_date is None:
        return "guest"
    if is_minor(viewer, today):
        return "child"
    birth = viewer.birth_date
    age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    if age < 20:
        return "teen"
    if age >= 70:
        return "70plus"
    return f"{age // 10 * 10}s"


# -- recording --------------------------------------------------------------------------------------


def _owner(owner_kind: str, owner_id: int):
    if owner_kind == "circle":
        from community.circles.models import Circle

        return db.session.get(Circle, owner_id)
    if owner_kind == "official":
        from community.official.models import OfficialAccount

        return db.session.get(OfficialAccount, owner_id)
    raise ValueError(f"unknown reach owner kind {owner_kind!r}")


def _excluded(viewer, owner_kind: str, owner_id: int, author_id: int | None) -> bool:
    """The author and the people who run the account (those who may see its reach) do not count."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return False
    if author_id is not None and viewer.id == author_id:
        return True
    from community.policy import can_view_reach

    return can_view_reach(viewer, _owner(owner_kind, owner_id))


def _first_in_this_hour(kind: str, object_id: int, stamp: str) -> bool:
    """True the first time this browser opens the object in this local hour (and remembers it)."""
    secret = str(current_app.secret_key).encode()
    digest = hmac.new(secret, f"reach:{stamp}:{kind}:{object_id}".encode(), hashlib.sha256).hexdigest()[:12]
    seen = session.get(SEEN_KEY)
    if not isinstance(seen, dict) or seen.get("h") != stamp:
        seen = {"h": stamp, "d": []}
    digests = list(seen.get("d") or [])
    if digest in digests:
        return False
    digests = (digests + [digest])[-SEEN_MAX:]
    session[SEEN_KEY] = {"h": stamp, "d": digests}
    return True


# The same SQL runs on SQLite (3.24+) and PostgreSQL. Written as text because SQLAlchemy cannot
# cache a compiled dialect INSERT ... ON CONFLICT (it compiled it on every page view). The conflict
# target is models.CELL_KEY, the table's unique constraint (tests/reach checks they agree).
_UPSERT = text(
    "INSERT INTO reach_view (kind, object_id, owner_kind, owner_id, day, hour, age_band, weekday, views) "
    "VALUES (:kind, :object_id, :owner_kind, :owner_id, :day, :hour, :age_band, :weekday, 1) "
    "ON CONFLICT (kind, object_id, owner_kind, owner_id, day, hour, age_band) "
    "DO UPDATE SET views = reach_view.views + 1"
).bindparams(bindparam("day", type_=Date))


# A page waits at most this long for the counter; past it the view is dropped (and logged).
LOCK_WAIT_MS = 500


def _upsert(cell: dict) -> None:
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # A counter may lose its last few views if the server crashes; not waiting for the
            # WAL flush takes most of the cost off every page view (measured; see docs/reach.md).
            conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{LOCK_WAIT_MS}ms'")
            conn.execute(_UPSERT, cell)
            return
        # SQLite: a long writer elsewhere (a backup, a bulk import) must not stall the page for the
        # connection's usual 10 s busy timeout; restore it for the pool's next user.
        usual = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
        conn.exec_driver_sql(f"PRAGMA busy_timeout={LOCK_WAIT_MS}")
        try:
            conn.execute(_UPSERT, cell)
        finally:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={int(usual)}")


def add_view(kind: str, object_id: int, owner_kind: str, owner_id: int, band: str, at: datetime) -> None:
    """Add one view to its cell (one atomic statement; safe under concurrent requests)."""
    local = at.astimezone(TOKYO)
    _upsert({
        "kind": kind, "object_id": object_id, "owner_kind": owner_kind, "owner_id": owner_id,
        "day": local.date(), "hour": local.hour, "weekday": local.weekday(), "age_band": band,
    })


def record_view(kind: str, object_id: int, owner_kind: str, owner_id: int, viewer, *,
                author_id: int | None = None) -> bool:
    """Count one page view, once per browser, object and hour. Never raises: reach must not break a page.

    Returns whether a view was counted (for tests and logs).
    """
    try:
        if request.method != "GET":  # HEAD requests (link checkers, previews) are not readers
            return False
        if _excluded(viewer, owner_kind, owner_id, author_id):
            return False
        now = utcnow()
        local = now.astimezone(TOKYO)
        if not _first_in_this_hour(kind, object_id, local.strftime("%Y%m%d%H")):
            return False
        add_view(kind, object_id, owner_kind, owner_id, age_band(viewer, local.date()), now)
        return True
    except Exception:  # noqa: BLE001 - counting is best effort; the page is what matters
        log.exception("could not record a reach view for %s %s", kind, object_id)
        return False


# -- reading ----------------------------------------------------------------------------------------


@dataclass
class Band:
    code: str
    label: object  # a lazy translation
    views: int | None  # None: suppressed (fewer than SUPPRESS_BELOW, or hidden so it cannot be derived)


@dataclass
class Slot:
    weekday: int
    hour: int
    views: int
    per_day: float  # views per occurrence of that weekday in the period

    @property
    def label(self) -> str:
        return str(_l("%(weekday)s %(hour)d:00", weekday=WEEKDAYS[self.weekday], hour=self.hour))


@dataclass
class Suggestion:
    audience: str
    audience_label: object  # a lazy translation
    views: int
    slots: list[Slot] = field(default_factory=list)

    @property
    def enough(self) -> bool:
        return bool(self.slots)

    @property
    def text(self) -> str:
        return ", ".join(s.label for s in self.slots)


@dataclass
class TopItem:
    kind: str
    object_id: int
    views: int
    title: str | None = None  # None: the viewer may no longer see it (deleted, hidden, withdrawn)
    url: str | None = None


@dataclass
class Report:
    owner_kind: str
    owner_id: int
    days: int
    first_day: date
    last_day: date
    total: int
    by_hour: list[int]
    by_weekday: list[int]
    heat: list[list[int]]  # [weekday][hour]
    bands: list[Band]
    top: list[TopItem]
    weekday_counts: list[int]  # how many of each weekday the period has
    cells: dict[tuple[str, int, int], int]  # (band, weekday, hour) -> views, for suggestions


def period(days: int, now: datetime | None = None) -> tuple[date, date]:
    today = (now or utcnow()).astimezone(TOKYO).date()
    return today - timedelta(days=days - 1), today


def suppress(counts: dict[str, int]) -> dict[str, int | None]:
    """Hide bands read 1 to SUPPRESS_BELOW-1 times. If exactly one band is hidden, hide the next
    smallest too, so that it cannot be worked out from the total (complementary suppression)."""
    hidden = {code for code, n in counts.items() if 0 < n < SUPPRESS_BELOW}
    if len(hidden) == 1:
        rest = sorted((n, BAND_CODES.index(code), code) for code, n in counts.items() if n > 0 and code not in hidden)
        if rest:
            hidden.add(rest[0][2])
    return {code: (None if code in hidden else n) for code, n in counts.items()}


def build_report(owner_kind: str, owner_id: int, days: int, now: datetime | None = None, top_limit: int = 20) -> Report:
    first, last = period(days, now)
    where = (
        ReachView.owner_kind == owner_kind,
        ReachView.owner_id == owner_id,
        ReachView.day >= first,
        ReachView.day <= last,
    )
    cells: dict[tuple[str, int, int], int] = {}
    for band, weekday, hour, views in db.session.execute(
        select(ReachView.age_band, ReachView.weekday, ReachView.hour, func.sum(ReachView.views))
        .where(*where)
        .group_by(ReachView.age_band, ReachView.weekday, ReachView.hour)
    ):
        cells[(band, weekday, hour)] = int(views)
    by_hour, by_weekday = [0] * 24, [0] * 7
    heat = [[0] * 24 for _ in range(7)]
    band_counts = {code: 0 for code in BAND_CODES}
    for (band, weekday, hour), views in cells.items():
        by_hour[hour] += views
        by_weekday[weekday] += views
        heat[weekday][hour] += views
        band_counts[band] = band_counts.get(band, 0) + views
    shown = suppress(band_counts)
    labels = dict(AGE_BANDS)
    bands = [Band(code, labels.get(code, code), shown[code]) for code in BAND_CODES]
    views_sum = func.sum(ReachView.views)
    top = [
        TopItem(kind, object_id, int(views))
        for kind, object_id, views in db.session.execute(
            select(ReachView.kind, ReachView.object_id, views_sum)
            .where(*where)
            .group_by(ReachView.kind, ReachView.object_id)
            .order_by(views_sum.desc(), ReachView.object_id.desc())
            .limit(top_limit)
        )
    ]
    weekday_counts = [0] * 7
    for i in range(days):
        weekday_counts[(first + timedelta(days=i)).weekday()] += 1
    return Report(owner_kind, owner_id, days, first, last, sum(by_hour), by_hour, by_weekday, heat, bands, top,
                  weekday_counts, cells)


def suggest(report: Report, audience: str = "all", slots: int = 2) -> Suggestion:
    """The weekday-hour cells this audience reads most, per occurrence of the weekday in the period.

    An audience with fewer than SUGGEST_MIN_VIEWS views gets none.
    """
    labels = dict(AGE_BANDS)
    label = _l("All readers") if audience == "all" else labels.get(audience, audience)
    grid: dict[tuple[int, int], int] = {}
    for (band, weekday, hour), views in report.cells.items():
        if audience == "all" or band == audience:
            grid[(weekday, hour)] = grid.get((weekday, hour), 0) + views
    total = sum(grid.values())
    suggestion = Suggestion(audience, label, total)
    # No count is shown with a suggestion (it could reveal a band hidden in the chart); a band
    # needs SUGGEST_MIN_VIEWS views, well above SUPPRESS_BELOW, before its busiest slots are named.
    if total < SUGGEST_MIN_VIEWS:
        return suggestion
    ranked = sorted(
        (
            Slot(weekday, hour, views, views / max(report.weekday_counts[weekday], 1))
            for (weekday, hour), views in grid.items()
            if views > 0
        ),
        key=lambda s: (-s.per_day, -s.views, s.weekday, s.hour),
    )
    suggestion.slots = ranked[:slots]
    return suggestion
