"""Search fixtures. Test modules import `app_config` from here so that every search test runs on
both backends (Whoosh files and the database's own full-text search)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from community.announcements.models import Announcement
from community.core.database import utcnow
from community.extensions import db
from search.citypages.models import CityPage
from tests.conftest import _config

BACKENDS = ["whoosh", "database"]
_counter = itertools.count(1)


@pytest.fixture(params=BACKENDS)
def app_config(request, database_url, tmp_path):
    config = _config(database_url, tmp_path)
    config["SEARCH_BACKEND"] = request.param
    return config


@pytest.fixture
def backend_name(app):
    return app.config["SEARCH_BACKEND"]


@pytest.fixture
def search_index(app):
    """An index built from the (empty) database, as `flask search reindex` leaves it."""
    from search import indexing

    indexing.reindex()
    return indexing


@pytest.fixture
def make_announcement(app, search_index):
    def make(title="お知らせ", body="", **fields) -> Announcement:
        fields.setdefault("published_at", utcnow() - timedelta(hours=1))
        item = Announcement(title=title, body=body, department=fields.pop("department", "市民協働課"), **fields)
        db.session.add(item)
        db.session.commit()
        return item

    return make


@pytest.fixture
def make_city_page(app, search_index):
    def make(title="市のページ", body="", **fields) -> CityPage:
        number = next(_counter)
        fields.setdefault("page_updated_on", date(2026, 4, 1))
        page = CityPage(url=f"https://www.city.example.jp/p{number}.html", title=title, body=body, **fields)
        db.session.add(page)
        db.session.commit()
        return page

    return make


def titles(client, query: str, **params) -> list[str]:
    """The result titles a viewer sees on /search (tags stripped)."""
    import re

    response = client.get("/search/", query_string={"q": query, **params})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    html = response.get_data(as_text=True)
    found = re.findall(r'<h3 class="search-result__title"><a [^>]*>(.*?)</a></h3>', html, re.S)
    return [re.sub(r"<[^>]+>", "", t) for t in found]
