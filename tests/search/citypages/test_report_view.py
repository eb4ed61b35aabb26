"""/staff/citypages: the last crawl's report, for those who run the site or publish official information."""

from __future__ import annotations

from datetime import timedelta

import pytest

from community.core.database import utcnow
from community.extensions import db
from search.citypages.models import CityPage, CrawlRun

URL = "/staff/citypages/"


@pytest.mark.parametrize(
    ("role", "status", "expected"),
    [
        (None, None, "/login"),
        ("member", "verified", 403),
        ("member", "applied", 403),
        ("supporter", "verified", 403),
        ("staff", "verified", 200),
        ("admin", "verified", 200),
        ("staff", "suspended", "/suspended"),  # the account's own page says why, never the report
    ],
)
def test_who_may_see_the_crawl_report(client, auth, make_user, role, status, expected):
    if role:
        auth.login(make_user(role=role, status=status))
    response = client.get(URL)
    if isinstance(expected, str):
        assert response.status_code == 302
        assert expected in response.headers["Location"]
    else:
        assert response.status_code == expected


def test_report_shows_the_last_crawl_in_japanese(client, auth, make_user):
    now = utcnow()
    db.session.add_all(
        [
            CrawlRun(start_url="https://www.city.example.jp/", started_at=now - timedelta(days=1), finished_at=now,
                     pages_fetched=90, pages_new=90),
            CrawlRun(
                start_url="https://www.city.example.jp/sitemap.xml",
                started_at=now,
                finished_at=now,
                pages_fetched=120,
                pages_new=3,
                pages_updated=5,
                pages_unchanged=110,
                pages_removed=2,
                skipped_by_robots=4,
                errors=[
                    {"url": "https://www.city.example.jp/old.html", "message": "HTTP 404"},
                    {"url": "https://www.city.example.jp/slow.html", "message": "timed out"},
                    {"url": "https://www.city.example.jp/<b>x</b>", "message": "ValueError: <script>"},
                ],
            ),
            CityPage(url="https://www.city.example.jp/a.html", title="a"),
            CityPage(url="https://www.city.example.jp/b.html", title="b", removed_at=now),
        ]
    )
    db.session.commit()
    auth.login(make_user(role="staff"))
    html = client.get(URL).get_data(as_text=True)
    assert "市のページの取り込み" in html
    assert "https://www.city.example.jp/sitemap.xml" in html
    for label, value in (("新しいページ", 3), ("更新されたページ", 5), ("robots.txt", 4)):
        assert label in html
        assert f"<dd>{value}</dd>" in html
    assert "リンク切れ" in html  # the 404, explained
    assert "時間内に応答しませんでした" in html
    assert "&lt;script&gt;" in html and "<script>" not in html.split("</head>")[1]
    assert "以前の取り込み" in html  # the earlier run, in the history table
    assert "検索できる市のページ：1件" in html


def test_report_before_any_crawl(client, auth, make_user):
    auth.login(make_user(role="admin"))
    assert "まだ取り込みを行っていません" in client.get(URL).get_data(as_text=True)
