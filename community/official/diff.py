"""What a correction changed, as escaped HTML with <del> and <ins> (for the 訂正 history).

Japanese has no spaces between words, so the texts are compared in three steps: lines, then
sentences (up to 。！？) within changed lines, then small pieces (numbers and Latin words whole,
other characters one by one) within changed sentences. A changed sentence too long to compare
piece by piece is shown as removed and added whole, so a history page stays fast whatever the text.
"""

from __future__ import annotations

import difflib
import re

from flask_babel import gettext as _
from markupsafe import Markup, escape

_SENTENCE = re.compile(r"[^。！？!?]*[。！？!?]+|[^。！？!?]+")
# Numbers and Latin words change as a whole (11月30日 → 12月1日 shows 11→12 and 30→1).
_TOKEN = re.compile(r"[0-9０-９]+|[A-Za-zＡ-Ｚａ-ｚ]+|\s+|.", re.S)
MAX_PIECES = 40_000  # pieces before × pieces after, per changed sentence (a few milliseconds)


def _mark(tag: str, text: str) -> Markup:
    if not text:
        return Markup("")
    label = _("Removed:") if tag == "del" else _("Added:")
    return Markup('<{0}><span class="visually-hidden">{1}</span>{2}</{0}>').format(tag, label, text)


def _whole(old: str, new: str) -> Markup:
    return _mark("del", old) + _mark("ins", new)


def _pieces(old: str, new: str) -> Markup:
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    if len(a) * len(b) > MAX_PIECES:
        return _whole(old, new)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
        else:
            out.append(_whole("".join(a[i1:i2]), "".join(b[j1:j2])))
    return Markup("").join(out)


def _sentences(old: str, new: str) -> Markup:
    a, b = _SENTENCE.findall(old), _SENTENCE.findall(new)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
        elif op == "replace" and i2 - i1 == j2 - j1:
            out.extend(_pieces(x, y) for x, y in zip(a[i1:i2], b[j1:j2], strict=True))
        else:
            out.append(_whole("".join(a[i1:i2]), "".join(b[j1:j2])))
    return Markup("").join(out)


def inline_diff(old: str, new: str) -> Markup:
    old_lines, new_lines = (old or "").split("\n"), (new or "").split("\n")
    lines: list[Markup] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes():
        if op == "equal":
            lines.extend(escape(line) for line in old_lines[i1:i2])
        elif op == "replace" and i2 - i1 == j2 - j1:
            lines.extend(_sentences(a, b) for a, b in zip(old_lines[i1:i2], new_lines[j1:j2], strict=True))
        else:
            lines.extend(_mark("del", line) for line in old_lines[i1:i2] if line)
            lines.extend(_mark("ins", line) for line in new_lines[j1:j2] if line)
    return Markup("<br>\n").join(lines)
