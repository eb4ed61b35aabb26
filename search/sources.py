"""The registry of searchable sources: what each kind of content puts in the index, and how its
hits are reloaded through the policy.

Adding a content kind is one `register(SearchSource(...))` call in search/adapters.py.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

# The three sources a resident filters by: 行政 / 地域 / みんなの声.
SOURCE_LABELS = {
    "official": _l("City government"),
    "local": _l("Local community"),
    "voices": _l("Residents' voices"),
}


@dataclass
class Document:
    """What the index holds for one row. `scope` is a coarse hint ("public", "members",
    "circle:<id>", "restricted") the engine may use to skip documents early; the policy filter
    on reload is what decides."""

    kind: str
    object_id: int
    source: str
    title: str
    body: str
    date: datetime | None = None
    district_id: int | None = None
    category: str = ""
    scope: str = "public"

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.object_id}"

    @property
    def content_hash(self) -> str:
        text = "\x1f".join(
            [self.source, self.title, self.body, str(self.date), str(self.district_id), self.category, self.scope]
        )
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Presented:
    """A reloaded hit as the result list shows it."""

    title: str
    text: str
    url: str
    date: datetime | None
    extra: dict = field(default_factory=dict)


@dataclass
class SearchSource:
    kind: str
    model: type
    source: str
    label: Any  # what the result list calls this kind, e.g. 「お知らせ」
    document: Callable[[Any], Document | None]  # None: not indexed at all
    visible: Callable[[Select, Any], Select]  # the policy's SQL filter
    present: Callable[[Any], Presented]
    load: Callable[[], Select] | None = None  # rows for reindex (eager loading as needed)
    present_many: Callable[[list, Any], dict] | None = None  # extra data for a page of rows, no N+1

    def rows(self) -> Select:
        """Rows of this kind with what `document` and `present` read loaded alongside."""
        return self.load() if self.load else select(self.model)

    def all_rows(self) -> Select:
        return self.rows() if self.load else select(self.model).order_by(self.model.id)


_SOURCES: dict[str, SearchSource] = {}
_BY_MODEL: dict[type, str] = {}
# Other models whose changes re-index documents: model -> function(obj) -> [(kind, id)].
_DEPENDENTS: dict[type, list[Callable[[Any], Iterable[tuple[str, int]]]]] = {}
# The circles the viewer belongs to, for the engine's coarse scope filter (set by the circles adapter).
_member_circle_ids: Callable[[Any], set[int]] | None = None


def register(source: SearchSource) -> None:
    _SOURCES[source.kind] = source
    _BY_MODEL[source.model] = source.kind


def register_dependent(model: type, affected: Callable[[Any], Iterable[tuple[str, int]]]) -> None:
    _DEPENDENTS.setdefault(model, []).append(affected)


def set_member_circles(provider: Callable[[Any], set[int]]) -> None:
    global _member_circle_ids
    _member_circle_ids = provider


def sources() -> dict[str, SearchSource]:
    return dict(_SOURCES)


def get(kind: str) -> SearchSource | None:
    return _SOURCES.get(kind)


def kind_of(obj) -> str | None:
    return _BY_MODEL.get(type(obj))


def dependents_of(obj) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for affected in _DEPENDENTS.get(type(obj), []):
        out.extend(affected(obj))
    return out


def viewer_scopes(viewer) -> set[str] | None:
    """Scopes worth asking the engine for, or None for "all" (the policy filters afterwards).

    Only drops what can never be visible: members-only documents for viewers without
    read_members, and circle-restricted documents of circles the viewer is not in.
    """
    from community.policy import Capability, can

    scopes = {"public", "restricted"}
    if can(viewer, Capability.read_members):
        scopes.add("members")
        if _member_circle_ids is None:
            return None
        scopes.update(f"circle:{cid}" for cid in _member_circle_ids(viewer))
    return scopes


# Circle categories for the filter (set by the circles adapter when circles exist).
_categories: list[Callable[[], list[tuple[str, Any]]]] = []


def set_categories(read: Callable[[], list[tuple[str, Any]]]) -> None:
    _categories[:] = [read]


def category_choices() -> list[tuple[str, Any]]:
    return list(_categories[0]()) if _categories else []
