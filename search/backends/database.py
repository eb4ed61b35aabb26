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

from sqlalchemy import (
    DDL,
    bindparam,
    cast,
    column,
    delete,
    event,
    func,
    insert,
    or_,
    select,
    table,
    text,
    tuple_,
)
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR
from sqlalchemy.exc import DBAPIError

from community.core.database import utcnow
from community.extensions import db
from search.analysis import ParsedQuery, token_texts
from search.backends import Hit, SearchBackend, SearchFilters, SearchUnavailable, in_date_order
from search.models import SearchDocument
from search.sources import Document

CHUNK_CHARS = 6000
CHUNK_OVERLAP = 60  # a phrase query spanning a chunk boundary still matches
TITLE_GAP = 10  # positions between title and body, so phrases do not run across them
MAX_POSITION = 16383
BUCKET_ROWS = 4096  # PostgreSQL: rows per recency bucket lexeme (see _postgresql_newest_ranked)
COARSE_ROWS = 65536  # PostgreSQL: rows per coarse recency bucket (longer than a typical word's list)
FINE_LIMIT = 8  # wider than this many fine buckets: OR coarse buckets instead (4, 8, 16 measured)

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


def bucket_lexeme(row_id: int) -> str:
    """The recency bucket a PostgreSQL row is filed under: `#<id // BUCKET_ROWS>`, a lexeme no
    token can be ('#' is never a token character)."""
    return f"#{row_id // BUCKET_ROWS}"


def coarse_bucket_lexeme(row_id: int) -> str:
    """The coarse recency bucket: `##<id // COARSE_ROWS>`, 16 buckets' worth of rows."""
    return f"##{row_id // COARSE_ROWS}"


def tsvector_literal(title: str, body: str, row_id: int | None = None) -> str:
    positions: dict[str, list[str]] = {}
    last = 0
    for position, token in enumerate(token_texts(title), start=1):
        last = min(position, MAX_POSITION)
        positions.setdefault(token, []).append(f"{last}A")
    offset = last + TITLE_GAP
    for position, token in enumerate(token_texts(body)):
        positions.setdefault(token, []).append(str(min(position + offset, MAX_POSITION)))
    # Tokens are letters, digits and CJK only (see search.analysis), so quoting is plain.
    literal = " ".join(f"'{lexeme}':{','.join(pos[:256])}" for lexeme, pos in positions.items())
    if row_id is not None:
        literal += f" '{bucket_lexeme(row_id)}' '{coarse_bucket_lexeme(row_id)}'"
    return literal


def phrase_cover(tokens: tuple[str, ...]) -> str:
    """A phrase as its non-overlapping bigrams joined by distance: 花火大会 = '花火' <2> '大会',
    ABCDE = 'AB' <2> 'CD' <1> 'DE'. Fewer lexemes for the GIN index to read; it also matches a
    break between CJK runs where a left-out bigram would be (花火。大会), so callers recheck the
    full phrase."""
    picked = list(range(0, len(tokens), 2))
    if picked[-1] != len(tokens) - 1:
        picked.append(len(tokens) - 1)
    out = f"'{tokens[0]}'"
    for before, k in zip(picked, picked[1:], strict=False):
        out += f" <{k - before}> '{tokens[k]}'"
    return out


def tsquery_literal(query: ParsedQuery, *, cover: bool = False) -> str:
    parts = []
    for clause in query.clauses:
        if clause.kind == "prefix":
            parts.append(f"'{clause.tokens[0]}':*")
        elif clause.kind == "phrase":
            joined = phrase_cover(clause.tokens) if cover else " <-> ".join(f"'{t}'" for t in clause.tokens)
            parts.append("(" + joined + ")")
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


BM25_K1 = 1.2
BM25_B = 0.75
TITLE_WEIGHT = 4.0


def _clause_needle(clause) -> str:
    if clause.kind == "prefix":
        return " " + clause.tokens[0]
    return " " + " ".join(clause.tokens) + " "


def rank_score(candidates, clauses) -> list[int]:
    """Row ids of (row id, title tokens, body tokens) candidates, best first: FTS5's bm25 formula
    (k1 1.2, b 0.75, title weight 4) with every phrase's IDF taken as equal; ties go to the newer.
    Occurrences are counted with str.count on the space-separated tokens (a phrase repeated
    back to back counts once: close enough for ranking)."""
    if not candidates:
        return []
    needles = [_clause_needle(c) for c in clauses]
    rows = []
    for row_id, title, body in candidates:
        title, body = f" {title or ''} ", f" {body or ''} "
        length = title.count(" ") + body.count(" ") - 2
        freqs = [TITLE_WEIGHT * title.count(n) + body.count(n) for n in needles]
        rows.append((row_id, length, freqs))
    average = sum(length for _, length, _ in rows) / len(rows) or 1.0
    scored = []
    for row_id, length, freqs in rows:
        norm = BM25_K1 * (1 - BM25_B + BM25_B * length / average)
        score = sum(f * (BM25_K1 + 1) / (f + norm) for f in freqs if f)
        scored.append((-score, -row_id))
    scored.sort()
    return [-neg_id for _, neg_id in scored]


