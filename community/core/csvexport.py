"""Every CSV download goes through here: UTF-8 with a BOM, and no cell a spreadsheet would run.

Excel in Japan reads UTF-8 CSV correctly only with a BOM. A text cell that starts with a formula
character is run as a formula (CSV injection), so it gets a leading apostrophe, as OWASP advises;
Excel in Japanese locales also takes the full-width forms as formula characters.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

from flask import Response

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def safe_cell(value: object) -> object:
    """Numbers stay numbers (a negative count is not a formula); anything else is text, guarded."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    text = str(value)  # also lazy translations and dates
    return "'" + text if text.startswith(FORMULA_START) else text


def to_csv(rows: Iterable[Iterable[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def csv_response(rows: Iterable[Iterable[object]], filename: str) -> Response:
    """A download that no shared cache keeps: exports hold names and answers."""
    return Response(
        to_csv(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={filename}", "Cache-Control": "no-store"},
    )
