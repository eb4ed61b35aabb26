"""リーチ分析 in a real browser: a reader's visit is counted, the circle's owner reads the charts and
the suggestion; axe finds nothing, and the page fits a phone without sideways scrolling."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from community.accounts.models import User, normalize_login_id
from community.accounts.passwords import hash_password
from community.circles.models import Circle, CircleMembership, Post, Topic
from community.core.database import utcnow
from community.extensions import db
from community.reach import services
from tests.browser.conftest import run_axe

PASSWORD = "correct horse battery"


@pytest.fixture
def circle_world(live_server):
    app = live_server.app
    with app.app_context():
        password_hash = hash_password(PASSWORD)
        ids = {}
        for login_id, nickname, birth in (("owner", "代表さん", date(1975, 3, 3)), ("reader", "読む人", date(1990, 7, 7))):
            user = User(login_id=login_id, login_key=normalize_login_id(login_id), nickname=nickname,
                        password_hash=password_hash, birth_date=birth, status="verified", role="member")
            db.session.add(user)
            db.session.flush()
            ids[login_id] = user.id
        circle = Circle(name="朝の体操クラブ", created_by_id=ids["owner"])
        db.session.add(circle)
        db.session.flush()
        db.session.add(CircleMembership(circle_id=circle.id, user_id=ids["owner"], role="owner"))
        topic = Topic(circle_id=circle.id, author_id=ids["owner"], title="来週の集合場所", created_at=utcnow(),
                      last_posted_at=utcnow())
        db.session.add(topic)
        db.session.flush()
        db.session.add(Post(topic_id=topic.id, circle_id=circle.id, author_id=ids["owner"], body="公園の東口です"))
        db.session.commit()
        ids.update(circle=circle.id, topic=topic.id)
        # Earlier readers, so that the charts and the suggestion have something to show.
        yesterday = utcnow() - timedelta(days=1)
        for band, n in (("60s", 24), ("70plus", 9), ("30s", 2)):
            for _ in range(n):
                services.add_view("circle_topic", topic.id, "circle", circle.id, band, yesterday)
    return ids


def log_in(page, server, login_id):
    page.context.clear_cookies()
    page.goto(server.url + "/login")
    page.get_by_label("ログインID").fill(login_id)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()


def test_owner_reads_reach_after_a_visit(page, live_server, circle_world):
    url = live_server.url
    log_in(page, live_server, "reader")
    page.goto(f"{url}/circles/topics/{circle_world['topic']}")
    assert page.get_by_text("公園の東口です").is_visible()

    log_in(page, live_server, "owner")
    page.goto(f"{url}/circles/{circle_world['circle']}/reach")
    assert page.get_by_role("heading", name="朝の体操クラブ のリーチ分析").is_visible()
    # 35 earlier views and the reader's one.
    assert page.get_by_text("合計 36 回閲覧されました").is_visible()
    assert page.get_by_role("cell", name="来週の集合場所").is_visible()
    assert page.locator("svg[role=img]").count() == 4
    # 30代 (2 views, and the reader's 1) stays hidden: 3 is under 5.
    band_row = page.get_by_role("row", name="30代")
    assert "表示しません" in band_row.inner_text()
    assert page.locator("html").get_attribute("lang") == "ja"
    assert run_axe(page) == []

    page.get_by_label("投稿時間の提案の対象（読者層）").select_option(label="60代")
    page.get_by_role("button", name="表示する").click()
    assert page.get_by_text("この層（60代）がよく読む時間帯:").is_visible()
    assert run_axe(page) == []

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
