"""Exact word matching inside the engines, with and without the ranking cap: a word's bigrams
scattered over a document are no match, a word never spans the title and the body, and a
one-character word finds the character anywhere. The Whoosh backend intersects its posting
lists itself and checks phrases from positions, so these are checked on the engine, not only in
search.analysis."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from community.extensions import db
from search.analysis import parse_query
from search.backends import SearchFilters, SearchUnavailable, get_backend
from search.sources import Document
from tests.search.fixtures import app_config  # noqa: F401 - runs every test on both backends

START = datetime(2026, 1, 1, tzinfo=UTC)
PUBLIC = SearchFilters(scopes=frozenset({"public"}))


def _doc(number: int, title: str, body: str) -> Document:
    return Document(kind="announcement", object_id=number, source="official", title=title, body=body,
                    date=START + timedelta(days=number), scope="public")


def _found(text: str, *, rank_within: int | None) -> list[int]:
    hits = get_backend().search(parse_query(text), PUBLIC, limit=20, rank_within=rank_within)
    db.session.rollback()
    return sorted(hit.object_id for hit in hits)


@pytest.fixture
def corpus(app):
    get_backend().rebuild([
        _doc(1, "お知らせ", "子育児と教育ての話"),           # every bigram of 子育て, never together
        _doc(2, "子育て支援", "相談窓口のご案内"),            # in the title only
        _doc(3, "お知らせ", "マイナンバーカードの受け取り"),   # a long katakana word
        _doc(4, "お知らせ", "マイナンバーとカードの話"),       # its parts, apart
        _doc(5, "市立図書", "館だより"),                      # 図書 + 館 across title and body
        _doc(6, "北公園", "清掃します"),                      # 北 at the start of a run
        _doc(7, "お知らせ", "公園の北"),                      # 北 as the last character of a run
    ])
    db.session.commit()


@pytest.mark.parametrize("rank_within", [300, 2, None])
def test_a_word_matches_only_where_it_is_written(corpus, rank_within):
    assert _found("子育て", rank_within=rank_within) == [2]
    assert _found("マイナンバーカード", rank_within=rank_within) == [3]
    assert _found("カード マイナンバー", rank_within=rank_within) == [3, 4]
    assert _found("北", rank_within=rank_within) == [6, 7]
    assert _found("公園 北", rank_within=rank_within) == [6, 7]
    assert _found("清掃 北", rank_within=rank_within) == [6]
    assert _found("子育て 北", rank_within=rank_within) == []


def test_a_word_never_spans_the_title_and_the_body(corpus, app):
    if app.config["SEARCH_BACKEND"] != "whoosh":
        return  # the database backends index title and body as they do; see search/backends/database.py
    assert _found("図書館", rank_within=300) == []
    assert _found("図書 館", rank_within=300) == [5]


def test_an_index_of_an_older_format_asks_for_a_reindex(app, tmp_path):
    if app.config["SEARCH_BACKEND"] != "whoosh":
        return  # the database backend has no index files
    from whoosh import index as whoosh_index
    from whoosh.fields import ID, STORED, TEXT, Schema

    from search.backends.whoosh_backend import BigramTokenizer, WhooshBackend

    old = tmp_path / "old-index"
    old.mkdir()
    whoosh_index.create_in(str(old), Schema(key=ID(unique=True, stored=True), kind=ID(stored=True),
                                            object_id=STORED(), title=TEXT(analyzer=BigramTokenizer(), phrase=True)))
    backend = WhooshBackend(str(old))
    with pytest.raises(SearchUnavailable, match="reindex"):
        backend.search(parse_query("公園"), PUBLIC, limit=5)
    assert backend.status()["ok"] is False
    assert backend.rebuild([_doc(1, "公園", "清掃")]) == 1  # a rebuild replaces it
    assert [hit.object_id for hit in backend.search(parse_query("公園"), PUBLIC, limit=5)] == [1]
