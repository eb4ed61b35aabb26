"""The unsent diary of a kiosk visit, kept server-side under the sign-in session (flush, never commit)."""

from __future__ import annotations

from sqlalchemy import delete, select

from community.extensions import db
from kiosk.models import KioskDiaryDraft


def _session_id(user) -> str | None:
    return getattr(user, "session_id", None) if getattr(user, "is_authenticated", False) else None


def get_draft(user) -> KioskDiaryDraft | None:
    sid = _session_id(user)
    if sid is None:
        return None
    return db.session.scalar(select(KioskDiaryDraft).where(KioskDiaryDraft.session_id == sid))


def has_draft(user) -> bool:
    draft = get_draft(user)
    return draft is not None and bool(draft.title or draft.body or draft.photo)


def draft_for_writing(user) -> KioskDiaryDraft:
    draft = get_draft(user)
    if draft is None:
        draft = KioskDiaryDraft(session_id=_session_id(user), title="", body="")
        db.session.add(draft)
        db.session.flush()
    return draft


def discard_draft(user) -> None:
    sid = _session_id(user)
    if sid is not None:
        db.session.execute(delete(KioskDiaryDraft).where(KioskDiaryDraft.session_id == sid))
        db.session.flush()
