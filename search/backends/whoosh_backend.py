"""The Whoosh backend (whoosh-reloaded 2.7.5, pinned; it imports as `whoosh`).

- The tokenizer class lives here, in an importable module, because Whoosh pickles the analyzer
  into the index's schema.
- One searcher per process stays open between requests and is reopened only when the index's
  generation changed (never `Searcher.refresh()`: see _current_searcher); a cached docnum set per (generation, filters) replaces re-running the
  viewer's scope filter on every query (the "mask" measured in SEARCH-NOTES.md).
- Matching reads one combined field, `all` (the title's bigrams, then the body's from position
  BODY_OFFSET), and `chars` (each CJK character once) for one-character words; the newest-first
  search intersects the raw posting lists itself and checks phrases on the documents that hold
  every token (see _newest_ranked and docs/search.md).
- One writer at a time across processes: writers wait for the lock (timeout) instead of failing,
  and the caller reads the database while holding it, so a slower writer can never overwrite
  newer state with older.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import writing
from whoosh.analysis import Composable, Token, Tokenizer
from whoosh.fields import ID, NUMERIC, STORED, TEXT, Schema
from whoosh.index import LockError
from whoosh.query import And, NumericRange, Or, Phrase, Term

from search.analysis import ParsedQuery, cjk_characters, token_texts
from search.backends import Hit, SearchBackend, SearchFilters, SearchUnavailable, in_date_order
from search.sources import Document

WRITER_TIMEOUT = 30.0
NEWEST_WINDOW = 4096  # documents per segment read in the first window of a capped search
# Body tokens start at this position in the `all` field: a phrase found below it is in the title.
BODY_OFFSET = 1 << 20
TITLE_SEPARATOR = "\x1e"  # joins title and body into the `all` field's one value
TITLE_WEIGHT = 4.0  # as the database backends (search/backends/database.py)
BM25_K1, BM25_B = 1.2, 0.75
FORMAT_FIELDS = ("all", "chars")  # an index without them was built by an older version


class BigramTokenizer(Tokenizer):
    """search.analysis.tokenize() as a Whoosh tokenizer (normalised CJK bigrams, Latin words)."""

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize_=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for position, text in enumerate(token_texts(value)):  # positions are consecutive
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = text
            if positions:
                token.pos = start_pos + position
            if chars:
                token.startchar = token.endchar = start_char
            yield token


class TitleBodyTokenizer(Tokenizer):
    """The `all` field: "title<TITLE_SEPARATOR>body" as bigrams, body positions from BODY_OFFSET
    (so a phrase never spans the two, and a match's position tells whether it is in the title)."""

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize_=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        title, _sep, body = value.partition(TITLE_SEPARATOR)
        for base, text in ((0, title), (BODY_OFFSET, body)):
            for position, word in enumerate(token_texts(text)):
                token.text = word
                token.boost = 1.0
                token.stopped = False
                if keeporiginal:
                    token.original = word
                if positions:
                    token.pos = start_pos + base + position
                if chars:
                    token.startchar = token.endchar = start_char
                yield token


class CharTokenizer(Tokenizer):
    """The `chars` field: every CJK character of the text once (a one-character word is a Term
    here instead of a Prefix over every bigram that starts with it)."""

    def __eq__(self, other):
        return other.__class__ is self.__class__

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize_=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for position, char in enumerate(sorted(cjk_characters(value))):
            token.text = char
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = char
            if positions:
                token.pos = start_pos + position
            if chars:
                token.startchar = token.endchar = start_char
            yield token


def bigram_analyzer() -> Composable:
    return BigramTokenizer()


def make_schema() -> Schema:
    return Schema(
        key=ID(unique=True, stored=True),
        kind=ID(stored=True),
        object_id=STORED(),
        content_hash=STORED(),
        source=ID(),
        scope=ID(),
        district=ID(),
        category=ID(),
        date=NUMERIC(bits=64, signed=True, sortable=True),
        all=TEXT(analyzer=TitleBodyTokenizer(), phrase=True),
        chars=TEXT(analyzer=CharTokenizer(), phrase=False),
    )


def _timestamp(value: datetime | None) -> int:
    if value is None:
        return 0
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp())


def _fields(doc: Document) -> dict:
    return {
        "key": doc.key,
        "kind": doc.kind,
        "object_id": doc.object_id,
        "content_hash": doc.content_hash,
        "source": doc.source,
        "scope": doc.scope,
        "district": str(doc.district_id or ""),
        "category": doc.category or "",
        "date": _timestamp(doc.date),
        "all": (doc.title or "").replace(TITLE_SEPARATOR, " ") + TITLE_SEPARATOR + (doc.body or ""),
        "chars": f"{doc.title or ''}\n{doc.body or ''}",
    }


