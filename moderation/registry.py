"""The kinds of content that can be reported (通報), registered per application.

`community` must not import `moderation`, so moderation learns about diaries, circles and profiles
through adapters registered here (see `moderation/adapters.py`). Each adapter says how to load an
item, who wrote it, how staff see it in context, where it lives, and asks the content kind's own
policy (`can_view_*`, `visible_*`) for who may see it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Flask, current_app
from markupsafe import Markup

EXTENSION_KEY = "moderation.kinds"


@dataclass(frozen=True)
class PatrolItem:
    kind: str
    target_id: int
    author_id: int | None
    created_at: datetime
    summary: str
    url: str | None


@dataclass(frozen=True)
class ReportableKind:
    name: str  # stable code stored in reports, e.g. "diary_comment"
    label: Any  # lazy Japanese label, e.g. 日記のコメント
    load: Callable[[int], Any | None]
    author_id: Callable[[Any], int | None]
    can_view: Callable[[Any, Any], bool]  # (viewer, item) -> the kind's own policy answer
    summary: Callable[[Any], str]  # one line for lists and notices
    render: Callable[[Any], Markup]  # the item in context (with its thread), escaped HTML
    url: Callable[[Any], str | None]
    get_state: Callable[[Any], str]
    set_state: Callable[[Any, str], None]
    # Optional: several items at once for list pages (avoids one query per row).
    load_many: Callable[[Iterable[int]], dict[int, Any]] | None = None
    # Optional: "hide all this author's content"; returns the number of items hidden.
    hide_all_by_author: Callable[[int], int] | None = None
    # Optional: newest items the viewer may see, through the kind's SQL policy filter.
    patrol: Callable[[Any, int], list[PatrolItem]] | None = None
    # Items a member deleted themselves (soft delete) cannot be reported.
    is_deleted: Callable[[Any], bool] = field(default=lambda item: False)
    # False for kinds without a moderation_state (profiles): only warn, suspend or dismiss apply.
    has_state: bool = True

    def many(self, ids: Iterable[int]) -> dict[int, Any]:
        ids = list(ids)
        if self.load_many is not None:
            return self.load_many(ids)
        return {i: obj for i in ids if (obj := self.load(i)) is not None}


def register_kind(app: Flask, kind: ReportableKind) -> None:
    app.extensions.setdefault(EXTENSION_KEY, {})[kind.name] = kind


def kinds(app: Flask | None = None) -> dict[str, ReportableKind]:
    return (app or current_app).extensions.get(EXTENSION_KEY, {})


def get_kind(name: str) -> ReportableKind | None:
    return kinds().get(name)


def kind_label(name: str) -> str:
    kind = get_kind(name)
    return str(kind.label) if kind else name
