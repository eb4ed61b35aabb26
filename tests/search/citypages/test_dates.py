"""更新日 as Japanese city pages write it, including the era."""

from datetime import date

import pytest

from search.citypages.dates import find_updated_date, parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026年11月1日", date(2026, 11, 1)),
        ("令和8年11月1日（日曜日）", date(2026, 11, 1)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("平成31年4月30日", date(2019, 4, 30)),
        ("昭和64年1月7日", date(1989, 1, 7)),
        ("R8.11.1", date(2026, 11, 1)),
        ("H30/4/1", date(2018, 4, 1)),
        ("2026/11/01", date(2026, 11, 1)),
        ("2026-11-01", date(2026, 11, 1)),
        ("２０２６年１１月１日", date(2026, 11, 1)),  # full-width digits
        ("令和８年１１月１日", date(2026, 11, 1)),
        ("2026年2月30日", None),  # no such day
        ("日付はありません", None),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("更新日：令和8年11月1日", date(2026, 11, 1)),
        ("最終更新日 2026/11/01", date(2026, 11, 1)),
        ("掲載日：2026年4月1日　最終更新日：2026年6月15日", date(2026, 6, 15)),
        ("令和8年4月1日から受付を始めます。", None),  # a date, but not the page's updated date
    ],
)
def test_find_updated_date_needs_a_label(text, expected):
    assert find_updated_date(text) == expected
