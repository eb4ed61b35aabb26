"""マイアカウント in a real browser: change the password, add and confirm an e-mail address; a staff
member sets up two-factor sign-in and cannot sign in without the code. axe on every page."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from community.core.mail import MailMessage
from community.extensions import db
from tests.browser.conftest import run_axe

DEMO_PASSWORD = "tsunagari-demo-2026"
NEW_PASSWORD = "あさがおが咲く秋の朝"


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


def _link_sent_to(server, address: str) -> str:
    with server.app.app_context():
        body = db.session.scalars(
            select(MailMessage.body).where(MailMessage.recipient == address).order_by(MailMessage.id.desc())
        ).first()
    return re.search(r"(/account/email/confirm/[A-Za-z0-9_-]+)", body).group(1)


def test_member_changes_password_and_email_and_confirms_it(page, demo_server):
    server = demo_server
    _login(page, server, "hanako")
    page.get_by_role("link", name="マイアカウント").click()
    page.get_by_role("link", name="パスワードを変える").click()
    _accessible(page)
    page.get_by_label("現在のパスワード").fill("wrong password!")
    page.get_by_label("新しいパスワード", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("新しいパスワード（確認のためもう一度）").fill(NEW_PASSWORD)
    page.get_by_role("button", name="パスワードを変更する").click()
    assert page.get_by_text("現在のパスワードが正しくありません").is_visible()
    _accessible(page)
    page.get_by_label("現在のパスワード").fill(DEMO_PASSWORD)
    page.get_by_label("新しいパスワード", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("新しいパスワード（確認のためもう一度）").fill(NEW_PASSWORD)
    page.get_by_role("button", name="パスワードを変更する").click()
    assert page.get_by_text("パスワードを変更しました").is_visible()

    page.get_by_role("link", name="メールアドレスを追加・変更・削除する").click()
    _accessible(page)
    page.get_by_label("新しいメールアドレス").fill("hanako@example.jp")
    page.get_by_label("現在のパスワード").fill(NEW_PASSWORD)
    page.get_by_role("button", name="確認のリンクを送る").click()
    assert page.get_by_text("hanako@example.jp にリンクを送りました").is_visible()
    assert page.locator("#pending-email").is_visible()
    _accessible(page)

    page.goto(server.url + _link_sent_to(server, "hanako@example.jp"))
    _accessible(page)
    page.get_by_role("button", name="このアドレスを確認する").click()
    assert page.get_by_text("メールアドレスを確認しました").is_visible()
    assert "hanako@example.jp" in page.locator("#current-email").inner_text()
    assert "確認済み" in page.locator("#current-email").inner_text()
    _logout(page)

    # The old password no longer works; the new one does.
    _login(page, server, "hanako")
    assert page.get_by_text("ログインIDまたはパスワードが正しくありません").is_visible()
    _login(page, server, "hanako", NEW_PASSWORD)
    assert page.get_by_text("はなこさんでログイン中").is_visible()


def test_staff_enrols_two_factor_and_cannot_sign_in_without_the_code(page, demo_server):
    server = demo_server
    server.app.config["TWO_FACTOR_REQUIRED"] = True
    _login(page, server, "staff-suzuki")
    # Sent straight to the set-up; staff pages wait until it is done.
    assert page.get_by_role("heading", name="2段階認証の設定").is_visible()
    page.goto(server.url + "/staff/")
    assert page.get_by_role("heading", name="2段階認証の設定").is_visible()
    assert page.get_by_role("img", name="認証アプリ用のQRコード").is_visible()
    _accessible(page)
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    page.get_by_label("アプリにいま表示されている6けたのコード").fill(totp.now())
    page.get_by_role("button", name="2段階認証を有効にする").click()
    assert page.get_by_role("heading", name="2段階認証を有効にしました").is_visible()
    assert page.locator("#recovery-codes li").count() == 10
    _accessible(page)
    _logout(page)

    # The password alone no longer signs in.
    _login(page, server, "staff-suzuki")
    assert page.get_by_role("heading", name="ログイン用のコードを入力").is_visible()
    _accessible(page)
    page.goto(server.url + "/staff/")
    assert page.url.startswith(server.url + "/login")
    page.goto(server.url + "/login/code")
    page.get_by_label("認証アプリのコード、または回復コード").fill("000000" if totp.now() != "000000" else "111111")
    page.get_by_role("button", name="ログイン").click()
    assert page.get_by_text("コードが正しくありません").is_visible()
    _accessible(page)
    # The code of the next step: the current one was used at set-up, and one step of skew is fine.
    page.get_by_label("認証アプリのコード、または回復コード").fill(totp.at(int(time.time()) + 30))
    page.get_by_role("button", name="ログイン").click()
    assert page.get_by_text("鈴木（市民協働課）さんでログイン中").is_visible()
    page.goto(server.url + "/staff/")
    assert page.url == server.url + "/staff/"
