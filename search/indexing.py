"""Keeping the index true: the outbox, written in the content's own transaction; draining it;
rebuilding and checking the whole index.

With the database backend the documents are written inside that same transaction instead, so
there is nothing to drain.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from flask import current_app, g, has_app_context, has_request_context
from sqlalchemy import delete, event, func, insert, select
from sqlalchemy.orm import Session

from community.core.database import utcnow
from community.core.storage_full import is_storage_full
from community.extensions import db
from search import sources
from search.backends import SearchUnavailable, get_backend
from search.models import SearchOutbox
from search.sources import Document

log = logging.getLogger(__name__)

PENDING = "tsunagari.search.pending"
WROTE_OUTBOX = "tsunagari.search.outbox_written"


# -- building documents -------------------------------------------------------------------------


def documents_for(keys: Iterable[tuple[str, int]]) -> tuple[list[Document], list[tuple[str, int]]]:
    """Current documents for these keys, and the keys whose rows are gone (or not indexed)."""
    by_kind: dict[str, set[int]] = defaultdict(set)
    for kind, object_id in keys:
        by_kind[kind].add(int(object_id))
    documents: list[Document] = []
    deleted: list[tuple[str, int]] = []
    for kind, ids in by_kind.items():
        source = sources.get(kind)
        if source is None:
            deleted.extend((kind, i) for i in ids)
            continue
        found: set[int] = set()
        ordered = sorted(ids)
        for start in range(0, len(ordered), 500):
            batch = ordered[start : start + 500]
            stmt = source.all_rows().where(source.model.id.in_(batch))
            for obj in db.session.scalars(stmt).unique():
                doc = source.document(obj)
                if doc is not None:
                    documents.append(doc)
                    found.add(obj.id)
        deleted.extend((kind, i) for i in ids - found)
    return documents, deleted


def all_documents(expunge: bool = True) -> Iterator[Document]:
    for source in sources.sources().values():
        last_id = 0
        while True:  # keyset pages keep memory flat on a large database
            stmt = source.all_rows().where(source.model.id > last_id).order_by(None).order_by(source.model.id)
            rows = db.session.scalars(stmt.limit(1000)).unique().all()
            if not rows:
                break
            for obj in rows:
                doc = source.document(obj)
                if doc is not None:
                    yield doc
            last_id = rows[-1].id
            if expunge:
                db.session.expunge_all()


def count_rows() -> int:
    total = 0
    for source in sources.sources().values():
        total += db.session.scalar(select(func.count()).select_from(source.model)) or 0
    return total


# -- the outbox: collected after each flush, written just before the commit ---------------------


def _is_app_session(session: Session) -> bool:
    # Only the application's scoped session: other sessions (benchmarks, scripts) manage themselves.
    return has_app_context() and db.session.registry.has() and db.session.registry() is session


def _collect(session: Session, flush_context) -> None:
    if not _is_app_session(session):
        return
    pending = session.info.setdefault(PENDING, set())
    for obj in list(session.new) + list(session.dirty) + list(session.deleted):
        kind = sources.kind_of(obj)
        if kind is not None and getattr(obj, "id", None) is not None:
            pending.add((kind, obj.id))
        pending.update(sources.dependents_of(obj))


def _before_commit(session: Session) -> None:
    if session.new or session.dirty or session.deleted:
        session.flush()  # the last flush happens after before_commit: run it now to collect it
    pending = session.info.pop(PENDING, None)
    if not pending or not _is_app_session(session):
        return
    try:
        backend = get_backend()
    except SearchUnavailable:
        backend = None
    if backend is not None and backend.transactional:
        documents, deleted = documents_for(pending)
        backend.apply(documents, deleted)
        return
    now = utcnow()
    session.execute(
        insert(SearchOutbox),
        [{"kind": kind, "object_id": object_id, "created_at": now} for kind, object_id in sorted(pending)],
    )
    session.info[WROTE_OUTBOX] = True


def _after_commit(session: Session) -> None:
    if session.info.pop(WROTE_OUTBOX, False) and has_request_context():
        g.search_outbox_written = True


def _after_rollback(session: Session) -> None:
    session.info.pop(PENDING, None)
    session.info.pop(WROTE_OUTBOX, None)


_listening = False


def listen() -> None:
    global _listening
    if _listening:
        return
    event.listen(Session, "after_flush", _collect)
    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_soft_rollback", lambda session, previous: _after_rollback(session))
    _listening = True


# -- draining ------------------------------------------------------------------------------------


def outbox_size() -> int:
    return db.session.scalar(select(func.count()).select_from(SearchOutbox)) or 0


def drain(limit: int = 1000, timeout: float = 30.0) -> int:
    """Apply up to `limit` outbox rows to the index; returns how many rows were applied.

    Raises SearchUnavailable when the index is missing or (with timeout=0) busy; the rows stay
    in the outbox for the next attempt.
    """
    backend = get_backend()
    taken: list[int] = []

    def produce():
        rows = db.session.execute(
            select(SearchOutbox.id, SearchOutbox.kind, SearchOutbox.object_id).order_by(SearchOutbox.id).limit(limit)
        ).all()
        taken[:] = [row.id for row in rows]
        return documents_for({(row.kind, row.object_id) for row in rows})

    if hasattr(backend, "apply_with"):
        backend.apply_with(produce, timeout=timeout)
    else:
        documents, deleted = produce()
        if documents or deleted:
            backend.apply(documents, deleted)
    if taken:
        db.session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_(taken)))
    db.session.commit()
    return len(taken)


def drain_all(timeout: float = 30.0, batch: int = 1000) -> int:
    total = 0
    while True:
        done = drain(limit=batch, timeout=timeout)
        total += done
        if done < batch:
            return total


def drain_quietly(app) -> None:
    """After a response: try once, never wait for the writer, never fail the request."""
    with app.app_context():
        try:
            drain(limit=200, timeout=0)
        except SearchUnavailable:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the worker or the next request will retry
            log.exception("search outbox drain failed")
            db.session.rollback()
        finally:
            db.session.remove()


def drain_before_search() -> None:
    """Newly committed content is searchable in the very next search: apply a short outbox now."""
    if get_backend().transactional:
        return
    if db.session.scalar(select(SearchOutbox.id).limit(1)) is None:
        return
    try:
        drain(limit=200, timeout=2.0)
    except SearchUnavailable:
        db.session.rollback()
    except Exception as error:
        if not is_storage_full(error):
            raise
        # A full disk: search what is indexed; the rows stay in the outbox for when there is room.
        db.session.rollback()
        log.warning("search outbox not applied before a search: storage full (%s)", error.__class__.__name__)


# -- rebuild and check ---------------------------------------------------------------------------


def reindex(progress: Callable[[int], None] | None = None) -> int:
    backend = get_backend()
    # Outbox rows written before the rebuild started are covered by it.
    high = db.session.scalar(select(func.max(SearchOutbox.id)))
    count = backend.rebuild(all_documents(), progress)
    if high is not None:
        db.session.execute(delete(SearchOutbox).where(SearchOutbox.id <= high))
    db.session.commit()
    return count


@dataclass
class CheckReport:
    expected: int
    indexed: int
    missing: list[tuple[str, int]]
    stale: list[tuple[str, int]]
    extra: list[tuple[str, int]]
    outbox: int

    @property
    def ok(self) -> bool:
        return not (self.missing or self.stale or self.extra)


def check() -> CheckReport:
    backend = get_backend()
    indexed = backend.indexed_hashes()
    expected: dict[tuple[str, int], str] = {}
    for doc in all_documents():
        expected[(doc.kind, doc.object_id)] = doc.content_hash
    missing = sorted(k for k in expected if k not in indexed)
    stale = sorted(k for k, h in expected.items() if k in indexed and indexed[k] != h)
    extra = sorted(k for k in indexed if k not in expected)
    return CheckReport(len(expected), len(indexed), missing, stale, extra, outbox_size())


def health() -> dict:
    try:
        state = get_backend(current_app).status()
    except SearchUnavailable as exc:
        return {"ok": False, "error": str(exc)}
    try:
        state["outbox"] = outbox_size()
    except Exception:  # noqa: BLE001 - an unmigrated table is reported, not raised
        db.session.rollback()
        state["outbox"] = None
    return state
