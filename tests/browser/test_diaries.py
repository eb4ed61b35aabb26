"""A member writes a diary entry with a photo in a real browser; a friend reads it. Pages pass axe."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image

from community.accounts.models import User, normalize_login_id
from community.accounts.passwords import hash_password
from community.core.database import utcnow
from community.extensions import db
from community.social.models import Friendship
from tests.browser.conftest import run_axe

PASSWORD = "correct horse battery"


@pytest.fixture
def people(live_server):
    with live_server.app.app_context():
        password_hash = hash_password(PASSWORD)
        users = {}
        for login_id, nickname in (("writer", "はなこ"), ("reader", "けんた")):
            users[login_id] = User(login_id=login_id, login_key=normalize_login_id(login_id), nickname=nickname,
                                   password_hash=password_hash, birth_date=date(1985, 5, 5), status="verified")
            db.session.add(users[login_id])
        db.session.flush()
        db.session.add(Friendship(requester_id=users["writer"].id, addressee_id=users["reader"].id,
                                  status="accepted", accepted_at=utcnow()))
        db.session.commit()
        return {k: v.id for k, v in users.items()}


def log_in(page, server, login_id):
    page.goto(server.url + "/login")
    page.fill("input[name=login_id]", login_id)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def log_out(page):
    page.locator(".account-nav form button").click()
    page.wait_for_load_state()


def test_write_with_photo_and_read_as_friend(page, live_server, people, tmp_path):
    photo = tmp_path / "undoukai.jpg"
    out = io.BytesIO()
    Image.new("RGB", (1600, 1200), (200, 120, 40)).save(out, "JPEG")
    photo.write_bytes(out.getvalue())

    log_in(page, live_server, "writer")
    page.goto(live_server.url + "/diaries/new")
    assert run_axe(page) == []
    page.fill("input[name=title]", "運動会でした")
    page.fill("textarea[name=body]", "リレーで一等賞！\nhttps://example.jp/undoukai")
    page.check("input[name=visibility][value=friends]")
    assert "友達（1人）と自分だけが読めます" in page.locator("[data-readers-now]").inner_text()
    page.set_input_files("input[name=photos]", str(photo))
    page.get_by_role("button", name="投稿する").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "運動会でした"
    assert run_axe(page) == []
    entry_url = page.url.split("?")[0]
    log_out(page)

    log_in(page, live_server, "reader")
    page.goto(live_server.url + "/diaries/friends")
    assert run_axe(page) == []
    page.get_by_role("link", name="運動会でした").click()
    page.wait_for_load_state()
    assert page.url.split("?")[0] == entry_url
    image = page.locator(".diary-photos img")
    assert image.evaluate("img => img.complete && img.naturalWidth") == 1280
    assert page.locator(".diary-body a[rel='nofollow ugc noopener']").count() == 1
    page.fill("textarea[name=body]", "おめでとうございます！")
    page.get_by_role("button", name="コメントする").click()
    page.wait_for_load_state()
    assert "おめでとうございます！" in page.locator("#comments").inner_text()
    assert run_axe(page) == []
    log_out(page)

    # The writer sees the comment in notifications (unread count in the header).
    log_in(page, live_server, "writer")
    assert "未読 1件" in page.locator(".account-nav").inner_text()
    page.goto(live_server.url + "/notifications")
    assert run_axe(page) == []
    page.get_by_role("button", name="けんたさんが、あなたの日記「運動会でした」にコメントしました。").click()
    page.wait_for_load_state()
    assert page.url.split("#")[0] == entry_url


@pytest.mark.parametrize("path", ["/diaries", "/diaries/settings", "/diaries/lists/new", "/notifications/settings",
                                  "member"])
def test_diary_pages_pass_axe(page, live_server, people, path):
    log_in(page, live_server, "writer")
    if path == "member":
        path = f"/diaries/members/{people['writer']}"
    page.goto(live_server.url + path)
    assert page.locator("html").get_attribute("lang") == "ja"
    assert run_axe(page) == []