def _clause_query(clause):
    """A Whoosh query for sorting by date (relevance searches use _newest_ranked)."""
    if clause.kind == "prefix":
        return Term("chars", clause.tokens[0])
    if clause.kind == "phrase":
        return Phrase("all", list(clause.tokens))
    return Term("all", clause.tokens[0])


def _clause_keys(clause) -> list[tuple[str, str]]:
    if clause.kind == "prefix":
        return [("chars", clause.tokens[0])]
    return [("all", token) for token in clause.tokens]


def _occurrences(clause, matchers: dict) -> tuple[int, int]:
    """(title, body) occurrences of a clause in the document all its matchers stand on; (0, 0)
    when the phrase's bigrams are all there but never one after the other."""
    if clause.kind == "prefix":
        return 0, 1
    first = matchers[("all", clause.tokens[0])].value_as("positions")
    if clause.kind == "phrase":
        starts = set(first)
        for k, token in enumerate(clause.tokens[1:], start=1):
            starts &= {p - k for p in matchers[("all", token)].value_as("positions")}
            if not starts:
                return 0, 0
        first = starts
    title = sum(1 for p in first if p < BODY_OFFSET)
    return title, len(first) - title


def _current_format(schema) -> bool:
    return all(name in schema for name in FORMAT_FIELDS)


def _filter_query(filters: SearchFilters):
    parts = []
    if filters.sources:
        parts.append(Or([Term("source", s) for s in filters.sources]))
    if filters.district_id is not None:
        parts.append(Term("district", str(filters.district_id)))
    if filters.category:
        parts.append(Term("category", filters.category))
    if filters.date_from is not None or filters.date_to is not None:
        start = _timestamp(filters.date_from) if filters.date_from else None
        end = _timestamp(filters.date_to) if filters.date_to else None
        parts.append(NumericRange("date", start, end, endexcl=True))
    if filters.scopes is not None:
        parts.append(Or([Term("scope", s) for s in sorted(filters.scopes)]))
    if not parts:
        return None
    return And(parts) if len(parts) > 1 else parts[0]


