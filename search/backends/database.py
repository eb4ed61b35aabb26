"""The database backend: the index lives in the database, written in the content's own
transaction, so it never drifts and every web server shares it.

- SQLite: an FTS5 table (`search_fts`, the `ascii` tokenizer: our bigrams are space-separated
  and every non-ASCII character is a token character) keyed by search_document.id; a trigger
  removes its rows when search_document rows go.
- PostgreSQL: a `tsvector` column with a GIN index. We write the tsvector and tsquery literals
  ourselves from our own tokens (no parser, no dictionary: the same analysis as Whoosh), with
  title tokens weighted A. Positions stop at 16,383, so long bodies are split into chunks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import DDL, bindparam, cast, column, delete, event, func, insert, select, table, text, tuple_
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR
from sqlalchemy.exc import DBAPIError

from community.core.database import utcnow
from community.extensions import db
from search.analysis import ParsedQuery, token_texts
from search.backends import Hit, SearchBackend, SearchFilters, SearchUnavailable
from search.models import SearchDocument
from search.sources import Document

CHUNK_CHARS = 6000
CHUNK_OVERLAP = 60  # a phrase query spanning a chunk boundary still matches
TITLE_GAP = 10  # positions between title and body, so phrases do not run across them
MAX_POSITION = 16383

_SQLITE_DDL = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(title, body, tokenize='ascii')",
    "CREATE TRIGGER IF NOT EXISTS search_document_fts_delete AFTER DELETE ON search_document "
    "BEGIN DELETE FROM search_fts WHERE rowid = old.id; END",
]


def chunks(body: str) -> list[str]:
    if len(body) <= CHUNK_CHARS:
        return [body]
    step = CHUNK_CHARS - CHUNK_OVERLAP
    return [body[i : i + CHUNK_CHARS] for i in range(0, len(body), step) if i == 0 or i + CHUNK_OVERLAP < len(body)]


def _tokens_text(value: str) -> str:
    return " ".join(token_texts(value))


def tsvector_literal(title: str, body: str) -> str:
    positions: dict[str, list[str]] = {}
    last = 0
    for position, token in enumerate(token_texts(title), start=1):
        last = min(position, MAX_POSITION)
        positions.setdefault(token, []).append(f"{last}A")
    offset = last + TITLE_GAP
    for position, token in enumerate(token_texts(body)):
        positions.setdefault(token, []).append(str(min(position + offset, MAX_POSITION)))
    # Tokens are letters, digits and CJK only (see search.analysis), so quoting is plain.
    return " ".join(f"'{lexeme}':{','.join(pos[:256])}" for lexeme, pos in positions.items())


def tsquery_literal(query: ParsedQuery) -> str:
    parts = []
    for clause in query.clauses:
        if clause.kind == "prefix":
            parts.append(f"'{clause.tokens[0]}':*")
        elif clause.kind == "phrase":
            parts.append("(" + " <-> ".join(f"'{t}'" for t in clause.tokens) + ")")
        else:
            parts.append(f"'{clause.tokens[0]}'")
    return " & ".join(parts)


def fts5_query(query: ParsedQuery) -> str:
    parts = []
    for clause in query.clauses:
        if clause.kind == "prefix":
            parts.append(f'"{clause.tokens[0]}"*')
        else:
            parts.append('"' + " ".join(clause.tokens) + '"')
    return " AND ".join(parts)


_FTS = table("search_fts", column("rowid"))

# create_all (tests, new installations) makes them with the table; migrations run the same DDL.
for _ddl in _SQLITE_DDL:
    event.listen(SearchDocument.__table__, "after_create", DDL(_ddl).execute_if(dialect="sqlite"))


class DatabaseBackend(SearchBackend):
    name = "database"
    transactional = True

    def __init__(self) -> None:
        self._ready: set[int] = set()

    # -- schema --------------------------------------------------------------------------------

    @property
    def dialect(self) -> str:
        return db.engine.dialect.name

    def ensure_schema(self) -> None:
        """Create the SQLite FTS5 table and trigger if missing (idempotent).

        Runs on the session's own connection: a second connection would wait for the write lock
        this transaction may hold. Marked ready only once the objects are seen committed.
        """
        key = id(db.engine)
        if key in self._ready:
            return
        if self.dialect == "sqlite":
            try:
                found = db.session.scalar(
                    text("SELECT count(*) FROM sqlite_master WHERE name IN ('search_fts', 'search_document_fts_delete')")
                )
                if found == 2:
                    self._ready.add(key)
                    return
                for ddl in _SQLITE_DDL:
                    db.session.execute(text(ddl))
            except DBAPIError as exc:
                raise SearchUnavailable(f"SQLite full-text search is unavailable: {exc.__class__.__name__}") from exc
            return
        if self.dialect != "postgresql":
            raise SearchUnavailable(f"the database backend does not support {self.dialect}")
        self._ready.add(key)

    # -- writing -------------------------------------------------------------------------------

    def _rows(self, doc: Document) -> list[dict]:
        now = utcnow()
        rows = []
        for number, part in enumerate(chunks(doc.body)):
            rows.append(
                {
                    "kind": doc.kind,
                    "object_id": doc.object_id,
                    "chunk": number,
                    "source": doc.source,
                    "scope": doc.scope,
                    "district_id": doc.district_id,
                    "category": doc.category,
                    "date": doc.date,
                    "content_hash": doc.content_hash,
                    "indexed_at": now,
                    "_title": doc.title,
                    "_body": part,
                }
            )
        return rows

    def _delete(self, keys: list[tuple[str, int]]) -> None:
        for start in range(0, len(keys), 500):
            batch = keys[start : start + 500]
            db.session.execute(
                delete(SearchDocument).where(tuple_(SearchDocument.kind, SearchDocument.object_id).in_(batch)),
                execution_options={"synchronize_session": False},
            )

    def _insert(self, documents: list[Document]) -> None:
        rows = [row for doc in documents for row in self._rows(doc)]
        if not rows:
            return
        table = SearchDocument.__table__
        columns = [c for c in rows[0] if not c.startswith("_")]
        if self.dialect == "postgresql":
            params = [{**{c: r[c] for c in columns}, "tsv_text": tsvector_literal(r["_title"], r["_body"])} for r in rows]
            stmt = insert(table).values({**{c: bindparam(c) for c in columns}, "tsv": cast(bindparam("tsv_text"), TSVECTOR)})
            db.session.execute(stmt, params)
            return
        ids = db.session.scalars(
            insert(table).returning(table.c.id, sort_by_parameter_order=True),
            [{c: r[c] for c in columns} for r in rows],
        ).all()
        db.session.execute(
            text("INSERT INTO search_fts(rowid, title, body) VALUES (:id, :title, :body)"),
            [
                {"id": row_id, "title": _tokens_text(r["_title"]), "body": _tokens_text(r["_body"])}
                for row_id, r in zip(ids, rows, strict=True)
            ],
        )

    def apply(self, documents: list[Document], deleted: list[tuple[str, int]]) -> None:
        self.ensure_schema()
        keys = list({(d.kind, d.object_id) for d in documents} | set(deleted))
        self._delete(keys)
        self._insert(documents)

    def rebuild(self, documents: Iterable[Document], progress: Callable[[int], None] | None = None) -> int:
        self.ensure_schema()
        if self.dialect == "sqlite":
            db.session.execute(text("DELETE FROM search_fts"))
        db.session.execute(delete(SearchDocument), execution_options={"synchronize_session": False})
        count = 0
        batch: list[Document] = []
        for doc in documents:
            batch.append(doc)
            if len(batch) >= 500:
                self._insert(batch)
                count += len(batch)
                if progress:
                    progress(len(batch))
                batch = []
        self._insert(batch)
        count += len(batch)
        if progress and batch:
            progress(len(batch))
        return count

    # -- reading -------------------------------------------------------------------------------

    def search(self, query: ParsedQuery, filters: SearchFilters, *, sort: str = "relevance", limit: int = 500) -> list[Hit]:
        if query.is_empty:
            return []
        self.ensure_schema()
        d = SearchDocument
        if self.dialect == "postgresql":
            tsq = cast(bindparam("q", tsquery_literal(query)), TSQUERY)
            rank = func.ts_rank(d.tsv, tsq).desc()
            stmt = select(d.kind, d.object_id).where(d.tsv.op("@@")(tsq))
        else:
            fts = text("search_fts MATCH :q").bindparams(q=fts5_query(query))
            rank = text("bm25(search_fts, 4.0, 1.0)")
            stmt = (
                select(d.kind, d.object_id)
                .select_from(d)
                .join(_FTS, _FTS.c.rowid == d.id)
                .where(fts)
            )
        if filters.sources:
            stmt = stmt.where(d.source.in_(filters.sources))
        if filters.district_id is not None:
            stmt = stmt.where(d.district_id == filters.district_id)
        if filters.category:
            stmt = stmt.where(d.category == filters.category)
        if filters.date_from is not None:
            stmt = stmt.where(d.date >= filters.date_from)
        if filters.date_to is not None:
            stmt = stmt.where(d.date < filters.date_to)
        if filters.scopes is not None:
            stmt = stmt.where(d.scope.in_(sorted(filters.scopes)))
        if sort == "date":
            stmt = stmt.order_by(d.date.desc().nulls_last(), d.id.desc())
        else:
            stmt = stmt.order_by(rank)
        try:
            rows = db.session.execute(stmt.limit(limit * 2)).all()
        except DBAPIError as exc:
            db.session.rollback()
            raise SearchUnavailable(f"database search failed: {exc.__class__.__name__}") from exc
        hits: list[Hit] = []
        seen: set[tuple[str, int]] = set()
        for kind, object_id in rows:  # long documents have several chunks: keep the best one
            if (kind, object_id) not in seen:
                seen.add((kind, object_id))
                hits.append(Hit(kind, object_id))
        return hits[:limit]

    def indexed_hashes(self) -> dict[tuple[str, int], str]:
        d = SearchDocument
        rows = db.session.execute(select(d.kind, d.object_id, d.content_hash).where(d.chunk == 0))
        return {(k, i): h for k, i, h in rows}

    def status(self) -> dict:
        try:
            self.ensure_schema()
            count = db.session.scalar(select(func.count()).select_from(SearchDocument).where(SearchDocument.chunk == 0))
        except (SearchUnavailable, DBAPIError) as exc:
            db.session.rollback()
            return {"ok": False, "backend": self.name, "error": exc.__class__.__name__}
        engine = "fts5" if self.dialect == "sqlite" else "tsvector"
        return {"ok": True, "backend": self.name, "engine": engine, "documents": count or 0}
