"""Reading a city page: its encoding, its main text without the site's boilerplate, its metadata."""

from datetime import date
from pathlib import Path

import pytest

from search.citypages.extract import decode_html, extract

PAGES = Path(__file__).resolve().parents[2] / "fixtures" / "citysite" / "pages"
TEXT = "<p>児童手当は偶数月に支給します。①申請書 ㈱みどり 髙橋</p>"


@pytest.mark.parametrize(
    ("raw", "content_type", "expected_codec"),
    [
        (f"<meta charset='utf-8'>{TEXT}".encode(), "text/html", "utf-8"),
        (TEXT.encode("cp932"), "text/html", "cp932"),  # Shift_JIS, no declaration anywhere
        (TEXT.encode("cp932"), "text/html; charset=Shift_JIS", "cp932"),  # the label means Windows-31J
        (b'<meta http-equiv="Content-Type" content="text/html; charset=EUC-JP">' + TEXT.replace("①", "").replace("㈱", "").replace("髙", "高").encode("euc_jp"), None, "euc_jp"),
        ("<p>避難所の一覧です。ハザードマップで経路を確かめましょう。</p>".encode("euc_jp"), "text/html", "euc_jp"),
        # The HTTP header wins over a wrong <meta>.
        (b"<meta charset='utf-8'>" + TEXT.encode("cp932"), "text/html; charset=shift_jis", "cp932"),
    ],
)
def test_decode_japanese_encodings(raw, content_type, expected_codec):
    text, codec = decode_html(raw, content_type)
    assert codec == expected_codec
    assert "偶数月" in text or "避難所" in text
    assert "\ufffd" not in text


def test_main_content_without_boilerplate():
    page = extract((PAGES / "kosodate/jidouteate.html").read_text(), "http://city.test/kosodate/jidouteate.html")
    assert page.title == "児童手当"
    assert page.department == "子ども家庭部 子育て支援課"
    assert page.updated_on == date(2026, 11, 1)
    assert "高校生年代までの子どもを養育している方" in page.body
    assert "月額15,000円" in page.body
    for boilerplate in ("くらし・手続き", "サイトマップ", "ホーム", "役に立ちましたか", "Copyright", "保育所", "〒000-0000"):
        assert boilerplate not in page.body, boilerplate


def test_largest_text_block_when_nothing_marks_the_content():
    page = extract((PAGES / "toshokan.html").read_text(), "http://city.test/toshokan.html")
    assert page.title == "図書館の利用案内"  # <title> without the site name
    assert page.body.startswith("市立図書館の開館時間は")
    assert "子育て" not in page.body  # the left menu
    assert page.updated_on == date(2026, 11, 1)


@pytest.mark.parametrize(
    ("html", "department"),
    [
        ("<main><h1>t</h1><p>本文</p><p>担当課：市民部 市民課</p></main>", "市民部 市民課"),
        ("<main><h1>t</h1><dl><dt>担当課</dt><dd>環境部 清掃課</dd><dd>電話：000</dd></dl></main>", "環境部 清掃課"),
        (
            "<main><h1>t</h1></main><div class='contact'><h2>このページに関するお問い合わせ</h2>"
            "<p>〒000-0000 中央1-1</p><p>教育部 中央図書館</p></div>",
            "教育部 中央図書館",
        ),
        ("<main><h1>t</h1><p>お問い合わせ先は以下のとおりです。</p></main>", ""),  # a sentence, not a label
    ],
)
def test_department_blocks(html, department):
    assert extract(f"<html><body>{html}</body></html>", "http://city.test/").department == department


def test_links_are_absolute_and_skip_files_and_mail():
    html = (
        "<html><body><main><a href='a.html#top'>a</a><a href='/b/'>b</a><a href='guide.pdf'>pdf</a>"
        "<a href='mailto:x@example.jp'>mail</a><a href='https://other.example.jp/'>other</a></main></body></html>"
    )
    links = extract(html, "http://city.test/dir/page.html").links
    assert links == ["http://city.test/dir/a.html", "http://city.test/b/", "https://other.example.jp/"]


def test_broken_html_does_not_raise():
    page = extract("<html><body><main><h1>壊れた<p>ページ</main>", "http://city.test/")
    assert "ページ" in page.body or "ページ" in page.title
