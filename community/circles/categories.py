"""Circle categories: the only reader of the circle_category table (edited at /admin/categories).

Circles store a category's key. Forms, the circle list's filter and search's labels and facets all ask
here; a deactivated category is no longer offered but still names the circles that have it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import has_request_context, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from community.extensions import db

# What the site had before categories were editable. The migration copies it (with its Japanese
# labels) into the table; when the table is empty (tests and the demo build the schema with
# create_all, not the migrations) this list is used as it is, so nothing else changes.
BUILT_IN = {
    "childcare": _l("Parenting"),
    "hobby": _l("Hobbies"),
    "sports": _l("Sports"),
    "learning": _l("Learning"),
    "health": _l("Health"),
    "local": _l("Local activities"),
    "volunteer": _l("Volunteering"),
    "other": _l("Other"),
}
_CACHE = "tsunagari.circle_categories"


@dataclass(frozen=True)
class Entry:
    key: str
    label: str
    active: bool


def _entries() -> list[Entry]:
    """Every category in order; read once per request (a listing names one per circle)."""
    cache = request.environ if has_request_context() else {}
    if _CACHE not in cache:
        from community.circles.models import CircleCategory

        rows = db.session.scalars(select(CircleCategory).order_by(CircleCategory.sort_order, CircleCategory.id))
        english = str(get_locale() or "ja").startswith("en")
        cache[_CACHE] = [Entry(r.key, (r.label_en if english and r.label_en else r.label), r.active) for r in rows]
    return cache[_CACHE] or [Entry(key, str(label), True) for key, label in BUILT_IN.items()]


def forget() -> None:
    """After a change: this request's later reads see it."""
    if has_request_context():
        request.environ.pop(_CACHE, None)


def categories(keep: str | None = None) -> list[tuple[str, str]]:
    """(key, label) of the active categories in order, for choices and filters; `keep` adds a circle's
    own (deactivated) category so editing the circle does not change it."""
    return [(e.key, e.label) for e in _entries() if e.active or e.key == keep]


def category_label(key: str | None) -> str:
    """The label of any category, active or not; an unknown key shows as itself."""
    for entry in _entries():
        if entry.key == key:
            return entry.label
    return key or ""
