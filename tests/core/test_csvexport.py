"""The one CSV writer: a BOM for Excel, formula cells guarded, numbers left as numbers."""

from __future__ import annotations

import csv
import io

import pytest

from community.core.csvexport import csv_response, to_csv


def _rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # Excel in Japan needs the BOM to read UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.mark.parametrize("text", [
    '=HYPERLINK("http://x","y")', "+1+2", "-1+2", "@SUM(A1)", "\t=1", "\r=1",
    "＝HYPERLINK(\"http://x\",\"y\")", "＋1", "－1", "＠SUM(A1)",
])
def test_text_that_a_spreadsheet_would_run_gets_an_apostrophe(text):
    assert _rows(to_csv([[text]])) == [["'" + text]]


def test_numbers_and_harmless_text_are_written_as_they_are():
    rows = _rows(to_csv([[-3, 0, 2.5, "土曜日にも開けてほしい", "a=b", None, "", "みどり市 - 北地区"]]))
    assert rows == [["-3", "0", "2.5", "土曜日にも開けてほしい", "a=b", "", "", "みどり市 - 北地区"]]


def test_the_response_is_a_download_no_cache_keeps(app):
    with app.test_request_context():
        response = csv_response([["名前"], ["よしこ"]], "members.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == "attachment; filename=members.csv"
    assert response.headers["Cache-Control"] == "no-store"
    assert _rows(response.get_data()) == [["名前"], ["よしこ"]]
