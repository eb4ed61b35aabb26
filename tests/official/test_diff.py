"""The correction history's "what changed" markup."""

from __future__ import annotations

from community.official.diff import MAX_PIECES, inline_diff


def _plain(markup) -> str:
    import re

    return re.sub(r'<span class="visually-hidden">[^<]*</span>', "", str(markup))


def test_numbers_change_as_a_whole_and_untouched_sentences_stay_plain(app):
    with app.test_request_context():
        html = _plain(inline_diff("11月30日に行います。雨天決行です。\n<会場>", "12月1日に行います。雨天決行です。\n<会場>"))
    assert html == "<del>11</del><ins>12</ins>月<del>30</del><ins>1</ins>日に行います。雨天決行です。<br>\n&lt;会場&gt;"


def test_added_and_removed_lines(app):
    with app.test_request_context():
        html = _plain(inline_diff("一行目\n二行目", "一行目\n三行目を足しました\n四行目"))
    assert html == "一行目<br>\n<del>二行目</del><br>\n<ins>三行目を足しました</ins><br>\n<ins>四行目</ins>"


def test_a_long_changed_sentence_is_shown_whole_instead_of_compared_piece_by_piece(app):
    old = "あ" * 300 + "い" * 300  # one sentence, no 。: 600 pieces, 600 × 601 > MAX_PIECES
    new = "あ" * 300 + "う" + "い" * 300
    assert 600 * 601 > MAX_PIECES
    with app.test_request_context():
        html = _plain(inline_diff(old, new))
    assert html == f"<del>{old}</del><ins>{new}</ins>"
