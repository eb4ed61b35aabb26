"""Questions, answers, FAQ entries and comments are plain text, as diaries are: invisible and
control characters dropped on the way in, escaped (and linked through bleach) on the way out."""

from __future__ import annotations

from community.diaries.text import clean_text, excerpt, render_body

__all__ = ["excerpt", "plain", "render_body"]


def plain(text: str | None, *, multiline: bool = True) -> str:
    return clean_text(text, multiline=multiline)
