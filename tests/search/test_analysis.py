"""The Japanese analysis: what a resident types finds what the page says."""

from __future__ import annotations

import pytest

from search.analysis import highlight, normalize, parse_query, token_texts, tokenize


def _matches(document: str, query: str) -> bool:
    """Does the query match the document the way every backend matches (all clauses, phrases
    as consecutive bigrams, one character as a prefix)?"""
    tokens = tokenize(document)
    texts = [t.text for t in tokens]
    for clause in parse_query(query).clauses:
        if clause.kind == "prefix":
            ok = any(t.startswith(clause.tokens[0]) for t in texts)
        else:
            n = len(clause.tokens)
            ok = any(tuple(texts[i : i + n]) == clause.tokens for i in range(len(texts) - n + 1))
        if not ok:
            return False
    return True


@pytest.mark.parametrize(
    ("document", "query"),
    [
        ("育児休業の相談窓口", "育児"),
        ("中央図書館のおはなし会", "図書"),
        ("防災訓練のお知らせ", "防災"),
        ("地域の防災マップ", "防災マップ"),
        ("ゴミ出しのルール", "ゴミ"),
        ("子育て支援センター", "子育て"),
        ("子育て支援センター", "支援 子育て"),
        ("市民課", "課"),
        ("図書館", "館"),
        ("図", "図"),
    ],
)
def test_two_character_words_and_substrings_are_found(document, query):
    assert _matches(document, query)


@pytest.mark.parametrize(
    ("document", "query"),
    [
        ("ｺｿﾀﾞﾃ広場", "子育"),  # kana never meets kanji: this is a non-match check
    ],
)
def test_kanji_and_kana_stay_different(document, query):
    assert not _matches(document, query)


@pytest.mark.parametrize(
    "variant",
    ["ｺｿﾀﾞﾃ", "コソダテ", "こそだて", "ｺｿﾀﾞﾃ", "コソダテ"],
)
def test_width_and_kana_variants_meet(variant):
    for document in ("こそだて広場", "コソダテ広場", "ｺｿﾀﾞﾃ広場"):
        assert _matches(document, variant)


@pytest.mark.parametrize(
    ("a", "b"),
    [("ＡＢＣ", "abc"), ("１２３", "123"), ("ABC", "abc"), ("イベント", "いべんと"), ("ｲﾍﾞﾝﾄ", "いべんと"),
     ("コンピュ-タ", "こんぴゅーた"), ("サ－ビス", "さーびす")],
)
def test_normalisation(a, b):
    assert normalize(a) == normalize(b) == b


def test_phrases_do_not_match_scattered_bigrams():
    # 子育 and 育て both occur, but not as 子育て: an AND of bigrams would be a false positive.
    assert not _matches("子育児と教育ての話", "子育て")


def test_latin_and_digits_are_words():
    assert token_texts("Wi-Fi 2026年") == ["wi", "fi", "2026", "年"]


@pytest.mark.parametrize(
    "query",
    ['"', '""', "(", ")", "(((子育て", "AND", "OR", "NOT", "*", "**", "子育て*", "子育て AND", "NOT 防災",
     "\x00\x01\x1b", "a" * 5000, "子" * 5000, "'; DROP TABLE x; --", "<script>", "\u200b", "　　", "", "   "],
)
def test_malformed_queries_never_raise(query):
    parsed = parse_query(query)
    assert len(parsed.clauses) <= 10
    assert all(len(c.text) <= 200 for c in parsed.clauses)


def test_operators_are_text_and_long_input_is_capped():
    assert [c.text for c in parse_query("子育て AND 育児").clauses] == ["子育て", "育児"]
    assert parse_query("x" * 5000).truncated


def test_highlight_escapes_and_marks_the_original_text():
    html = highlight("<b>ｺｿﾀﾞﾃ</b>の会", ("こそだて",))
    assert html == "&lt;b&gt;<mark>ｺｿﾀﾞﾃ</mark>&lt;/b&gt;の会"
    long = "あ" * 300 + "防災" + "い" * 300
    excerpt = highlight(long, ("防災",), width=100)
    assert "<mark>防災</mark>" in excerpt and excerpt.startswith("…") and len(excerpt) < 140
