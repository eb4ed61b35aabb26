"""A department posts, corrects (訂正) and withdraws in a real browser; a follower reads it.
Every page passes axe (WCAG 2.2 A/AA)."""

from __future__ import annotations

from datetime import date

import pytest

from community.accounts.models import User, normalize_login_id
from community.accounts.passwords import hash_password
from community.extensions import db
from community.official.models import OfficialAccount, OfficialAccountMember
from tests.browser.conftest import run_axe

PASSWORD = "correct horse battery"


@pytest.fixture
def world(live_server):
    with live_server.app.app_context():
        password_hash = hash_password(PASSWORD)
        users = {}
        for login_id, nickname, role in (("bousai-staff", "鈴木", "staff"), ("resident", "はなこ", "member"),
                                         ("site-admin", "管理者", "admin")):
            users[login_id] = User(login_id=login_id, login_key=normalize_login_id(login_id), nickname=nickname,
                                   password_hash=password_hash, birth_date=date(1985, 5, 5), status="verified",
                                   role=role)
            db.session.add(users[login_id])
        db.session.flush()
        account = OfficialAccount(name="防災課", slug="bousai", description="暮らしの安全に関する情報をお知らせします。")
        account.members = [OfficialAccountMember(user_id=users["bousai-staff"].id)]
        db.session.add(account)
        db.session.commit()
        return {"account_id": account.id}


def log_in(page, server, login_id):
    page.goto(server.url + "/login")
    page.fill("input[name=login_id]", login_id)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def log_out(page):
    page.locator(".account-nav form button").click()
    page.wait_for_load_state()


def test_post_correct_and_read_as_a_follower(page, live_server, world):
    server = live_server.url
    log_in(page, live_server, "resident")
    page.goto(server + "/official/bousai")
    assert run_axe(page) == []
    page.get_by_role("button", name="フォローする").click()
    page.wait_for_load_state()
    assert page.get_by_text("フォロワー 1人").is_visible()
    log_out(page)

    log_in(page, live_server, "bousai-staff")
    page.goto(server + "/official/posts/new")
    assert run_axe(page) == []
    page.fill("input[name=title]", "防災訓練のお知らせ")
    page.fill("textarea[name=body]", "11月30日に市内一斉防災訓練を行います。")
    page.get_by_role("button", name="公開する").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text().startswith("防災訓練のお知らせ")
    assert page.locator(".official-badge").first.is_visible()
    post_url = page.url

    page.get_by_role("link", name="この投稿を訂正する").click()
    page.wait_for_load_state()
    page.fill("textarea[name=body]", "12月1日に市内一斉防災訓練を行います。")
    page.get_by_role("button", name="訂正を公開する").click()  # no note yet
    page.wait_for_load_state()
    assert page.locator("#note-error").is_visible()
    assert page.locator("textarea[name=body]").input_value() == "12月1日に市内一斉防災訓練を行います。"
    assert run_axe(page) == []
    page.fill("textarea[name=note]", "日付を訂正しました")
    page.get_by_role("button", name="訂正を公開する").click()
    page.wait_for_load_state()
    assert page.get_by_text("訂正あり").first.is_visible()
    log_out(page)

    log_in(page, live_server, "resident")
    page.goto(server + "/")
    assert page.get_by_role("link", name="防災訓練のお知らせ").is_visible()
    page.goto(post_url)
    assert page.get_by_role("heading", name="訂正の履歴").is_visible()
    assert page.locator(".official-diff del").first.inner_text().endswith("11")
    assert run_axe(page) == []
    log_out(page)

    log_in(page, live_server, "bousai-staff")
    page.goto(post_url)
    page.get_by_role("link", name="この投稿を取り下げる").click()
    page.wait_for_load_state()
    assert run_axe(page) == []
    page.fill("textarea[name=reason]", "日程を見直すため")
    page.get_by_role("button", name="投稿を取り下げる").click()
    page.wait_for_load_state()
    assert page.get_by_text("この投稿は取り下げられました").is_visible()
    assert page.get_by_text("日程を見直すため").is_visible()
    assert run_axe(page) == []


def test_admin_screens_pass_axe(page, live_server, world):
    log_in(page, live_server, "site-admin")
    page.goto(live_server.url + "/official/admin/")
    assert run_axe(page) == []
    page.goto(live_server.url + f"/official/admin/{world['account_id']}")
    assert run_axe(page) == []
    page.fill("input[name=login_id]", "resident")
    page.get_by_role("button", name="追加する").click()
    page.wait_for_load_state()
    assert "公式アカウントに追加できるのは" in page.locator("#login_id-error").inner_text()
    assert page.locator("input[name=login_id]").input_value() == "resident"
    assert run_axe(page) == []