class WhooshBackend(SearchBackend):
    name = "whoosh"
    transactional = False

    def __init__(self, index_dir: str) -> None:
        self.index_dir = str(index_dir)
        self._lock = threading.RLock()
        self._ix = None
        self._searcher = None
        self._filters: OrderedDict = OrderedDict()

    # -- opening -------------------------------------------------------------------------------

    def _close(self) -> None:
        if self._searcher is not None:
            with contextlib.suppress(Exception):  # the files may already be gone
                self._searcher.close()
        self._ix = None
        self._searcher = None
        self._filters.clear()

    def exists(self) -> bool:
        if not os.path.isdir(self.index_dir):
            return False
        try:
            return whoosh_index.exists_in(self.index_dir)
        except Exception:  # noqa: BLE001 - a damaged table of contents is no index: rebuild replaces it
            return False

    def _has_current_format(self) -> bool:
        try:
            return _current_format(whoosh_index.open_dir(self.index_dir).schema)
        except Exception:  # noqa: BLE001 - damaged: the caller's exists() decides
            return True

    def _open_index(self):
        if not self.exists():
            self._close()
            raise SearchUnavailable("the search index does not exist; run `flask search reindex`")
        if self._ix is None:
            try:
                self._ix = whoosh_index.open_dir(self.index_dir)
            except Exception as exc:  # noqa: BLE001 - a damaged index is "unavailable", not a crash
                self._close()
                raise SearchUnavailable(f"the search index cannot be opened: {exc.__class__.__name__}") from exc
            if not _current_format(self._ix.schema):
                self._ix = None
                raise SearchUnavailable("the search index has an older format; run `flask search reindex`")
        return self._ix

    def _current_searcher(self):
        ix = self._open_index()
        try:
            if self._searcher is None:
                self._searcher = ix.searcher()
            elif not self._searcher.up_to_date():
                # Only when a writer committed. Not Searcher.refresh(): in whoosh-reloaded 2.7.5 it
                # reuses the old segment readers by segment id (so deletions added to an old segment,
                # i.e. every update_document, are not seen) and adds back the old reader's segments
                # that a merge or a rebuild removed, so replaced documents keep matching and the
                # searcher grows with every commit. A new searcher costs ~10-40 ms (20k documents).
                with contextlib.suppress(Exception):  # merged-away files may already be gone
                    self._searcher.close()
                self._searcher = None
                self._filters.clear()
                self._searcher = ix.searcher()
        except Exception as exc:  # noqa: BLE001
            self._close()
            raise SearchUnavailable(f"the search index cannot be read: {exc.__class__.__name__}") from exc
        return self._searcher

    def _cached_filter(self, searcher, filters: SearchFilters):
        query = _filter_query(filters)
        if query is None:
            return None
        key = (filters.sources, filters.district_id, filters.category, filters.date_from, filters.date_to,
               filters.scopes)
        docs = self._filters.get(key)
        if docs is None:
            docs = set(searcher.docs_for_query(query))
            self._filters[key] = docs
            if len(self._filters) > 256:
                self._filters.popitem(last=False)
        else:
            self._filters.move_to_end(key)
        return docs

    # -- reading -------------------------------------------------------------------------------

    @staticmethod
    def _window_matches(reader, clauses, keys, start: int, end: int, offset: int, allowed, out: list) -> int:
        """Append (title, body, docnum) occurrence counts of the documents in [start, end) that match
        every clause, newest last. Raw posting lists are intersected rarest first (cheap skips,
        no positions read); a phrase's positions are read only where all its bigrams meet, and
        only for a document the filter allows."""
        # The rarest token leads; next come the other words' rarest tokens: a word's own bigrams
        # nearly always occur together, so only another word's list lets the lead skip ahead.
        rarest_first = []
        for clause in sorted(clauses, key=lambda c: min(reader.doc_frequency(*k) for k in _clause_keys(c))):
            rarest_first.append(min(_clause_keys(clause), key=lambda k: reader.doc_frequency(*k)))
        rarest_first += sorted(set(keys) - set(rarest_first), key=lambda key: reader.doc_frequency(*key))
        matchers = {key: reader.postings(*key) for key in rarest_first}
        order = [matchers[key] for key in rarest_first]
        lead, rest = order[0], order[1:]
        for m in order:
            if not m.is_active():
                return 0
            if start:
                m.skip_to(start)
                if not m.is_active():
                    return 0
        found = 0
        while True:
            docnum = lead.id()
            if docnum >= end:
                return found
            for m in rest:
                if m.id() < docnum:
                    m.skip_to(docnum)
                    if not m.is_active():
                        return found
                if m.id() > docnum:
                    lead.skip_to(m.id())
                    break
            else:
                if allowed is None or docnum + offset in allowed:
                    counts = [_occurrences(clause, matchers) for clause in clauses]
                    if all(t or b for t, b in counts):
                        out.append((counts, docnum + offset, docnum))
                        found += 1
                lead.next()
            if not lead.is_active():
                return found

    def _newest_ranked(self, searcher, query: ParsedQuery, allowed, cap: int | None, limit: int) -> list[int]:
        """Score only the newest `cap` matches the filter allows (all of them with cap=None), best first.

        Document numbers follow the order documents were added (a rebuild adds them oldest
        first), so the newest matches are at the end of the newest segments. Each segment is
        read backwards in growing windows (posting lists can only move forwards, so each window
        opens them again and skips to the window's start); only the documents in the filter set
        count towards the cap, so the cap never starves a viewer of what they may see. Scoring is
        the database backends' rank_score: BM25 (title weight 4) with equal IDF for every word.
        """
        clauses = query.clauses
        keys = list(dict.fromkeys(key for clause in clauses for key in _clause_keys(clause)))
        found_all: list = []
        for sub, offset in reversed(searcher.leaf_searchers()):
            reader = sub.reader()
            if any(key not in reader for key in keys):
                continue
            end = sub.doc_count_all()
            window = NEWEST_WINDOW if cap else end
            while end > 0 and (cap is None or len(found_all) < cap):
                start = max(0, end - window)
                window_found: list = []
                found = self._window_matches(reader, clauses, keys, start, end, offset, allowed, window_found)
                found_all.extend(window_found)
                # Widen to where the cap should be, judging by this window; none at all means a
                # rare word: read the rest of the segment at once.
                if cap:
                    wanted = (cap - len(found_all)) * (end - start) * 3 // (2 * found) if found else start
                    window = max(window * 4, wanted)
                end = start
            if cap is not None and len(found_all) >= cap:
                break
        found_all.sort(key=lambda item: -item[1])  # newest first: a window may hold more than the cap
        newest = found_all[:cap] if cap else found_all
        if not newest:
            return []
        lengths = [searcher.reader().doc_field_length(docnum, "all", 1) for _c, docnum, _l in newest]
        average = sum(lengths) / len(lengths) or 1.0
        scored = []
        for (counts, docnum, _local), length in zip(newest, lengths, strict=True):
            norm = BM25_K1 * (1 - BM25_B + BM25_B * length / average)
            score = 0.0
            for title, body in counts:
                f = TITLE_WEIGHT * title + body
                score += f * (BM25_K1 + 1) / (f + norm)
            scored.append((-score, -docnum))
        scored.sort()
        return [-neg for _s, neg in scored[:limit]]

    def search(self, query: ParsedQuery, filters: SearchFilters, *, sort: str = "relevance", limit: int = 500,
               rank_within: int | None = None) -> list[Hit]:
        if query.is_empty:
            return []
        with self._lock:
            searcher = self._current_searcher()
            allowed = self._cached_filter(searcher, filters)
            if allowed is not None and not allowed:
                return []  # Whoosh reads an empty filter set as "no filter"
            try:
                if sort == "date":
                    whoosh_query = And([_clause_query(c) for c in query.clauses])
                    results = searcher.search(whoosh_query, limit=limit, filter=allowed, sortedby="date", reverse=True)
                    docnums = [hit.docnum for hit in results]
                else:  # rank_within None or 0: every match is ranked
                    cap = max(rank_within, limit) if rank_within else None
                    docnums = self._newest_ranked(searcher, query, allowed, cap, limit)
                hits = []
                for docnum in docnums:
                    fields = searcher.stored_fields(docnum)
                    hits.append(Hit(fields["kind"], int(fields["object_id"])))
                return hits
            except Exception as exc:  # noqa: BLE001
                self._close()
                raise SearchUnavailable(f"the search index cannot be searched: {exc.__class__.__name__}") from exc

    def indexed_hashes(self) -> dict[tuple[str, int], str]:
        with self._lock:
            searcher = self._current_searcher()
            return {
                (fields["kind"], int(fields["object_id"])): fields.get("content_hash", "")
                for fields in searcher.all_stored_fields()
            }

    def status(self) -> dict:
        try:
            with self._lock:
                searcher = self._current_searcher()
                count = searcher.doc_count()
                generation = self._ix.latest_generation()
        except SearchUnavailable as exc:
            return {"ok": False, "backend": self.name, "error": str(exc)}
        return {"ok": True, "backend": self.name, "documents": count, "generation": generation}

    # -- writing -------------------------------------------------------------------------------

    def _writer(self, timeout: float):
        ix = self._open_index()
        try:
            return ix.writer(timeout=timeout, delay=0.05)
        except LockError as exc:
            raise SearchUnavailable("the search index is busy") from exc

    def apply_with(self, produce: Callable[[], tuple[list[Document], list[tuple[str, int]]]],
                   timeout: float = WRITER_TIMEOUT) -> tuple[int, int]:
        """Take the writer lock, then call produce() (which reads the database) and write what it
        returns. Reading under the lock is what keeps concurrent indexers from going backwards."""
        with self._lock:
            writer = self._writer(timeout)
        try:
            documents, deleted = produce()
            for kind, object_id in deleted:
                writer.delete_by_term("key", f"{kind}:{object_id}")
            for doc in documents:
                writer.update_document(**_fields(doc))
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        return len(documents), len(deleted)

    def apply(self, documents: list[Document], deleted: list[tuple[str, int]]) -> None:
        self.apply_with(lambda: (documents, deleted))

    def rebuild(self, documents: Iterable[Document], progress: Callable[[int], None] | None = None) -> int:
        with self._lock:
            if self.exists() and not self._has_current_format():
                self._close()
                shutil.rmtree(self.index_dir)  # an older format: derived data, rebuilt below
            if not self.exists():
                self._close()
                path = Path(self.index_dir)
                if path.exists():
                    shutil.rmtree(path)  # a damaged index: start again
                path.mkdir(parents=True, exist_ok=True)
                whoosh_index.create_in(self.index_dir, make_schema())
            ix = self._open_index()
        writer = ix.writer(timeout=WRITER_TIMEOUT, delay=0.05, limitmb=128)
        count = 0
        try:
            for doc in in_date_order(documents):  # docnums grow with the date: see SearchBackend.search
                writer.add_document(**_fields(doc))
                count += 1
                if progress and count % 500 == 0:
                    progress(500)
            # CLEAR drops every existing segment: readers keep the old generation until they refresh.
            writer.commit(mergetype=writing.CLEAR)
        except BaseException:
            writer.cancel()
            raise
        if progress and count % 500:
            progress(count % 500)
        with self._lock:
            self._filters.clear()
        return count

    def optimize(self) -> None:
        ix = self._open_index()
        ix.optimize()


__all__ = ["BigramTokenizer", "CharTokenizer", "TitleBodyTokenizer", "WhooshBackend", "bigram_analyzer", "make_schema"]
