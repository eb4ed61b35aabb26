"""One search interface, two engines: Whoosh files in instance/ (the default) or the database's
own full-text search (SQLite FTS5 / PostgreSQL tsvector). Chosen by TSUNAGARI_SEARCH_BACKEND.

Nothing outside this package imports an engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app

from search.analysis import ParsedQuery
from search.sources import Document

BACKENDS = ("whoosh", "database")


class SearchUnavailable(Exception):
    """The engine cannot answer (index missing or broken, database without full-text support)."""


@dataclass(frozen=True)
class SearchFilters:
    sources: tuple[str, ...] = ()
    district_id: int | None = None
    category: str = ""
    date_from: datetime | None = None
    date_to: datetime | None = None  # exclusive
    scopes: frozenset[str] | None = None  # None: every scope


@dataclass(frozen=True)
class Hit:
    kind: str
    object_id: int


class SearchBackend:
    name = "base"
    # True when documents are written inside the content's own transaction (no outbox needed).
    transactional = False

    def search(self, query: ParsedQuery, filters: SearchFilters, *, sort: str = "relevance", limit: int = 500) -> list[Hit]:
        raise NotImplementedError

    def apply(self, documents: list[Document], deleted: list[tuple[str, int]]) -> None:
        """Add or replace documents and delete keys."""
        raise NotImplementedError

    def rebuild(self, documents: Iterable[Document], progress: Callable[[int], None] | None = None) -> int:
        """Replace the whole index with these documents; returns how many were indexed."""
        raise NotImplementedError

    def indexed_hashes(self) -> dict[tuple[str, int], str]:
        raise NotImplementedError

    def status(self) -> dict:
        raise NotImplementedError


def backend_name(app: Flask | None = None) -> str:
    app = app or current_app
    name = str(app.config.get("SEARCH_BACKEND") or "whoosh").lower()
    if name not in BACKENDS:
        raise SearchUnavailable(f"unknown search backend {name!r}")
    return name


def get_backend(app: Flask | None = None) -> SearchBackend:
    """The backend for this app, created once per process (Whoosh keeps its searcher open)."""
    app = app or current_app
    cache = app.extensions.setdefault("tsunagari.search.backend", {})
    name = backend_name(app)
    if name not in cache:
        if name == "whoosh":
            from search.backends.whoosh_backend import WhooshBackend

            cache[name] = WhooshBackend(app.config["SEARCH_INDEX_DIR"])
        else:
            from search.backends.database import DatabaseBackend

            cache[name] = DatabaseBackend()
    return cache[name]
