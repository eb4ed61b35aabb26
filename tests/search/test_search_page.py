"""The /search page: one list, filters, highlights, suggestions, never a 500."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from community.core.database import utcnow
from tests.search.fixtures import app_config, titles  # noqa: F401 - runs every test on both backends


def test_kosodate_finds_city_pages_and_announcements_with_highlights(client, make_city_page, make_announcement):
    make_city_page("子育て支援の窓口", "妊娠期から子育て期まで切れ目のない支援を行います。", department="子育て支援課")
    make_announcement("子育てサロンのお知らせ", "毎週火曜日に公民館で開きます。")
    make_city_page("ゴミの出し方", "燃えるゴミは月曜日と木曜日です。")
    html = client.get("/search/?q=子育て").get_data(as_text=True)
    assert "<mark>子育て</mark>支援の窓口" in html
    assert "行政" in html and "子育て支援課" in html
    assert sorted(titles(client, "子育て")) == ["子育てサロンのお知らせ", "子育て支援の窓口"]
    assert titles(client, "ゴミ") == ["ゴミの出し方"]


def test_width_and_kana_variants_find_the_same_page(client, make_city_page):
    make_city_page("コソダテ広場", "ＡＢＣ教室 １２月")
    for query in ("ｺｿﾀﾞﾃ", "コソダテ", "こそだて", "abc", "ABC", "12月", "１２月"):
        assert titles(client, query) == ["コソダテ広場"], query


def test_output_is_escaped(client, make_announcement):
    make_announcement("<script>alert(1)</script>防災", "<img src=x onerror=alert(1)>防災訓練")
    html = client.get("/search/?q=防災").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html and "<mark>防災</mark>" in html


@pytest.mark.parametrize(
    "query",
    ['"', "((", ")", "AND", "OR NOT", "*", "子育て*", '"子育て', "\x1b[0m", "a" * 5000, "子" * 5000,
     "%", "\\", "'", "<>", "　", "\u202e", "-", "NEAR(a b)", "title:x", "^", "{}", ":*", "a & b | !c"],
)
def test_malformed_input_never_breaks_the_page(client, make_city_page, query):
    make_city_page("図書館の利用案内", "図書館カードの作り方")
    response = client.get("/search/", query_string={"q": query})
    assert response.status_code == 200


def test_a_nul_in_the_query_is_the_japanese_400_page(client, make_city_page):
    """No keyboard types a NUL (PostgreSQL refuses it): every query value with one is refused alike."""
    make_city_page("図書館の利用案内", "図書館カードの作り方")
    response = client.get("/search/", query_string={"q": "\x00\x1b[0m"})
    assert response.status_code == 400
    assert "リクエストが正しくありません" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "params",
    [{"page": "x"}, {"page": "-1"}, {"page": "999999"}, {"source": "nope"}, {"district": "abc"},
     {"sort": "evil"}, {"date_from": "2026-13-45"}, {"date_from": "2026-05-01", "date_to": "2026-04-01"}],
)
def test_bad_filters_are_a_clear_400_that_keeps_the_query(client, make_city_page, params):
    response = client.get("/search/", query_string={"q": "図書館", **params})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "下の項目を確認して、入力し直してください" in html
    assert 'value="図書館"' in html


def test_invalid_date_message_is_japanese(client, make_city_page):
    html = client.get("/search/", query_string={"q": "図書館", "date_from": "きのう"}).get_data(as_text=True)
    assert "日付は 2026-04-01 のように入力してください" in html


def test_filter_by_source_and_date_and_sort(client, make_city_page, make_announcement):
    make_city_page("防災マップ", "避難所の一覧", page_updated_on=date(2025, 4, 1))
    make_announcement("防災訓練", "9月1日に実施します。", published_at=utcnow() - timedelta(days=1))
    assert sorted(titles(client, "防災", source="official")) == ["防災マップ", "防災訓練"]
    assert titles(client, "防災", source="voices") == []
    assert titles(client, "防災", sort="date") == ["防災訓練", "防災マップ"]
    assert titles(client, "防災", date_from="2025-03-01", date_to="2025-05-01") == ["防災マップ"]


def test_pagination(client, make_city_page):
    for number in range(25):
        make_city_page(f"公園だより {number}", "公園の清掃活動")
    first = titles(client, "公園")
    second = titles(client, "公園", page="2")
    assert len(first) == 20 and len(second) == 5
    assert not set(first) & set(second)
    assert "次のページ" in client.get("/search/?q=公園").get_data(as_text=True)


def test_no_results_suggests_alternatives_that_have_results(client, make_city_page):
    make_city_page("こそだて広場", "あそびの会")
    html = client.get("/search/", query_string={"q": "子育て"}).get_data(as_text=True)
    assert "見つかりませんでした" in html
    assert "こそだて" in html  # the reading of 子育て has results
    html = client.get("/search/", query_string={"q": "あそび 水泳"}).get_data(as_text=True)
    assert ">あそび</a>" in html and ">水泳</a>" not in html
    html = client.get("/search/", query_string={"q": "あそび", "source": "voices"}).get_data(as_text=True)
    assert "「あそび」を絞り込みなしで検索" in html


def test_empty_query_shows_the_form(client, search_index):
    response = client.get("/search/")
    assert response.status_code == 200
    assert 'id="q"' in response.get_data(as_text=True)
