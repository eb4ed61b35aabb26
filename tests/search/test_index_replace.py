"""An edited document replaces its old version in the index, also when a search ran between the
two writes (the Whoosh backend's long-lived searcher used to keep the old version: whoosh-reloaded's
Searcher.refresh() reused segment readers without their new deletions and added back merged-away
segments). Runs on both backends (and on PostgreSQL with TSUNAGARI_TEST_DATABASE_URL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from community.extensions import db
from search.analysis import parse_query
from search.backends import SearchFilters, get_backend
from search.sources import Document
from tests.search.fixtures import app_config, titles  # noqa: F401 - runs every test on both backends

START = datetime(2026, 4, 1, tzinfo=UTC)


def _doc(number: int, title: str, body: str) -> Document:
    return Document(kind="announcement", object_id=number, source="official", title=title, body=body,
                    date=START + timedelta(days=number), scope="public")


def _found(text: str, *, rank_within: int | None = 300, sort: str = "relevance") -> list[int]:
    hits = get_backend().search(parse_query(text), SearchFilters(scopes=frozenset({"public"})), sort=sort,
                                rank_within=rank_within)
    db.session.rollback()
    return [hit.object_id for hit in hits]


def _documents() -> int:
    count = get_backend().status()["documents"]
    db.session.rollback()
    return count


@pytest.fixture
def write(app):
    """One drain's write (what search.indexing.drain hands the backend), committed."""
    get_backend().rebuild([])
    db.session.commit()

    def apply(documents: list[Document], deleted: list[tuple[str, int]] = ()) -> None:
        get_backend().apply(documents, list(deleted))
        db.session.commit()

    return apply


@pytest.mark.parametrize("search", [
    {"rank_within": 300}, {"rank_within": None}, {"rank_within": None, "sort": "date"}])
def test_an_edit_replaces_the_document_after_a_search(write, search):
    write([_doc(1, "健診のお知らせ", "会場は市民会館です。")])
    assert _found("市民会館", **search) == [1]  # the searcher is open on this generation
    write([_doc(1, "健診のお知らせ", "場所は北小学校の体育室です。")])
    assert _found("体育室", **search) == [1]
    assert _found("市民会館", **search) == []
    assert _found("健診", **search) == [1]  # one hit, not one per version
    assert _documents() == 1


def test_a_deleted_document_is_not_found_after_a_search(write):
    write([_doc(1, "花火大会の開催", "河川敷で開催します。"), _doc(2, "花火の写真", "去年の花火大会")])
    assert sorted(_found("花火大会")) == [1, 2]
    write([], [("announcement", 1)])
    assert _found("花火大会") == [2]
    assert _found("河川敷") == []
    assert _documents() == 1


def test_many_edits_leave_one_document_and_merges_bring_nothing_back(write):
    # Enough commits for Whoosh to merge its small segments several times over.
    write([_doc(1, "ごみ収集日の変更", "版0の本文")])
    for version in range(1, 25):
        assert _found("ごみ収集") == [1]
        write([_doc(1, "ごみ収集日の変更", f"版{version}の本文 第{version}版")])
        assert _found(f"第{version}版") == [1]
        assert _found(f"第{version - 1}版") == []
        assert _documents() == 1
    write([_doc(2, "粗大ごみの出し方", "申し込み制です。")])
    assert _found("ごみ") in ([1, 2], [2, 1])
    assert _documents() == 2


def test_a_rebuild_drops_what_the_open_searcher_saw(write):
    write([_doc(1, "古い記事", "公園の清掃"), _doc(2, "別の記事", "公園の花壇")])
    assert sorted(_found("公園")) == [1, 2]
    get_backend().rebuild([_doc(3, "新しい記事", "公園の遊具")])
    db.session.commit()
    assert _found("公園") == [3]
    assert _documents() == 1


def test_a_corrected_announcement_no_longer_matches_its_old_text(client, make_announcement):
    item = make_announcement("健診のお知らせ", "会場は市民会館です。")
    assert titles(client, "市民会館") == ["健診のお知らせ"]  # drained, searched
    item.body = "場所は北小学校の体育室です。"
    db.session.commit()
    assert titles(client, "体育室") == ["健診のお知らせ"]  # drained again
    assert titles(client, "市民会館") == []
    item.body = "場所は南中学校です。"
    db.session.commit()
    assert titles(client, "南中学校") == ["健診のお知らせ"]
    assert titles(client, "体育室") == []
    assert titles(client, "健診") == ["健診のお知らせ"]
    assert get_backend().status()["documents"] == 1
