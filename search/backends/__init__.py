"""One search interface, two engines: Whoosh files in instance/ (the default) or the database's
own full-text search (SQLite FTS5 / PostgreSQL tsvector). Chosen by TSUNAGARI_SEARCH_BACKEND.

Nothing outside this package imports an engine.
"""

from __future__ import annotations

import os
import pickle
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

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

    def search(self, query: ParsedQuery, filters: SearchFilters, *, sort: str = "relevance", limit: int = 500,
               rank_within: int | None = None) -> list[Hit]:
        """Keys of the best `limit` matches. With `rank_within`, a relevance search ranks only the
        newest max(rank_within, limit) matches the filters (and so the viewer's scopes) allow,
        newest meaning most recently indexed (a rebuild indexes oldest first); None ranks all."""
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


def _sort_date(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f")


def in_date_order(documents: Iterable[Document]) -> Iterator[Document]:
    """The documents oldest first (undated first), for a rebuild.

    Engines number documents in the order they are added, and a relevance search over a very
    common word ranks only the newest matches (see SearchBackend.search): after a rebuild that
    order must follow the documents' dates, not the order the sources were read in. The documents
    are spooled through a temporary SQLite file, so a million of them never sit in memory.
    """
    with tempfile.TemporaryDirectory(prefix="tsunagari-reindex-") as tmp:
        spool = sqlite3.connect(os.path.join(tmp, "spool.sqlite3"))
        try:
            spool.execute("PRAGMA journal_mode=OFF")
            spool.execute("PRAGMA synchronous=OFF")
            spool.execute("CREATE TABLE doc (seq INTEGER PRIMARY KEY, date TEXT, data BLOB)")
            batch: list[tuple[str, bytes]] = []

            def flush() -> None:
                spool.executemany("INSERT INTO doc (date, data) VALUES (?, ?)", batch)
                batch.clear()

            for doc in documents:
                batch.append((_sort_date(doc.date), pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL)))
                if len(batch) >= 1000:
                    flush()
            flush()
            spool.execute("CREATE INDEX doc_date ON doc (date, seq)")
            for (data,) in spool.execute("SELECT data FROM doc ORDER BY date, seq"):
                yield pickle.loads(data)  # noqa: S301 - our own temporary file, written just above
        finally:
            spool.close()


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
