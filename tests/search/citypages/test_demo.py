"""The demo city has city pages for 横断検索's 行政 results."""

from sqlalchemy import func, select

from community.extensions import db
from search.citypages.models import CityPage, CrawlRun


def test_demo_loads_city_pages(runner):
    result = runner.invoke(args=["tsunagari", "demo"])
    assert result.exit_code == 0, result.output
    pages = db.session.scalars(select(CityPage)).all()
    assert len(pages) >= 15
    assert all(p.url.startswith("https://www.city.midori.example.jp/") for p in pages)
    assert all(p.title and p.body and p.department and p.page_updated_on for p in pages)
    titles = " ".join(p.title for p in pages)
    for topic in ("子育て支援", "児童手当", "子ども医療費助成", "図書館", "防災", "ごみの出し方", "健康診査"):
        assert topic in titles
    assert db.session.scalar(select(func.count()).select_from(CrawlRun)) == 1
