"""What a correction changed, as escaped HTML with <del> and <ins> (for the 訂正 history).

Lines are compared first, then changed lines piece by piece (Japanese has no spaces between
words), so a 10,000-character body stays cheap to compare.
"""

from __future__ import annotations

import difflib
import re

from flask_babel import gettext as _
from markupsafe import Markup, escape


def _mark(tag: str, text: str) -> Markup:
    if not text:
        return Markup("")
    label = _("Removed:") if tag == "del" else _("Added:")
    return Markup('<{0}><span class="visually-hidden">{1}</span>{2}</{0}>').format(tag, label, text)


# Numbers and Latin words change as a whole (11月30日 → 12月1日 shows 11→12 and 30→1); anything else
# (kana, kanji, punctuation) one character at a time.
_TOKEN = re.compile(r"[0-9０-９]+|[A-Za-zＡ-Ｚａ-ｚ]+|\s+|.", re.S)


def _chars(old: str, new: str) -> Markup:
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        out.append(_mark("del", "".join(a[i1:i2])))
        out.append(_mark("ins", "".join(b[j1:j2])))
    return Markup("").join(out)


def inline_diff(old: str, new: str) -> Markup:
    old_lines, new_lines = (old or "").split("\n"), (new or "").split("\n")
    lines: list[Markup] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes():
        if op == "equal":
            lines.extend(escape(line) for line in old_lines[i1:i2])
        elif op == "replace" and i2 - i1 == j2 - j1:
            lines.extend(_chars(a, b) for a, b in zip(old_lines[i1:i2], new_lines[j1:j2], strict=True))
        else:
            lines.extend(_mark("del", line) for line in old_lines[i1:i2] if line)
            lines.extend(_mark("ins", line) for line in new_lines[j1:j2] if line)
    return Markup("<br>\n").join(lines)
