"""Factories for search tests (the backend parametrisation is in fixtures.py, imported per module
so that tests/search/citypages keeps its own settings)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from community.announcements.models import Announcement
from community.core.database import utcnow
from community.extensions import db
from search.citypages.models import CityPage

_counter = itertools.count(1)


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


@pytest.fixture
def backend_name(app):
    return app.config["SEARCH_BACKEND"]