_FTS = table("search_fts", column("rowid"), column("title"), column("body"))

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
            # Ids are taken first: each row's tsvector carries its recency bucket.
            ids = db.session.scalars(
                text("SELECT nextval(pg_get_serial_sequence('search_document', 'id')) FROM generate_series(1, :n)"),
                {"n": len(rows)},
            ).all()
            ids.sort()
            params = [
                {**{c: r[c] for c in columns}, "id": row_id, "tsv_text": tsvector_literal(r["_title"], r["_body"], row_id)}
                for row_id, r in zip(ids, rows, strict=True)
            ]
            stmt = insert(table).values(
                {**{c: bindparam(c) for c in columns}, "id": bindparam("id"), "tsv": cast(bindparam("tsv_text"), TSVECTOR)}
            )
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
        for doc in in_date_order(documents):  # ids grow with the date: see SearchBackend.search
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

    def _filtered(self, stmt, filters: SearchFilters):
        d = SearchDocument
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
        return stmt

    def search(self, query: ParsedQuery, filters: SearchFilters, *, sort: str = "relevance", limit: int = 500,
               rank_within: int | None = None) -> list[Hit]:
        if query.is_empty:
            return []
        self.ensure_schema()
        d = SearchDocument
        fetch = limit * 2  # long documents have several chunks
        if self.dialect == "postgresql":
            tsq = cast(bindparam("q", tsquery_literal(query)), TSQUERY)
            if sort == "date":
                stmt = self._filtered(select(d.kind, d.object_id).where(d.tsv.op("@@")(tsq)), filters)
                stmt = stmt.order_by(d.date.desc().nulls_last(), d.id.desc())
            elif rank_within:
                return self._postgresql_newest_ranked(query, filters, max(rank_within, fetch), limit)
            else:
                stmt = self._filtered(select(d.kind, d.object_id).where(d.tsv.op("@@")(tsq)), filters)
                stmt = stmt.order_by(func.ts_rank(d.tsv, tsq).desc(), d.id.desc())
        else:
            fts = text("search_fts MATCH :q").bindparams(q=fts5_query(query))
            bm25 = text("bm25(search_fts, 4.0, 1.0)")
            matching = select(d.kind, d.object_id).select_from(_FTS).join(d, d.id == _FTS.c.rowid).where(fts)
            if sort == "date":
                stmt = self._filtered(matching, filters).order_by(d.date.desc().nulls_last(), d.id.desc())
            elif rank_within:
                return self._sqlite_newest_ranked(query, filters, max(rank_within, fetch), limit)
            else:
                stmt = self._filtered(matching, filters).order_by(bm25, d.id.desc())
        try:
            rows = db.session.execute(stmt.limit(fetch)).all()
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

    def _postgresql_newest_ranked(self, query: ParsedQuery, filters: SearchFilters, cap: int, limit: int) -> list[Hit]:
        """The newest `cap` matches the viewer's scopes and filters allow, ranked by ts_rank.

        A GIN index cannot be read newest first, and every match it returns costs a heap visit
        (a phrase is rechecked against the row's tsvector): a word in a third of a million rows
        cost seconds. Each row's tsvector therefore carries recency-bucket lexemes (`#<id //
        4096>` and `##<id // 65536>`), and the query ANDs the words with the buckets of the newest
        rows inside the index, widening (by how many the last step found) until `cap` allowed
        rows are found. Each step finds every match from some id up, so its newest `cap` are the
        newest overall. The scope and filters are applied before the count, so the cap never
        starves a viewer of what they may see.

        Why two sizes (measured at 1M rows, docs/search.md): GIN reads the rarest lexemes of an
        AND in full and only skips through the others. A few fine buckets are the rarest, so a
        common word costs a few thousand entries; but ORing dozens of them (a moderately rare
        pair of words) made GIN read every entry of every bucket (~0.3 s). Coarse buckets are
        longer than a typical word's list, so then the word is read and the coarse buckets only
        narrow the heap visits to the newest rows. The phrases go into the index as their
        non-overlapping bigrams (`phrase_cover`) and are checked exactly on the rows found.
        """
        d = SearchDocument
        words = tsquery_literal(query)
        # A one-character word is a prefix query: GIN reads every lexeme starting with it (東,
        # 東の, 東地, ...) into a bitmap, 35-40 ms at 1M even with the newest buckets. When another
        # word can drive the index, it is only checked on the rows found, as for SQLite.
        driving = tuple(c for c in query.clauses if c.kind != "prefix") or query.clauses
        covered_words = tsquery_literal(ParsedQuery(driving, ()), cover=True)
        try:
            newest_id = db.session.scalar(select(func.max(d.id))) or 0
            newest_bucket = newest_id // BUCKET_ROWS
            buckets = 1 if newest_id % BUCKET_ROWS >= BUCKET_ROWS // 2 else 2  # the newest may be nearly empty
            low = (newest_bucket - buckets + 1) * BUCKET_ROWS  # this step finds every match with id >= low
            rows: list = []
            while True:
                if low <= 0 or low // COARSE_ROWS == 0 and newest_id - low >= FINE_LIMIT * BUCKET_ROWS:
                    low, literal = 0, covered_words  # the whole index
                elif newest_id - low < FINE_LIMIT * BUCKET_ROWS:
                    low = low // BUCKET_ROWS * BUCKET_ROWS
                    recent = " | ".join(f"'{bucket_lexeme(k * BUCKET_ROWS)}'" for k in range(newest_bucket, low // BUCKET_ROWS - 1, -1))
                    literal = f"({covered_words}) & ({recent})"
                else:
                    low = low // COARSE_ROWS * COARSE_ROWS
                    recent = " | ".join(
                        f"'{coarse_bucket_lexeme(k * COARSE_ROWS)}'" for k in range(newest_id // COARSE_ROWS, low // COARSE_ROWS - 1, -1)
                    )
                    literal = f"({covered_words}) & ({recent})"
                tsq = cast(bindparam("q", literal), TSQUERY)
                newest = self._filtered(select(d.id, d.tsv).where(d.tsv.op("@@")(tsq)), filters)
                if covered_words != words:  # exact phrases and prefixes, checked on the rows found (not in the index)
                    newest = newest.where(func.ts_match_vq(d.tsv, cast(bindparam("exact", words), TSQUERY)))
                newest = newest.order_by(d.id.desc()).limit(cap).subquery()
                rank = func.ts_rank(newest.c.tsv, cast(bindparam("w", words), TSQUERY))
                stmt = (
                    select(d.kind, d.object_id, func.count().over())
                    .join(newest, newest.c.id == d.id)
                    .order_by(rank.desc(), newest.c.id.desc())
                    .limit(limit * 2)
                )
                rows = db.session.execute(stmt).all()
                found = rows[0][2] if rows else 0
                if low == 0 or found >= cap:
                    break
                # Too few from `low` up: widen to where `cap` should be, judging by how many were
                # found; none at all means a rare word, and the whole index is cheap.
                covered = newest_id - low + 1
                wanted = covered * cap * 3 // (2 * found) if found else newest_id + 1
                low = newest_id + 1 - max(covered * 4, wanted)
        except DBAPIError as exc:
            db.session.rollback()
            raise SearchUnavailable(f"database search failed: {exc.__class__.__name__}") from exc
        hits: list[Hit] = []
        seen: set[tuple[str, int]] = set()
        for kind, object_id, _candidates in rows:
            if (kind, object_id) not in seen:
                seen.add((kind, object_id))
                hits.append(Hit(kind, object_id))
        return hits[:limit]

    def _sqlite_newest_ranked(self, query: ParsedQuery, filters: SearchFilters, cap: int, limit: int) -> list[Hit]:
        """The newest `cap` matches the viewer's scopes and filters allow, ranked in Python.

        FTS5 walks its doclists newest rowid first and stops at the LIMIT; the scope and the
        filters are joined in before it, so the cap counts only documents the viewer may be
        shown. FTS5's bm25() is not used here: its IDF counts every document matching each phrase
        (a full pass over a word found in a third of all documents), so rank_score() scores the
        candidates' token text with the same formula and weights, minus the IDF.
        A one-character word (an FTS5 prefix query, which merges every token starting with that
        character) is checked with instr() on the candidates' token text when another word can
        drive the search: a document has a token starting with a character exactly when the
        character occurs in its text.
        """
        d = SearchDocument
        driving = [c for c in query.clauses if c.kind != "prefix"] or list(query.clauses)
        checked = [c for c in query.clauses if c not in driving]
        fts = text("search_fts MATCH :q").bindparams(q=fts5_query(ParsedQuery(tuple(driving), ())))
        stmt = select(_FTS.c.rowid, _FTS.c.title, _FTS.c.body).select_from(_FTS).join(d, d.id == _FTS.c.rowid).where(fts)
        for clause in checked:
            char = clause.tokens[0]
            stmt = stmt.where(or_(func.instr(_FTS.c.title, char) > 0, func.instr(_FTS.c.body, char) > 0))
        stmt = self._filtered(stmt, filters).order_by(_FTS.c.rowid.desc()).limit(cap)
        try:
            candidates = db.session.execute(stmt).all()
            ranked = rank_score(candidates, query.clauses)[: limit * 2]
            keys = {}
            for start in range(0, len(ranked), 500):
                batch = ranked[start : start + 500]
                rows = db.session.execute(select(d.id, d.kind, d.object_id).where(d.id.in_(batch)))
                keys.update({row_id: (kind, object_id) for row_id, kind, object_id in rows})
        except DBAPIError as exc:
            db.session.rollback()
            raise SearchUnavailable(f"database search failed: {exc.__class__.__name__}") from exc
        hits: list[Hit] = []
        seen: set[tuple[str, int]] = set()
        for row_id in ranked:
            key = keys.get(row_id)
            if key and key not in seen:
                seen.add(key)
                hits.append(Hit(*key))
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
