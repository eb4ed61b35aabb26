"""The nursery-school story in a real browser, and axe on every circle page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.browser.conftest import run_axe

PASSWORD = "tsunagari-demo-2026"


@pytest.fixture
def demo_server(live_server):
    with live_server.app.app_context():
        from community.core.cli import load_demo

        load_demo()
    return live_server


def log_in(page, server, login_id):
    page.goto(server.url + "/login")
    page.get_by_label("ログインID").fill(login_id)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(re.compile(r".*/$"))


def log_out(page):
    page.get_by_role("button", name="ログアウト").click()


def photo_file(tmp_path, name, color):
    from PIL import Image

    path = tmp_path / name
    Image.new("RGB", (320, 240), color).save(path, "JPEG")
    return str(path)


def test_nursery_story(page, demo_server, tmp_path):
    server = demo_server
    # Staff create the secret circle and make two teachers its admins.
    log_in(page, server, "staff-suzuki")
    page.goto(server.url + "/circles/new")
    page.get_by_label("サークル名").fill("さくら保育所 保護者の部屋")
    page.get_by_label("秘密：一覧に出ず、招待されたメンバーだけが参加できます").check()
    page.get_by_role("group", name="トピックを立てられる人").get_by_label("管理者のみ").check()
    page.get_by_label("公式サークル（市が作成）").check()
    page.get_by_label("管理者のログインID").fill("kenta, sachiko")
    assert run_axe(page) == []
    page.get_by_role("button", name="作成する").click()
    assert page.get_by_text("サークルを作成しました。").is_visible()
    circle_url = page.url
    log_out(page)

    # A teacher makes a printed code.
    log_in(page, server, "kenta")
    page.goto(circle_url)
    page.get_by_role("link", name="招待", exact=True).click()
    assert run_axe(page) == []
    page.get_by_label("使える人数").fill("30")
    page.get_by_role("button", name="コードを作る").click()
    code = page.locator(".invite-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{10}", code)
    assert run_axe(page) == []

    # ... and posts the day's walk with three photos.
    page.goto(circle_url)
    page.get_by_role("link", name="トピックを立てる").click()
    page.get_by_label("タイトル").fill("今日はお散歩で公園へ行きました")
    page.get_by_label("本文").fill("ひまわり組のみんなで公園まで歩きました。")
    page.get_by_label("写真（4枚まで）").set_input_files(
        [photo_file(tmp_path, f"{i}.jpg", c) for i, c in enumerate([(200, 0, 0), (0, 200, 0), (0, 0, 200)])]
    )
    page.get_by_label("写真の説明").fill("公園でのお散歩")
    assert run_axe(page) == []
    page.get_by_role("button", name="投稿する").click()
    assert page.get_by_text("トピックを投稿しました。").is_visible()
    topic_url = page.url.split("#")[0]
    photo_urls = [server.url + src for src in page.locator(".photo-grid img").evaluate_all("els => els.map(e => e.getAttribute('src'))")]
    assert len(photo_urls) == 3
    log_out(page)

    # A parent joins with the printed code, reads and comments.
    log_in(page, server, "yoshiko")
    page.goto(server.url + "/circles/")
    page.get_by_role("link", name="招待コードで参加する").click()
    page.get_by_label("招待コード").fill(code.lower())
    page.get_by_role("button", name="サークルに参加する").click()
    assert page.get_by_text("さくら保育所 保護者の部屋に参加しました。").is_visible()
    assert page.get_by_text("このサークルでは、トピックを立てられるのは管理者だけです。").is_visible()
    page.get_by_role("link", name="今日はお散歩で公園へ行きました").click()
    assert page.locator(".photo-grid img").count() == 3
    page.get_by_role("textbox", name="コメント").fill("楽しそうですね。ありがとうございます。")
    page.get_by_role("button", name="コメントする").click()
    assert page.get_by_text("楽しそうですね。ありがとうございます。").is_visible()
    assert run_axe(page) == []
    log_out(page)

    # An outsider finds nothing: not in the listing, not by URL, not the photos.
    log_in(page, server, "makoto")
    page.goto(server.url + "/circles/")
    assert "さくら保育所" not in page.content()
    assert run_axe(page) == []
    for url in [circle_url, topic_url, *photo_urls]:
        response = page.goto(url)
        assert response.status == 404, url
    log_out(page)
    for url in [circle_url, topic_url, *photo_urls]:
        assert page.goto(url).status == 404, url


@pytest.mark.parametrize("login_id", [None, "hanako", "kenta", "sora"])  # sora: 中学生以下
def test_circle_pages_have_no_accessibility_violations(page, demo_server, login_id):
    server = demo_server
    with server.app.app_context():
        from community.circles.models import Circle, Event, Topic
        from community.extensions import db

        nursery = db.session.scalar(select(Circle).where(Circle.name == "ひまわり保育所 保護者の部屋"))
        public = db.session.scalar(select(Circle).where(Circle.name == "東地区 少年野球を応援する会"))
        private = db.session.scalar(select(Circle).where(Circle.name == "北公民館 書道の会"))
        topic = db.session.scalar(select(Topic).where(Topic.circle_id == nursery.id).order_by(Topic.id))
        event = db.session.scalar(select(Event).where(Event.circle_id == public.id))
        paths = ["/circles/", "/circles/events", f"/circles/{public.id}", f"/circles/{private.id}",
                 f"/circles/events/{event.id}"]
        if login_id:
            paths += ["/circles/mine", "/circles/code", "/circles/new", f"/circles/{private.id}/request"]
        if login_id == "sora":  # a pupil: the request form greys out its message; no circle to create
            paths.remove("/circles/new")
        if login_id == "kenta":
            nursery_event = db.session.scalar(select(Event).where(Event.circle_id == nursery.id))
            paths += [f"/circles/{nursery.id}", f"/circles/topics/{topic.id}", f"/circles/{nursery.id}/members",
                      f"/circles/{nursery.id}/invite?q=はなこ", f"/circles/{nursery.id}/settings",
                      f"/circles/{nursery.id}/topics/new", f"/circles/{nursery.id}/events/new",
                      f"/circles/events/{nursery_event.id}/participants"]
    if login_id:
        log_in(page, server, login_id)
    for path in paths:
        response = page.goto(server.url + path)
        assert response.status == 200, path
        assert page.locator("html").get_attribute("lang") == "ja"
        assert run_axe(page) == [], path
