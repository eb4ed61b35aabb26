"""Cleaning what members type into their profile.

Zero-width characters and bidirectional overrides let one nickname pass for another (or reverse
the text around it), so they are removed; NFC makes a composed and a decomposed が the same.
"""

from __future__ import annotations

import re
import unicodedata

# Zero-width space/joiners, word joiner, BOM, soft hyphen, Mongolian vowel separator,
# bidi embeddings/overrides/isolates and marks.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
# Control characters except tab and newline (which a self-introduction may use).
_CONTROL = re.compile("[\u0000-\u0008\u000b-\u001f\u007f-\u009f]")


def clean_line(value: str | None) -> str:
    """One line of text: invisible and control characters removed, spaces collapsed, NFC."""
    value = unicodedata.normalize("NFC", value or "")
    value = _INVISIBLE.sub("", value)
    value = _CONTROL.sub("", value.replace("\n", " ").replace("\t", " ").replace("\r", " "))
    return re.sub(r"[ \u3000]+", " ", value).strip(" \u3000")


def clean_text(value: str | None) -> str:
    """Several lines: as clean_line, but newlines kept (at most two blank lines in a row)."""
    value = unicodedata.normalize("NFC", (value or "").replace("\r\n", "\n").replace("\r", "\n"))
    value = _INVISIBLE.sub("", value)
    value = _CONTROL.sub("", value)
    lines = [line.rstrip(" \u3000\t") for line in value.split("\n")]
    return re.sub(r"\n{4,}", "\n\n\n", "\n".join(lines)).strip("\n ")
