"""Official posts in cross-search (source 行政): found by everyone, kept current on correction,
gone when withdrawn. Runs on both backends (Whoosh files and the database's full-text search)."""

from __future__ import annotations

import pytest

from community.extensions import db
from community.official.models import OfficialPost
from tests.search.fixtures import app_config, titles  # noqa: F401 - every test on both backends


@pytest.fixture
def indexed(app):
    from search import indexing

    indexing.reindex()
    return indexing


@pytest.mark.parametrize("viewer", ["anonymous", "member", "minor", "staff_in"])
def test_official_posts_are_found_by_everyone_under_the_official_source(
        client, people, dept, make_official_post, indexed, login_as, viewer):
    make_official_post(dept, people["staff_in"], title="給水車の巡回", body="断水地域に給水車が回ります。")
    login_as(viewer)
    assert titles(client, "給水車") == ["給水車の巡回"]
    assert titles(client, "給水車", source="official") == ["給水車の巡回"]
    assert titles(client, "給水車", source="voices") == []


def test_correction_updates_the_index(client, people, dept, make_official_post, indexed, login_as):
    post = make_official_post(dept, people["staff_in"], title="健診のお知らせ", body="会場は市民会館です。")
    assert titles(client, "市民会館") == ["健診のお知らせ"]
    login_as("staff_in")
    response = client.post(f"/official/posts/{post.id}/correct", data={
        "title": "健診のお知らせ", "body": "場所は北小学校の体育室です。", "note": "会場の誤り", "version": 1})
    assert response.status_code == 302
    assert titles(client, "体育室") == ["健診のお知らせ"]
    assert titles(client, "市民会館") == []  # the pre-correction document is gone (was an xfail on Whoosh)
    assert titles(client, "健診") == ["健診のお知らせ"]


def test_withdrawn_post_leaves_search(client, people, dept, make_official_post, indexed, login_as):
    post = make_official_post(dept, people["staff_in"], title="花火大会の開催", body="河川敷で開催します。")
    assert titles(client, "花火大会") == ["花火大会の開催"]
    login_as("staff_in")
    assert client.post(f"/official/posts/{post.id}/withdraw", data={"reason": "荒天のため中止"}).status_code == 302
    assert titles(client, "花火大会") == []
    db.session.expire_all()
    assert db.session.get(OfficialPost, post.id).withdrawn_at is not None
    # A stale index (before the outbox is applied) still cannot show it: the policy filter reloads hits.
    from community.official.models import OfficialPost as Model
    from community.policy import visible_official_posts

    assert db.session.scalars(visible_official_posts(db.select(Model), None)).all() == []


def test_renamed_department_is_found_under_its_new_name(client, people, dept, make_official_post, indexed, login_as):
    make_official_post(dept, people["staff_in"], title="避難所の開設", body="体育館を開放します。")
    login_as("admin")
    response = client.post(f"/official/admin/{dept.id}", data={"name": "危機管理課", "slug": "bousai",
                                                                "description": ""})
    assert response.status_code == 302
    assert titles(client, "危機管理課") == ["避難所の開設"]
