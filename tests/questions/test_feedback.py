"""「このページは役に立ちましたか」 on FAQ entries and city pages, and the staff report."""

from __future__ import annotations

from datetime import date

import pytest

from community.extensions import db
from community.questions.models import PageFeedback
from search.citypages.models import CityPage


def _rows():
    db.session.expire_all()
    return db.session.scalars(db.select(PageFeedback).order_by(PageFeedback.id)).all()


@pytest.fixture
def faq(people, make_faq):
    return make_faq(people["kosodate"], title="児童手当の申請期限", answer="15日以内です。")


@pytest.fixture
def city_page(app):
    page = CityPage(url="https://www.city.example.jp/kosodate/jidouteate.html", title="児童手当について",
                    body="児童手当の案内です。\n申請は子育て支援課へ。", department="子育て支援課",
                    page_updated_on=date(2026, 4, 1))
    db.session.add(page)
    db.session.commit()
    return page


def test_anonymous_vote_once_per_session(client, faq):
    page = client.get(f"/faq/{faq.id}").get_data(as_text=True)
    assert "このページは役に立ちましたか" in page
    r = client.post(f"/feedback/faq/{faq.id}", data={"helpful": "yes", "next": f"/faq/{faq.id}"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/faq/{faq.id}#page-feedback")
    again = client.post(f"/feedback/faq/{faq.id}", data={"helpful": "no", "comment": "二回目", "next": f"/faq/{faq.id}"},
                        follow_redirects=True)
    assert again.status_code == 200
    assert "ご意見ありがとうございました。" in again.get_data(as_text=True)
    assert [(r.helpful, r.user_id) for r in _rows()] == [(True, None)]  # a second click adds no row
    assert 'name="helpful"' not in again.get_data(as_text=True)  # the widget now just says thanks
    # Another browser (a new session) may vote on the same page.
    other = client.application.test_client()
    other.post(f"/feedback/faq/{faq.id}", data={"helpful": "no"})
    assert len(_rows()) == 2


def test_city_page_shows_widget_and_takes_a_vote(client, auth, people, city_page):
    html = client.get(f"/city-pages/{city_page.id}").get_data(as_text=True)
    assert "児童手当について" in html and "このページは役に立ちましたか" in html
    assert "市のサイトで見る" in html and f'href="{city_page.url}"' in html
    auth.login(people["member"])
    r = client.post(f"/feedback/citypage/{city_page.id}",
                    data={"helpful": "no", "comment": "申請書の様式がほしい", "next": f"/city-pages/{city_page.id}"})
    assert r.status_code == 302
    (row,) = _rows()
    assert (row.target_kind, row.helpful, row.comment, row.user_id) == ("citypage", False, "申請書の様式がほしい",
                                                                         people["member"].id)


def test_removed_city_page_and_unknown_kinds_take_no_feedback(client, city_page, faq):
    from community.core.database import utcnow

    city_page.removed_at = utcnow()
    db.session.commit()
    assert client.get(f"/city-pages/{city_page.id}").status_code == 404
    assert client.post(f"/feedback/citypage/{city_page.id}", data={"helpful": "yes"}).status_code == 404
    assert client.post(f"/feedback/diary/{faq.id}", data={"helpful": "yes"}).status_code == 404
    assert client.post("/feedback/faq/99999", data={"helpful": "yes"}).status_code == 404
    assert _rows() == []


@pytest.mark.parametrize("data, message", [
    ({}, "「はい」か「いいえ」を選んでください。"),
    ({"helpful": "maybe"}, ""),
    ({"helpful": "no", "comment": "長" * 501}, "500文字以内で入力してください。"),
])
def test_bad_feedback_is_a_clear_400(client, faq, data, message):
    r = client.post(f"/feedback/faq/{faq.id}", data={**data, "next": f"/faq/{faq.id}"})
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert message in html
    if "comment" in data:
        assert data["comment"] in html  # kept for the user to shorten
    assert _rows() == []


def test_open_redirect_is_refused(client, faq):
    r = client.post(f"/feedback/faq/{faq.id}", data={"helpful": "yes", "next": "https://evil.example/"})
    assert r.headers["Location"].endswith(f"/faq/{faq.id}#page-feedback")


def test_report_least_helpful_first_with_escaped_comments(client, auth, people, faq, city_page, make_faq):
    good = make_faq(people["kosodate"], title="よく読まれる案内", answer="a")
    rows = [("faq", faq.id, True, ""), ("faq", faq.id, False, "<script>alert(1)</script>書類が知りたい"),
            ("citypage", city_page.id, False, "わかりにくい"), ("citypage", city_page.id, False, ""),
            ("faq", good.id, True, ""), ("faq", good.id, True, "助かりました"), ("faq", good.id, True, "")]
    for n, (kind, target, helpful, comment) in enumerate(rows):
        db.session.add(PageFeedback(target_kind=kind, target_id=target, helpful=helpful, comment=comment,
                                    session_key=f"k{n}"))
    db.session.commit()
    auth.login(people["member"])
    assert client.get("/staff/feedback").status_code == 403
    auth.logout()
    auth.login(people["other_staff"])
    html = client.get("/staff/feedback").get_data(as_text=True)
    order = [html.index(t) for t in ("児童手当について", "児童手当の申請期限", "よく読まれる案内")]
    assert order == sorted(order)  # 0% helpful, then 50%, then 100%
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;書類が知りたい" in html
    most = client.get("/staff/feedback", query_string={"sort": "most_votes"}).get_data(as_text=True)
    assert most.index("よく読まれる案内") < most.index("児童手当について")  # 3 answers before 2
    assert "0%" in html and "50%" in html and "100%" in html


class TestRateLimit:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "RATELIMIT_ENABLED": True, "FEEDBACK_RATE_LIMIT": "3 per minute"}

    def test_feedback_is_rate_limited(self, client, people, make_faq):
        entries = [make_faq(people["kosodate"], title=f"案内{i}") for i in range(4)]
        codes = []
        for entry in entries:
            other = client.application.test_client()  # new sessions: only the per-address limit stops them
            codes.append(other.post(f"/feedback/faq/{entry.id}", data={"helpful": "yes"}).status_code)
        assert codes == [302, 302, 302, 429]
        assert len(_rows()) == 3
