"""Cross-search sends residents to our copy of a city page (with 「このページは役に立ちましたか」),
and keeps the original address visible in the result; the page links out 「市のサイトで見る」."""

from __future__ import annotations

import re
from datetime import date

from community.core.database import utcnow
from community.extensions import db
from tests.search.fixtures import app_config  # noqa: F401 - runs every test on both backends


def _result_items(html: str) -> list[str]:
    return re.findall(r'<li class="search-result">(.*?)</li>', html, re.S)


def test_a_city_page_result_links_to_our_page_and_shows_the_original(client, make_city_page):
    page = make_city_page("児童手当について", "児童手当は中学生までのお子さんを養育している方に支給します。",
                          department="子育て支援課", page_updated_on=date(2026, 4, 1))
    html = client.get("/search/?q=児童手当").get_data(as_text=True)
    [item] = _result_items(html)
    title_link = re.search(r'<h3 class="search-result__title"><a href="([^"]+)"', item).group(1)
    assert title_link == f"/city-pages/{page.id}"
    assert f'<a href="{page.url}" rel="noopener">市のサイトで見る</a>' in item
    assert page.url in re.sub(r"<[^>]+>", " ", item)  # the address itself is readable too

    opened = client.get(title_link)
    assert opened.status_code == 200
    text = opened.get_data(as_text=True)
    assert "<h1>児童手当について</h1>" in text
    assert "子育て支援課" in text and "2026" in text and "更新" in text
    assert "中学生までのお子さんを養育している方に支給します。" in text
    assert f'<a href="{page.url}" rel="noopener">市のサイトで見る</a>' in text
    assert "このページは役に立ちましたか" in text


def test_a_page_gone_from_the_city_site_is_neither_found_nor_opened(client, make_city_page):
    page = make_city_page("廃止された手続き", "旧制度の手続きです。")
    page.removed_at = utcnow()
    db.session.commit()
    assert _result_items(client.get("/search/?q=旧制度").get_data(as_text=True)) == []
    assert client.get(f"/city-pages/{page.id}").status_code == 404


def test_announcement_results_still_link_to_the_announcement(client, make_announcement):
    item = make_announcement("子育てサロンのお知らせ", "毎週火曜日に公民館で開きます。")
    [result] = _result_items(client.get("/search/?q=子育てサロン").get_data(as_text=True))
    assert f'href="/announcements/{item.id}"' in result and "市のサイトで見る" not in result
