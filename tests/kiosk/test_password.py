"""Changing one's password at a kiosk: the kiosk's own screen, within the kiosk's rules."""

from __future__ import annotations

from sqlalchemy import func, select

from community.accounts.models import UserSession
from community.accounts.passwords import check_password
from community.extensions import db
from tests.conftest import PASSWORD

NEW = "ひまわりが咲く夏の朝"


def _login(client, user):
    return client.post("/kiosk/login", data={"login_id": user.login_id, "password": PASSWORD})


def test_kiosk_home_offers_password_change_and_the_ordinary_page_leads_to_the_kiosk_one(client, enrol, member):
    enrol()
    _login(client, member)
    assert 'href="/kiosk/password"' in client.get("/kiosk/home").get_data(as_text=True)
    response = client.get("/account/password")
    assert response.status_code == 303  # never the ordinary page on a kiosk


def test_kiosk_password_form_keeps_nothing_and_is_not_stored(client, enrol, member):
    enrol()
    _login(client, member)
    response = client.get("/kiosk/password")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "パスワードを変える" in html
    assert response.headers["Cache-Control"] == "no-store"
    assert "current-password" not in html and "new-password" not in html
    assert html.count('autocomplete="off"') >= 4  # the form and its three fields
    assert "yoshiko@example.jp" not in html


def test_kiosk_password_change_ends_other_sessions_and_keeps_the_kiosk_visit(app, client, enrol, member):
    enrol()
    phone = app.test_client()
    phone.post("/login", data={"login_id": member.login_id, "password": PASSWORD})
    _login(client, member)
    response = client.post("/kiosk/password", data={
        "current_password": PASSWORD, "password": NEW, "password_again": NEW})
    assert response.status_code == 200 and "パスワードを変更しました" in response.get_data(as_text=True)
    db.session.expire_all()
    assert check_password(member.password_hash, NEW)
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 1
    assert client.get("/kiosk/home").status_code == 200
    assert "ログイン中" not in phone.get("/").get_data(as_text=True)


def test_kiosk_wrong_current_password_is_a_400_with_a_japanese_message(client, enrol, member):
    enrol()
    _login(client, member)
    response = client.post("/kiosk/password", data={
        "current_password": "wrong password!", "password": NEW, "password_again": NEW})
    assert response.status_code == 400
    assert "現在のパスワードが正しくありません" in response.get_data(as_text=True)
    db.session.expire_all()
    assert check_password(member.password_hash, PASSWORD)


def test_kiosk_password_page_needs_login(client, enrol):
    enrol()
    response = client.get("/kiosk/password")
    assert response.status_code == 303 and response.headers["Location"].endswith("/kiosk/login")
