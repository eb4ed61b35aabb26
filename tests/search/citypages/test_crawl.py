"""`flask citypages crawl` against the fixture city site on 127.0.0.1 (tests/fixtures/citysite)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from community.core.settings import save_site_settings
from community.extensions import db
from search.citypages.crawler import Crawler
from search.citypages.models import CityPage, CrawlRun
from search.citypages.services import crawl_settings
from tests.fixtures.citysite.server import Route

CONTACT = "https://tsunagari.city.example.jp/crawler"
PAGE_PATHS = {
    "/",
    "/kosodate/jidouteate.html",
    "/gomi/dashikata.html",
    "/bosai/hinanjo.html",
    "/kenko/kenshin.html",
    "/toshokan.html",
}


@pytest.fixture
def app_config(app_config):
    return {**app_config, "CRAWL_CONTACT_URL": CONTACT}


def pages(site) -> dict[str, CityPage]:
    db.session.expire_all()
    prefix = len(site.base)
    return {p.url[prefix:]: p for p in db.session.scalars(select(CityPage))}


def last_run() -> CrawlRun:
    db.session.expire_all()
    return db.session.scalars(select(CrawlRun).order_by(CrawlRun.id.desc())).first()


def test_first_crawl_imports_the_site(city_site, other_site, crawl_cli):
    result = crawl_cli(city_site.base + "/")
    assert result.exit_code == 0, result.output

    stored = pages(city_site)
    assert set(stored) == PAGE_PATHS
    assert all(p.removed_at is None for p in stored.values())

    # Three encodings, read correctly.
    assert stored["/kosodate/jidouteate.html"].title == "児童手当"
    assert stored["/kosodate/jidouteate.html"].department == "子ども家庭部 子育て支援課"
    assert stored["/kosodate/jidouteate.html"].page_updated_on == date(2026, 11, 1)  # 令和8年11月1日
    assert "役に立ちましたか" not in stored["/kosodate/jidouteate.html"].body
    assert "くらし・手続き" not in stored["/kosodate/jidouteate.html"].body
    gomi = stored["/gomi/dashikata.html"]  # Shift_JIS (CP932, with ①), declared nowhere
    assert gomi.title == "ごみの出し方・分け方"
    assert "①電話" in gomi.body and gomi.department == "環境部 清掃課"
    assert gomi.page_updated_on == date(2026, 3, 25)
    bosai = stored["/bosai/hinanjo.html"]  # EUC-JP declared in <meta>
    assert bosai.title == "指定避難所一覧" and "ハザードマップ" in bosai.body
    assert bosai.department == "総務部 危機管理課"
    assert "\ufffd" not in gomi.body + bosai.body

    # The redirect was followed within the host; the page is stored under its new address.
    assert stored["/kenko/kenshin.html"].title == "健康診断・がん検診"
    # Found only through a link on the home page, not in the sitemap.
    assert "図書館カード" in stored["/toshokan.html"].body

    # robots.txt: the disallowed page was never requested; the off-host link never followed.
    assert not [p for p in city_site.paths() if p.startswith("/private/")]
    assert other_site.paths() == []
    assert "/files/kosodate-guide.pdf" not in city_site.paths()
    assert city_site.paths()[0] == "/robots.txt"
    assert {"/sitemap_index.xml", "/sitemaps/pages.xml"} <= set(city_site.paths())
    assert {hit.headers["User-Agent"] for hit in city_site.log} == {f"TsunagariCrawler/0.1 (+{CONTACT})"}
    assert len(city_site.hits("/gomi/dashikata.html")) == 1  # linked from several pages, fetched once

    run = last_run()
    assert run.finished_at is not None
    assert (run.pages_fetched, run.pages_new, run.pages_updated, run.pages_removed) == (7, 6, 0, 0)
    assert run.skipped_by_robots == 1
    assert run.errors == [{"url": city_site.base + "/missing.html", "message": "HTTP 404"}]
    assert "new 6" in result.output


def test_recrawl_sends_validators_and_rewrites_nothing_unchanged(city_site, crawl_cli):
    crawl_cli(city_site.base + "/")
    before = {path: (p.fetched_at, p.content_hash) for path, p in pages(city_site).items()}
    city_site.clear_log()

    crawl_cli(city_site.base + "/")

    etag_hit = city_site.hits("/kosodate/jidouteate.html")[0]
    assert etag_hit.headers["If-None-Match"] == '"jidouteate-v1"'
    assert etag_hit.status == 304
    modified_hit = city_site.hits("/toshokan.html")[0]
    assert modified_hit.headers["If-Modified-Since"] == "Sun, 01 Nov 2026 09:00:00 GMT"
    assert modified_hit.status == 304
    after = {path: (p.fetched_at, p.content_hash) for path, p in pages(city_site).items()}
    assert after == before  # not one row rewritten
    run = last_run()
    assert (run.pages_new, run.pages_updated, run.pages_unchanged, run.pages_removed) == (0, 0, 6, 0)


def test_recrawl_updates_changed_pages_and_removes_gone_ones(city_site, crawl_cli):
    crawl_cli(city_site.base + "/")
    city_site.routes["/bosai/hinanjo.html"] = Route(status=410)
    del city_site.routes["/toshokan.html"]  # now 404
    gomi = city_site.routes["/gomi/dashikata.html"]
    gomi.body = gomi.body.replace("週2回".encode("cp932"), "週3回".encode("cp932"))

    crawl_cli(city_site.base + "/")

    stored = pages(city_site)
    assert stored["/bosai/hinanjo.html"].removed_at is not None
    assert stored["/toshokan.html"].removed_at is not None
    assert "週3回" in stored["/gomi/dashikata.html"].body
    assert stored["/kosodate/jidouteate.html"].removed_at is None
    run = last_run()
    assert (run.pages_updated, run.pages_removed) == (1, 2)

    # The page comes back: it returns to search.
    city_site.page("/bosai/hinanjo.html", "bosai/hinanjo.html", encoding="euc_jp", content_type="text/html")
    crawl_cli(city_site.base + "/bosai/hinanjo.html")
    assert pages(city_site)["/bosai/hinanjo.html"].removed_at is None


def test_page_limit(city_site, crawl_cli):
    result = crawl_cli(city_site.base + "/", "--max-pages", "2")
    assert "page limit" in result.output
    page_requests = [p for p in city_site.paths() if not p.endswith((".xml", ".txt"))]
    assert len(page_requests) == 2
    run = last_run()
    assert run.pages_fetched == 2 and run.hit_page_limit


def test_start_from_a_sitemap_url(city_site, crawl_cli):
    crawl_cli(city_site.base + "/sitemaps/pages.xml")
    assert "/kosodate/jidouteate.html" in pages(city_site)


def test_a_redirect_off_the_host_is_not_followed(city_site, other_site, crawl_cli):
    city_site.routes["/old/kenshin.html"] = Route(status=302, headers={"Location": other_site.base + "/offhost.html"})
    crawl_cli(city_site.base + "/")
    assert other_site.paths() == []
    assert any(e["url"].endswith("/old/kenshin.html") and "another site" in e["message"] for e in last_run().errors)


def test_robots_crawl_delay_is_obeyed(app, city_site):
    city_site.text("/robots.txt", "User-agent: *\nCrawl-delay: 2\nDisallow: /private/\n", "text/plain")
    slept: list[float] = []
    crawler = Crawler(crawl_settings(app.config, delay=0, max_pages=3), sleep=slept.append)
    crawler.crawl(city_site.base + "/")
    # robots.txt, /sitemap.xml (404: robots names no sitemap), then 3 pages: a pause before each after the first.
    assert len(slept) == 4
    assert all(1.5 < s <= 2 for s in slept)


def test_unreachable_site_fails_clearly(runner):
    result = runner.invoke(args=["citypages", "crawl", "http://127.0.0.1:9/", "--delay", "0"])
    assert result.exit_code == 1
    assert "could not connect" in result.output


def test_rejects_a_non_http_url(runner):
    result = runner.invoke(args=["citypages", "crawl", "ftp://city.example.jp/"])
    assert result.exit_code == 2
    assert "not an http(s) URL" in result.output


def test_crawl_delay_setting_comes_from_the_environment(monkeypatch, app_config):
    from app import create_app

    monkeypatch.setenv("TSUNAGARI_CRAWL_DELAY", "2.5")
    configured = create_app(app_config)
    assert crawl_settings(configured.config).delay == 2.5
    monkeypatch.delenv("TSUNAGARI_CRAWL_DELAY")
    assert crawl_settings(create_app(app_config).config).delay == 1.0


def test_server_errors_keep_pages_and_noindex_takes_them_out(city_site, crawl_cli):
    crawl_cli(city_site.base + "/")
    city_site.routes["/gomi/dashikata.html"] = Route(status=503)
    kenshin = city_site.routes["/kenko/kenshin.html"]
    kenshin.body = kenshin.body.replace(b"<head>", b'<head><meta name="robots" content="noindex">')

    crawl_cli(city_site.base + "/")

    stored = pages(city_site)
    assert stored["/gomi/dashikata.html"].removed_at is None  # a bad night on the server is not a removal
    assert stored["/kenko/kenshin.html"].removed_at is not None
    assert {"url": city_site.base + "/gomi/dashikata.html", "message": "HTTP 503"} in last_run().errors


def test_a_stored_page_that_moved_leaves_search(city_site, crawl_cli):
    crawl_cli(city_site.base + "/")
    city_site.routes["/toshokan.html"] = Route(status=301, headers={"Location": "/kenko/kenshin.html"})
    crawl_cli(city_site.base + "/")
    stored = pages(city_site)
    assert stored["/toshokan.html"].removed_at is not None
    assert stored["/kenko/kenshin.html"].removed_at is None


def test_without_a_url_the_crawl_starts_at_the_city_web_site_of_the_settings(runner, city_site):
    save_site_settings(city_name="みどり市", city_website=city_site.base + "/")
    db.session.commit()
    result = runner.invoke(args=["citypages", "crawl", "--delay", "0"])
    assert result.exit_code == 0, result.output
    assert pages(city_site)


def test_without_a_url_or_a_city_web_site_the_crawl_says_what_to_give(runner):
    result = runner.invoke(args=["citypages", "crawl"])
    assert result.exit_code == 2
    assert "flask tsunagari init" in result.output
