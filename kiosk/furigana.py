"""Furigana (<ruby>) for the kiosk's own labels and headings, read with pykakasi's dictionary."""

from __future__ import annotations

import re
from functools import lru_cache

from markupsafe import Markup, escape

_RUBY = Markup("<ruby>{}<rp>（</rp><rt>{}</rt><rp>）</rp></ruby>{}")
_KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\u3005\u3006\u30f6]")


@lru_cache(maxsize=1)
def _kakasi():
    import pykakasi

    return pykakasi.kakasi()


def _split_okurigana(orig: str, hira: str) -> tuple[str, str, str]:
    """書く/かく -> (書, か, く): the reading goes over the kanji only, not the kana after it."""
    tail = ""
    while orig and hira and orig[-1] == hira[-1] and not _KANJI.match(orig[-1]):
        tail = orig[-1] + tail
        orig, hira = orig[:-1], hira[:-1]
    return orig, hira, tail


@lru_cache(maxsize=2048)
def ruby(text: str) -> Markup:
    """The text, escaped, with a <ruby> reading over each run of kanji."""
    parts: list[Markup] = []
    for item in _kakasi().convert(text):
        orig, hira = item["orig"], item["hira"]
        if not _KANJI.search(orig) or not hira or hira == orig:
            parts.append(escape(orig))
            continue
        base, reading, tail = _split_okurigana(orig, hira)
        parts.append(_RUBY.format(base, reading, tail))  # format() escapes each part
    return Markup("").join(parts)
