"""Remember a policy answer for the rest of one page's rendering, so a page asks the database once.

A diary entry's page needed "may this viewer read entry 7?" three times (loading it, the comment
form, the like button), and a circle page looked up the viewer's membership row seven times, each
time building and running the SQL again (issue 9). A view that only reads opens `reading()` around
its work; inside it, `remembered(kind, viewer, id, compute)` runs `compute` once per (kind, viewer
id, id) and then answers from `flask.g` (a boolean, or a row the policy's booleans are built from).

The memo never outlives a change: it works only inside `reading()` during a GET or HEAD request, it
is dropped at the end of the block, and it is emptied whenever the session flushes or holds unsaved
changes (a view that writes during a GET, e.g. "mark as read", starts afresh after the write).
Outside `reading()` (services, POST views, tests calling the policy directly) it computes every time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from flask import g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

_KEY = "_policy_memo"
T = TypeVar("T")


def viewer_key(viewer) -> int | None:
    """Who is asking, as the memo's key: the member's id, None for anonymous visitors."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return None
    return viewer.id


@contextmanager
def reading() -> Iterator[None]:
    """Remember policy answers until the block ends (GET/HEAD only; otherwise does nothing)."""
    if not has_request_context() or request.method not in ("GET", "HEAD") or g.get(_KEY) is not None:
        yield
        return
    setattr(g, _KEY, {})
    try:
        yield
    finally:
        g.pop(_KEY, None)


def _store() -> dict | None:
    if not has_request_context():
        return None
    store = g.get(_KEY)
    if store is None:
        return None
    from community.extensions import db

    session = db.session
    if session.new or session.dirty or session.deleted:
        store.clear()  # unsaved changes may change the answer: ask the database
        return None
    return store


def remembered(kind: str, viewer, target_id, compute: Callable[[], T]) -> T:
    """`compute()` once per (kind, viewer, target) inside `reading()`; every time outside it."""
    store = _store()
    if store is None:
        return compute()
    key = (kind, viewer_key(viewer), target_id)
    if key not in store:
        store[key] = compute()
    return store[key]


def remember(kind: str, viewer, target_id, answer) -> None:
    """Record an answer found another way (e.g. the entry was loaded through the same SQL filter)."""
    store = _store()
    if store is not None:
        store[(kind, viewer_key(viewer), target_id)] = answer


@event.listens_for(Session, "after_flush")
def _forget_after_flush(session, flush_context) -> None:
    if has_request_context() and g.get(_KEY):
        g.get(_KEY).clear()
