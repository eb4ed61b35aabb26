"""横断検索: one query over city pages and community content, permission-exact.

The engine returns ranked keys; the database reloads them through each source's policy filter,
so a stale index can never show what the viewer may not open, and hiding, deleting, leaving a
circle or a new block takes effect in the very next search.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache

from flask import current_app
from markupsafe import Markup
from sqlalchemy import select

from community.extensions import db
from search import sources
from search.analysis import ParsedQuery, highlight, parse_query
from search.backends import Hit, SearchFilters, get_backend
from search.indexing import drain_before_search

_KANJI_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
PER_PAGE = 20
MAX_PAGE = 50
SNIPPET_CHARS = 140
RELOAD_BATCH = 200
DEFAULT_RANK_CANDIDATES = 300


@dataclass
class Result:
    kind: str
    object_id: int
    source: str
    source_label: str
    kind_label: str
    title: Markup
    snippet: Markup
    url: str
    date: datetime | None
    extra: dict = field(default_factory=dict)


@dataclass
class Suggestion:
    query: str
    drop_filters: bool = False


@dataclass
class SearchOutcome:
    query: ParsedQuery
    results: list[Result]
    page: int
    has_next: bool
    suggestions: list[Suggestion] = field(default_factory=list)

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def _candidate_limit() -> int:
    return int(current_app.config.get("SEARCH_MAX_CANDIDATES", 1000))


def _rank_candidates() -> int | None:
    """How many of the newest matches are ranked for relevance (SEARCH_RANK_CANDIDATES; 0 ranks
    every match). A word found in a third of a million documents made every engine rank all of
    them for a page of 20; ranking the newest few hundred that the viewer's scopes allow keeps a
    search fast at any size, and a word with fewer matches is ranked exactly."""
    value = int(current_app.config.get("SEARCH_RANK_CANDIDATES", DEFAULT_RANK_CANDIDATES))
    return value if value > 0 else None


def _visible_keys(hits: list[Hit], viewer, want: int) -> list[tuple[str, int]]:
    """The hits the viewer may open, in rank order, until `want` are found."""
    visible: list[tuple[str, int]] = []
    for start in range(0, len(hits), RELOAD_BATCH):
        batch = hits[start : start + RELOAD_BATCH]
        by_kind: dict[str, list[int]] = defaultdict(list)
        for hit in batch:
            by_kind[hit.kind].append(hit.object_id)
        allowed: set[tuple[str, int]] = set()
        for kind, ids in by_kind.items():
            source = sources.get(kind)
            if source is None:
                continue
            stmt = source.visible(select(source.model.id).where(source.model.id.in_(ids)), viewer)
            allowed.update((kind, object_id) for object_id in db.session.scalars(stmt))
        visible.extend((h.kind, h.object_id) for h in batch if (h.kind, h.object_id) in allowed)
        if len(visible) >= want:
            break
    return visible


def _load(keys: list[tuple[str, int]], viewer, words) -> list[Result]:
    by_kind: dict[str, list[int]] = defaultdict(list)
    for kind, object_id in keys:
        by_kind[kind].append(object_id)
    loaded: dict[tuple[str, int], Result] = {}
    for kind, ids in by_kind.items():
        source = sources.get(kind)
        # Through the policy again: the rows shown are exactly the rows the viewer may open.
        # The source's eager loading (an event's or post's circle, a diary's author): one query per kind.
        rows = db.session.scalars(source.visible(source.rows().where(source.model.id.in_(ids)), viewer)).unique().all()
        extras = source.present_many(rows, viewer) if source.present_many else {}
        for row in rows:
            shown = source.present(row)
            loaded[(kind, row.id)] = Result(
                kind=kind,
                object_id=row.id,
                source=source.source,
                source_label=str(sources.SOURCE_LABELS[source.source]),
                kind_label=str(source.label),
                title=Markup(highlight(shown.title, words)),  # noqa: S704 - highlight() escapes
                snippet=Markup(highlight(shown.text, words, width=SNIPPET_CHARS)),  # noqa: S704
                url=shown.url,
                date=shown.date,
                extra={**shown.extra, **extras.get(row.id, {})},
            )
    return [loaded[k] for k in keys if k in loaded]


def _filters_for(viewer, filters: SearchFilters) -> SearchFilters:
    scopes = sources.viewer_scopes(viewer)
    return replace(filters, scopes=frozenset(scopes) if scopes is not None else None)


def _ranked_visible(parsed: ParsedQuery, viewer, filters: SearchFilters, sort: str, want: int):
    """Ask the engine for a few more hits than the page needs (the scope filter has already
    dropped most of what the viewer may not see); ask again for more only when the policy
    filtered out too many. Ranking every match is what made engines slow at scale."""
    limit = min(want * 2 + 20, _candidate_limit())
    while True:
        hits = get_backend().search(parsed, filters, sort=sort, limit=limit, rank_within=_rank_candidates())
        keys = _visible_keys(hits, viewer, want)
        if len(keys) >= want or len(hits) < limit or limit >= _candidate_limit():
            return keys
        limit = min(limit * 4, _candidate_limit())


def _visible_count(parsed: ParsedQuery, viewer, filters: SearchFilters, want: int = 1) -> int:
    return len(_ranked_visible(parsed, viewer, _filters_for(viewer, filters), "relevance", want))


def search(text: str, viewer, filters: SearchFilters | None = None, *, sort: str = "relevance",
           page: int = 1, per_page: int = PER_PAGE) -> SearchOutcome:
    """Raises search.backends.SearchUnavailable when the engine cannot answer."""
    filters = filters or SearchFilters()
    parsed = parse_query(text)
    page = max(1, min(int(page), MAX_PAGE))
    if parsed.is_empty:
        return SearchOutcome(parsed, [], 1, False)
    drain_before_search()
    want = page * per_page + 1
    keys = _ranked_visible(parsed, viewer, _filters_for(viewer, filters), sort, want)
    page_keys = keys[(page - 1) * per_page : page * per_page]
    results = _load(page_keys, viewer, parsed.words)
    outcome = SearchOutcome(parsed, results, page, len(keys) > page * per_page)
    if not keys:
        outcome.suggestions = suggest(parsed, viewer, filters)
    return outcome


@lru_cache(maxsize=1)
def _kakasi():
    import pykakasi

    return pykakasi.kakasi()


def reading(word: str) -> str:
    """The hiragana reading of a word with kanji (子育て → こそだて), for suggestions."""
    return "".join(part["hira"] for part in _kakasi().convert(word))


def suggest(parsed: ParsedQuery, viewer, filters: SearchFilters) -> list[Suggestion]:
    """Alternatives that really give results: without the filters, fewer words, the reading.

    Katakana/hiragana/width variants are not offered: they already meet in the index.
    """
    candidates: list[Suggestion] = []
    text = " ".join(parsed.words)
    has_filters = bool(filters.sources or filters.district_id or filters.category or filters.date_from or filters.date_to)
    if has_filters:
        candidates.append(Suggestion(text, drop_filters=True))
    if len(parsed.words) > 1:
        candidates.extend(Suggestion(word) for word in parsed.words)
    read = " ".join(reading(w) if _KANJI_RE.search(w) else w for w in parsed.words)
    if read != text:
        candidates.append(Suggestion(read))
    found: list[Suggestion] = []
    for candidate in candidates:
        alt_filters = SearchFilters() if candidate.drop_filters else filters
        if _visible_count(parse_query(candidate.query), viewer, alt_filters):
            found.append(candidate)
        if len(found) >= 3:
            break
    return found
