"""横断検索 in a real browser on the demo city: 「子育て」 from the header search box."""

from __future__ import annotations

import pytest

from tests.browser.conftest import run_axe


@pytest.fixture
def demo_server(live_server):
    with live_server.app.app_context():
        from community.core.cli import load_demo

        load_demo()  # the search loader (order 90) builds the index from the demo data
    return live_server


def _search_from_header(page, text: str) -> None:
    page.get_by_role("search").first.get_by_label("サイト内検索").fill(text)
    page.locator(".site-search button").click()


def test_kosodate_as_a_visitor(page, demo_server):
    page.goto(demo_server.url + "/")
    _search_from_header(page, "子育て")
    page.wait_for_url("**/search/**")
    assert page.get_by_role("heading", level=1, name="検索").is_visible()
    results = page.locator(".search-result")
    assert results.count() >= 3
    assert page.locator(".search-result__title mark", has_text="子育て").count() >= 1
    sources = set(page.locator(".badge--source").all_inner_texts())
    assert {"行政", "地域"} <= sources
    assert "みんなの声" not in sources  # hanako's diary is for chosen members only
    assert page.get_by_text("子育て支援の窓口と制度の一覧").is_visible()
    assert page.get_by_text("緑ヶ丘 子育てひろば").first.is_visible()
    assert page.get_by_text("最近30日の書き込み").first.is_visible()  # the circle's liveliness
    assert run_axe(page) == []


def test_kosodate_as_hanako_includes_residents_voices(page, demo_server):
    page.goto(demo_server.url + "/login")
    page.get_by_label("ログインID").fill("hanako")
    page.get_by_label("パスワード").fill("tsunagari-demo-2026")
    page.get_by_role("button", name="ログイン").click()
    _search_from_header(page, "子育て")
    page.wait_for_url("**/search/**")
    sources = set(page.locator(".badge--source").all_inner_texts())
    assert {"行政", "地域", "みんなの声"} <= sources
    assert page.get_by_role("link", name="子育てサークルの連絡").is_visible()
    page.get_by_label("情報の種類").select_option(label="みんなの声")
    page.get_by_role("button", name="検索", exact=True).last.click()
    assert set(page.locator(".badge--source").all_inner_texts()) == {"みんなの声"}
    assert run_axe(page) == []


def test_width_variant_and_no_results_suggestion(page, demo_server):
    page.goto(demo_server.url + "/search/?q=" + "ｺｿﾀﾞﾃ ﾋﾛﾊﾞ")
    assert page.get_by_text("見つかりませんでした").is_visible()
    assert run_axe(page) == []
    page.goto(demo_server.url + "/search/?q=" + "子育て 図書館")
    assert page.get_by_text("見つかりませんでした").is_visible()
    page.locator(".search-suggestions a").first.click()
    assert page.locator(".search-result").count() >= 1
