"""A resident applies, prints the slip, is verified at the counter and can then post; axe on every page."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import run_axe

DEMO_PASSWORD = "tsunagari-demo-2026"


@pytest.fixture
def demo_server(live_server):
    with live_server.app.app_context():
        from community.core.cli import load_demo

        load_demo()
    return live_server


def _accessible(page):
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.title()
    assert run_axe(page) == [], page.url


def _login(page, server, login_id, password=DEMO_PASSWORD):
    page.goto(server.url + "/login")
    page.get_by_label("ログインID").fill(login_id)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン").click()


def _logout(page):
    page.get_by_role("button", name="ログアウト", exact=True).click()


def test_apply_verify_and_post(page, demo_server):
    server = demo_server
    page.goto(server.url + "/")
    page.get_by_role("link", name="利用申込").first.click()
    _accessible(page)
    page.get_by_label("ログインID").fill("midori-hana")
    page.get_by_label("ニックネーム").fill("みどりのはな")
    page.get_by_label("パスワード", exact=True).fill("ひまわりが咲く夏の朝")
    page.get_by_label("パスワード（確認のためもう一度）").fill("ひまわりが咲く夏の朝")
    page.get_by_label("生年月日").fill("昭和35年4月1日")
    page.get_by_label("地区").select_option(label="北地区")
    page.get_by_label("利用規約とプライバシーポリシーに同意する").check()  # the demo city has published terms
    page.get_by_role("button", name="申し込む").click()

    # The printable slip: the code as large text, a QR code, where to go.
    assert page.get_by_role("heading", name="申込票").is_visible()
    code = page.locator("#application-code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    assert page.get_by_role("img", name=re.compile("QRコード")).is_visible()
    assert page.get_by_role("button", name="この申込票を印刷する").is_visible()
    assert page.get_by_text("中央図書館").first.is_visible()
    _accessible(page)

    page.get_by_role("link", name="マイアカウント").click()
    assert page.get_by_text("まだ必要なこと").is_visible()
    _accessible(page)
    _logout(page)

    # Staff at the counter: look the code up in lower case, record the document kind.
    _login(page, server, "staff-suzuki")
    page.get_by_role("link", name="職員窓口").click()
    _accessible(page)
    page.get_by_role("textbox", name="申込番号").fill(code.lower())
    page.get_by_role("button", name="探す").click()
    assert page.get_by_role("heading", name="みどりのはな").is_visible()
    _accessible(page)
    page.get_by_label("提示された本人確認書類の種類").select_option(label="運転免許証")
    page.get_by_label("施設", exact=True).select_option(label="北公民館")
    page.get_by_label("生年月日が本人確認書類と一致している").check()
    page.get_by_role("button", name="本人確認を記録する").click()
    assert page.get_by_text("本人確認が完了しました").is_visible()
    _accessible(page)
    page.get_by_role("link", name="アカウントの履歴（監査ログ）").click()
    assert page.get_by_role("cell", name="北公民館").is_visible()
    _accessible(page)
    _logout(page)

    # The resident can now post.
    _login(page, server, "midori-hana", "ひまわりが咲く夏の朝")
    assert page.get_by_text("まだ本人確認が済んでいません").count() == 0
    page.get_by_role("link", name="マイアカウント").click()
    assert page.get_by_text("投稿できます").is_visible()
    _accessible(page)


@pytest.mark.parametrize("path", ["/apply", "/password/reset", "/password/forgot", "/login"])
def test_public_account_pages_are_accessible(page, demo_server, path):
    page.goto(demo_server.url + path)
    _accessible(page)


def test_staff_pages_are_accessible(page, demo_server):
    server = demo_server
    _login(page, server, "staff-suzuki")
    page.goto(server.url + "/staff/register")
    _accessible(page)
    page.goto(server.url + "/staff/?name=はなこ&birth_date=1988-07-07")
    page.get_by_role("link", name="はなこ").click()
    _accessible(page)  # a verified member: reset code, suspension forms
    page.get_by_role("button", name="ワンタイムコードを発行する").click()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", page.locator("#one-time-code").inner_text())
    _accessible(page)
    page.get_by_role("link", name="アカウントに戻る").click()
    page.get_by_label("理由（本人に表示されます）").fill("確認のための一時停止です")
    page.get_by_role("button", name="利用停止にする").click()
    assert page.get_by_text("アカウントを利用停止にしました").is_visible()
    _logout(page)

    _login(page, server, "hanako")
    assert page.get_by_role("heading", name="アカウントは利用停止中です").is_visible()
    assert page.get_by_text("確認のための一時停止です").is_visible()
    _accessible(page)
