"""The impersonation guard: members' nicknames may not pass for a department account.

A nickname is compared after NFKC (full-width letters and half-width kana become ordinary ones),
lower-casing, dropping spaces, punctuation and symbols, and folding katakana into hiragana, so
「防　災・課」, 「ﾎﾞｳｻｲｶ」 and 「ＯＦＦＩＣＩＡＬ」 are caught like the plain words.
"""

from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from community.extensions import db

# Words that claim to speak for the city, whatever the current account names are.
RESERVED_WORDS = ("公式", "市役所", "役所", "防災課", "official", "こうしき", "しやくしょ", "市公認", "verified")

MESSAGE = _l(
    "This nickname looks like the city's official account 「%(name)s」. Official accounts show a 「公式」 "
    "badge that members cannot use; please choose a different nickname."
)
WORD_MESSAGE = _l(
    "Nicknames cannot contain 「%(word)s」, because only the city's official accounts may look official. "
    "Please choose a different nickname."
)


def fold(text: str) -> str:
    """The comparable form of a name (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    out = []
    for ch in text:
        category = unicodedata.category(ch)
        if category[0] in ("P", "S", "Z", "C"):
            continue
        if "ァ" <= ch <= "ヶ":  # katakana → hiragana (ヴ and ヵヶ included)
            ch = chr(ord(ch) - 0x60)
        out.append(ch)
    return "".join(out)


def _official_names() -> list[str]:
    from community.official.models import OfficialAccount

    return list(db.session.scalars(select(OfficialAccount.name)))


def nickname_problem(nickname: str) -> str | None:
    """A Japanese message when the nickname imitates an official account, else None."""
    folded = fold(nickname)
    if not folded:
        return None
    for name in _official_names():
        target = fold(name)
        if target and target in folded:
            return str(MESSAGE % {"name": name})
    for word in RESERVED_WORDS:
        if fold(word) in folded:
            return str(WORD_MESSAGE % {"word": word})
    return None
