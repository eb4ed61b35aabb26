"""A test double content kind ("test_note", kept in memory) so the workflow is tested on its own,
independent of which content packages have landed. Real kinds are tested in test_adapters.py."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime

import pytest
from markupsafe import Markup, escape

from community.core.database import utcnow
from community.policy import Capability, can, is_own_content
from moderation.registry import PatrolItem, ReportableKind, register_kind


@dataclass
class Note:
    id: int
    author_id: int
    body: str
    visibility: str = "members"  # members, private
    moderation_state: str = "visible"
    deleted: bool = False
    created_at: datetime = field(default_factory=utcnow)


class NoteStore:
    """Stands in for a content package: its own can_view (members-only or private, hidden shown
    only to the author), a patrol feed and "hide all by author"."""

    def __init__(self):
        self.notes: dict[int, Note] = {}
        self._ids = itertools.count(1)

    def add(self, author, body="本文", visibility="members") -> Note:
        note = Note(next(self._ids), author.id, body, visibility)
        self.notes[note.id] = note
        return note

    def can_view(self, viewer, note) -> bool:
        if is_own_content(viewer, note.author_id):
            return note.moderation_state != "removed"
        if note.moderation_state != "visible" or note.visibility == "private":
            return False
        return can(viewer, Capability.read_members)

    def patrol(self, viewer, limit):
        shown = [n for n in self.notes.values() if self.can_view(viewer, n) and n.author_id != viewer.id
                 and n.moderation_state == "visible"]
        shown.sort(key=lambda n: n.created_at, reverse=True)
        return [PatrolItem("test_note", n.id, n.author_id, n.created_at, n.body, f"/notes/{n.id}") for n in shown[:limit]]

    def hide_all(self, author_id) -> int:
        count = 0
        for note in self.notes.values():
            if note.author_id == author_id and note.moderation_state == "visible":
                note.moderation_state = "hidden"
                count += 1
        return count

    def kind(self) -> ReportableKind:
        return ReportableKind(
            name="test_note",
            label="テストの投稿",
            load=self.notes.get,
            author_id=lambda n: n.author_id,
            can_view=self.can_view,
            summary=lambda n: n.body,
            render=lambda n: Markup("<p>") + escape(n.body) + Markup("</p>"),
            url=lambda n: f"/notes/{n.id}",
            get_state=lambda n: n.moderation_state,
            set_state=lambda n, s: setattr(n, "moderation_state", s),
            hide_all_by_author=self.hide_all,
            patrol=self.patrol,
            is_deleted=lambda n: n.deleted,
        )


@pytest.fixture
def notes(app):
    store = NoteStore()
    register_kind(app, store.kind())
    return store


@pytest.fixture
def login(client, auth):
    def as_user(user):
        auth.logout()
        response = auth.login(user)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return as_user
