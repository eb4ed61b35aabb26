"""Ranking only the newest matches (SEARCH_RANK_CANDIDATES): fast at any size, and never at the
cost of what a viewer may see. Runs on both backends (and on PostgreSQL with
TSUNAGARI_TEST_DATABASE_URL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from community.extensions import db
from search.analysis import parse_query
from search.backends import SearchFilters, get_backend, in_date_order
from search.sources import Document
from tests.search.fixtures import app_config, titles  # noqa: F401 - runs every test on both backends

START = datetime(2026, 1, 1, tzinfo=UTC)


def _doc(number: int, title: str, body: str, scope: str = "public", days: int = 0) -> Document:
    return Document(kind="announcement", object_id=number, source="official", title=title, body=body,
                    date=START + timedelta(days=days or number), scope=scope)


def _search(text: str, scopes: set[str], *, limit: int = 10, rank_within: int | None = 3) -> list[int]:
    hits = get_backend().search(parse_query(text), SearchFilters(scopes=frozenset(scopes)), limit=limit,
                                rank_within=rank_within)
    db.session.rollback()
    return [hit.object_id for hit in hits]


@pytest.fixture
def index(app):
    def build(documents: list[Document]) -> None:
        get_backend().rebuild(documents)
        db.session.commit()

    return build


def test_the_cap_counts_only_documents_the_viewer_may_see(index):
    # Two old public documents, then twenty newer ones in a circle the viewer is not in: the
    # newest three matches overall are all private, yet the viewer gets both public ones.
    docs = [_doc(1, "公園の清掃", "公園"), _doc(2, "公園の花", "公園")]
    docs += [_doc(10 + k, "公園サークル", "公園で集まります", scope="circle:7") for k in range(20)]
    index(docs)
    assert sorted(_search("公園", {"public", "members"})) == [1, 2]
    assert len(_search("公園", {"public", "members", "circle:7"}, limit=30, rank_within=None)) == 22
    # A member of circle 7 with the cap: the page is full, from the newest matches.
    assert set(_search("公園", {"public", "members", "circle:7"}, limit=3)) <= {10 + k for k in range(20)}


def test_a_rare_word_is_ranked_over_every_match_and_title_matches_come_first(index):
    docs = [_doc(k, f"お知らせ{k}", "図書館の本を返しました") for k in range(1, 30)]
    docs.append(_doc(100, "図書館の休館日", "図書館は月曜日に休みます", days=1))  # the oldest
    docs.append(_doc(101, "防災訓練", "図書館の前に集まります", days=2))
    index(docs)
    # 31 documents match 図書館: only the newest max(cap, limit) are ranked.
    newest = _search("図書館", {"public"}, limit=5, rank_within=5)
    assert 100 not in newest and len(newest) == 5
    # Ranking everything finds the title match first.
    assert _search("図書館", {"public"}, limit=5, rank_within=None)[0] == 100
    # Two words: few matches, so the cap ranks them all: title match first, then the other.
    assert _search("図書館 防災", {"public"}, limit=5, rank_within=3) == [101]
    assert _search("図書館 休館", {"public"}, limit=5, rank_within=3) == [100]
    assert _search("図書館 月曜", {"public"}, limit=5, rank_within=3) == [100]


def test_within_the_cap_the_title_match_ranks_first(index):
    docs = [_doc(k, f"お知らせ{k}", "子育ての相談をしました") for k in range(1, 6)]
    docs.append(_doc(6, "子育て支援センター", "相談はこちら"))  # newest but one, title match
    docs.append(_doc(7, "お知らせ7", "子育ての相談をしました"))
    index(docs)
    assert _search("子育て", {"public"}, limit=3, rank_within=5)[0] == 6


def test_one_character_words_with_the_cap(index):
    docs = [_doc(1, "北公園の清掃", "北地区で清掃します"), _doc(2, "南公園の清掃", "南地区で清掃します"),
            _doc(3, "公園", "東の公園で会いましょう")]
    index(docs)
    assert _search("清掃 北", {"public"}) == [1]
    assert _search("公園 東", {"public"}) == [3]
    assert sorted(_search("清掃 地", {"public"})) == [1, 2]
    assert _search("北", {"public"}) == [1]


def test_a_rebuild_numbers_documents_by_date_so_the_cap_keeps_the_newest(index):
    # Sources are read kind by kind, not by date: the rebuild orders them itself.
    docs = [_doc(k, f"古い公園{k}", "公園", days=k) for k in range(1, 6)]
    docs += [_doc(k, f"新しい公園{k}", "公園", days=100 + k) for k in range(6, 9)]
    docs.reverse()
    index(docs)
    best = _search("公園", {"public"}, limit=1, rank_within=3)  # ranks the newest three only
    assert len(best) == 1 and best[0] in {6, 7, 8}
    assert _search("古い公園", {"public"}, limit=1, rank_within=3) != []  # fewer matches: all ranked


def test_in_date_order_puts_undated_documents_first():
    naive = datetime(2026, 3, 1)
    docs = [_doc(1, "a", "a", days=5), Document("announcement", 2, "official", "b", "b"),
            Document("announcement", 3, "official", "c", "c", date=naive), _doc(4, "d", "d", days=1)]
    assert [d.object_id for d in in_date_order(docs)] == [2, 4, 1, 3]


def test_the_site_ranks_within_the_setting_and_pages_still_work(app, client, make_city_page):
    app.config["SEARCH_RANK_CANDIDATES"] = 5
    for k in range(25):
        make_city_page(f"公園のお知らせ{k:02d}", "公園")
    first = titles(client, "公園")
    second = titles(client, "公園", page=2)
    assert len(first) == 20 and len(second) == 5
    assert not set(first) & set(second)


def test_postgresql_recency_buckets_widen_until_the_cap_is_met(app, index, monkeypatch):
    if app.config["SEARCH_BACKEND"] != "database" or get_backend().dialect != "postgresql":
        pytest.skip("PostgreSQL's recency buckets (run with TSUNAGARI_TEST_DATABASE_URL)")
    from search.backends import database

    monkeypatch.setattr(database, "BUCKET_ROWS", 4)  # 4 rows a bucket: 13 buckets for 50 documents
    docs = [_doc(k, f"公園{k}", "公園の清掃" + ("と噴水" if k == 3 else "")) for k in range(1, 41)]
    docs += [_doc(k, "公園サークル", "公園で集まります", scope="circle:7") for k in range(41, 51)]
    index(docs)
    public = _search("公園", {"public"}, limit=5, rank_within=6)  # ranks the newest 10 public
    assert len(public) == 5 and set(public) <= set(range(31, 41))
    assert _search("噴水", {"public"}, rank_within=6) == [3]  # in none of the newest buckets
    assert _search("公園 噴水", {"public"}, rank_within=6) == [3]
    member = _search("公園", {"public", "circle:7"}, limit=5, rank_within=6)
    assert len(member) == 5 and set(member) <= set(range(37, 51))
    assert _search("サークル", {"public"}, rank_within=6) == []


def test_a_phrase_does_not_match_across_punctuation_with_the_cap(index):
    # PostgreSQL looks 花火大会 up as '花火' <2> '大会' (fewer index lists) and checks the full phrase
    # on the rows found: 花火。大会 has the two bigrams two apart, but is not the word.
    docs = [_doc(1, "夏のお知らせ", "花火。大会は中止です"), _doc(2, "夏のお知らせ", "花火大会は八月です"),
            _doc(3, "冬のお知らせ", "スマートフォン。教室"), _doc(4, "冬のお知らせ", "スマートフォン教室")]
    index(docs)
    assert _search("花火大会", {"public"}) == [2]
    assert _search("スマートフォン教室", {"public"}) == [4]
    assert sorted(_search("花火", {"public"})) == [1, 2]


def test_phrase_cover_reads_non_overlapping_bigrams():
    from search.backends.database import phrase_cover

    assert phrase_cover(("花火", "火大", "大会")) == "'花火' <2> '大会'"
    assert phrase_cover(("ab", "bc", "cd", "de")) == "'ab' <2> 'cd' <1> 'de'"
    assert phrase_cover(("子育", "育て")) == "'子育' <1> '育て'"


def test_postgresql_coarse_buckets_find_the_newest_matches_of_a_rarer_word(app, index, monkeypatch):
    if app.config["SEARCH_BACKEND"] != "database" or get_backend().dialect != "postgresql":
        pytest.skip("PostgreSQL's recency buckets (run with TSUNAGARI_TEST_DATABASE_URL)")
    from search.backends import database

    # 4 rows a fine bucket, 32 a coarse one, at most 2 fine buckets ORed: 300 documents.
    monkeypatch.setattr(database, "BUCKET_ROWS", 4)
    monkeypatch.setattr(database, "COARSE_ROWS", 32)
    monkeypatch.setattr(database, "FINE_LIMIT", 2)
    docs = []
    for k in range(1, 301):  # every 4th has the word, every 8th is in a circle
        body = "公園の清掃" + ("と噴水広場" if k % 4 == 0 else "")
        docs.append(_doc(k, f"公園{k}", body, scope="circle:7" if k % 8 == 0 else "public"))
    index(docs)
    used = []
    real = database.coarse_bucket_lexeme
    monkeypatch.setattr(database, "coarse_bucket_lexeme", lambda row_id: used.append(row_id) or real(row_id))
    # The newest two fine buckets hold one public match: the next step ORs coarse buckets, and
    # the newest 10 public matches are ranked (equal ranks: newest first).
    assert _search("噴水広場", {"public"}, limit=5, rank_within=6) == [300, 292, 284, 276, 268]
    assert used, "a coarse bucket step ran"
    assert _search("噴水広場", {"public", "circle:7"}, limit=5, rank_within=6) == [300, 296, 292, 288, 284]
    assert _search("噴水広場 公園", {"public"}, limit=40, rank_within=6) == list(range(300, 0, -8))
