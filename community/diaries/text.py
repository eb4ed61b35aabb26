"""Plain text in, safe HTML out: invisible tricks removed on the way in, links made on the way out."""

from __future__ import annotations

import re
import unicodedata

import bleach
from bleach.linkifier import Linker
from markupsafe import Markup, escape

# Zero-width characters and bidi controls can hide or reverse text (e.g. "gnp.exe" shown as
# "exe.png"); none of them has a use in a Japanese diary. U+200D (zero-width joiner) is kept
# only between emoji, where it builds sequences such as 👨‍👩‍👧.
_INVISIBLE = re.compile("[\u200b\u200c\u200e\u200f\u2060-\u2064\ufeff\u180e\u061c\u202a-\u202e\u2066-\u2069]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ZWJ = "\u200d"


def _keep_joiner(before: str, after: str) -> bool:
    def emojiish(ch: str) -> bool:
        return unicodedata.category(ch) in ("So", "Sk") or ch == "\ufe0f" or "\U0001f3fb" <= ch <= "\U0001f3ff"

    return bool(before and after) and emojiish(before) and emojiish(after)


def clean_text(value: str | None, *, multiline: bool = True) -> str:
    """Normalise line breaks, drop invisible and control characters, trim the ends."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub("", text) if multiline else _CONTROL.sub("", text.replace("\n", " ").replace("\t", " "))
    if _ZWJ in text:
        out = []
        for i, ch in enumerate(text):
            if ch != _ZWJ or _keep_joiner(text[i - 1] if i else "", text[i + 1] if i + 1 < len(text) else ""):
                out.append(ch)
        text = "".join(out)
    return text.strip()


def _rel(attrs, new=False):
    attrs[(None, "rel")] = "nofollow ugc noopener"
    return attrs


_linker = Linker(callbacks=[_rel], skip_tags=["pre", "code"], parse_email=False)


def render_body(text: str) -> Markup:
    """Paragraphs from blank lines, <br> from single line breaks, links from URLs; nothing else."""
    paragraphs = [p for p in re.split(r"\n{2,}", text) if p.strip()]
    html = []
    for paragraph in paragraphs:
        escaped = str(escape(paragraph))
        linked = _linker.linkify(escaped)
        # Only the <a> tags made above may survive; everything the member typed stays text.
        linked = bleach.clean(linked, tags={"a"}, attributes={"a": ["href", "rel"]}, protocols={"http", "https"})
        html.append("<p>" + linked.replace("\n", "<br>\n") + "</p>")
    return Markup("\n".join(html))  # noqa: S704 - built from escaped text and bleach's output only


def excerpt(text: str, length: int = 120) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1] + "…"
