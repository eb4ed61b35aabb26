"""Japanese first: the catalogue is complete and dates read the Japanese way."""

from datetime import UTC, date, datetime

from community.core.i18n import format_date, format_datetime, japanese_era
from tools import i18n


def test_every_string_has_a_japanese_translation():
    missing = i18n.missing()
    assert missing == [], "untranslated (run `python -m tools.i18n update`, then translate):\n" + "\n".join(
        f"{unit}: {msgid}" for unit, msgid in missing
    )


def test_each_string_has_one_japanese_translation():
    # The catalogues are merged at run time: two translations of one msgid would show only one.
    assert i18n.conflicts() == []


def test_japanese_dates(app):
    with app.test_request_context("/"):
        assert format_date(date(2026, 11, 22)) == "2026年11月22日"
        assert format_date(date(2026, 11, 22), era=True) == "2026年11月22日（令和8年）"
        # 23:30 UTC is already the next morning in Japan.
        assert format_datetime(datetime(2026, 11, 21, 23, 30, tzinfo=UTC)) == "2026年11月22日 8:30"


def test_english_dates(app):
    with app.test_request_context("/?lang=en"):
        assert format_date(date(2026, 11, 22)) == "22 November 2026"


def test_eras():
    assert japanese_era(date(2019, 5, 1)) == "令和元年"
    assert japanese_era(date(2019, 4, 30)) == "平成31年"
    assert japanese_era(date(1989, 1, 7)) == "昭和64年"
    assert japanese_era(date(2026, 11, 22)) == "令和8年"
