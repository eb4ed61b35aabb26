"""Dates as Japanese municipal pages write them: 2026年11月1日, 令和8年11月1日, R8.11.1, 2026/11/01."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

# First year of each era (元年). Pages still say 平成31年 for early 2019, which these offsets handle.
ERAS = {
    "令和": 2018,
    "平成": 1988,
    "昭和": 1925,
    "大正": 1911,
    "明治": 1867,
    "r": 2018,
    "h": 1988,
    "s": 1925,
}

_ERA = r"(?P<era>令和|平成|昭和|大正|明治|[RHS](?=\d))"
_ERA_DATE = re.compile(
    _ERA + r"\s*(?P<ey>元|\d{1,2})\s*(?:年|[./])\s*(?P<em>\d{1,2})\s*(?:月|[./])\s*(?P<ed>\d{1,2})\s*日?",
    re.IGNORECASE,
)
_WESTERN_DATE = re.compile(
    r"(?<!\d)(?P<y>\d{4})\s*(?:年\s*(?P<m1>\d{1,2})\s*月\s*(?P<d1>\d{1,2})\s*日"
    r"|[/\-.]\s*(?P<m2>\d{1,2})\s*[/\-.]\s*(?P<d2>\d{1,2}))(?!\d)"
)
# The labels come first in priority: a page saying 掲載日 and 更新日 was last updated on the latter.
_LABELS = ("最終更新日", "更新日", "最終更新", "掲載日", "公開日")


def normalize(text: str) -> str:
    """Full-width digits and punctuation (２０２６／１１／０１) become ASCII."""
    return unicodedata.normalize("NFKC", text)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str) -> date | None:
    """The first date written in `text`, in any of the forms above; None when there is none."""
    text = normalize(text)
    era = _ERA_DATE.search(text)
    western = _WESTERN_DATE.search(text)
    if era and (not western or era.start() <= western.start()):
        offset = ERAS[era.group("era").lower()]
        year = 1 if era.group("ey") == "元" else int(era.group("ey"))
        return _safe_date(offset + year, int(era.group("em")), int(era.group("ed")))
    if western:
        month = western.group("m1") or western.group("m2")
        day = western.group("d1") or western.group("d2")
        return _safe_date(int(western.group("y")), int(month), int(day))
    return None


def find_updated_date(text: str) -> date | None:
    """The date after a 更新日-style label (最終更新日 before 更新日 before 掲載日), if the text has one."""
    text = normalize(text)
    for label in _LABELS:
        for match in re.finditer(re.escape(label), text):
            # The date follows within a few characters: 「更新日：令和8年11月1日」, 「最終更新日 2026/11/01」.
            found = parse_date(text[match.end(): match.end() + 40])
            if found is not None:
                return found
    return None
