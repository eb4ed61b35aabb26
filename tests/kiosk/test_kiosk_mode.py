"""What an enrolled PC does on every request: kiosk layout, no way out, no-store, nothing left behind."""

from __future__ import annotations

import time

import pytest
from flask import g
from sqlalchemy import func, select

from community.accounts.models import UserSession
from community.announcements.models import Announcement
from community.core.database import utcnow
from community.extensions import db
from kiosk.device import COOKIE, PREFS_COOKIE, is_kiosk_request

PASSWORD = "correct horse battery"


def login(client, user, password=PASSWORD):
    return client.post("/kiosk/login", data={"login_id": user.login_id, "password": password})


def cookie_header(response, name):
    return next((h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")), None)


def test_without_enrolment_there_are_no_kiosk_screens(client):
    assert client.get("/kiosk/").status_code == 404
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/", "/kiosk/"),
        ("/login", "/kiosk/login"),
        ("/announcements/", "/kiosk/announcements"),
        ("/help", "/kiosk/help"),
        ("/contact", "/kiosk/"),
        ("/staff/kiosks/", "/kiosk/"),
        ("/no-such-page", "/kiosk/"),
    ],
)
def test_ordinary_pages_lead_back_into_kiosk_mode(client, enrol, path, target):
    enrol()
    response = client.get(path)
    assert response.status_code == 303
    assert response.headers["Location"] == target


def test_welcome_screen_has_the_facility_and_the_four_choices(client, enrol):
    enrol()
    text = client.get("/kiosk/").get_data(as_text=True)
    assert "中央図書館" in text
    for label in ("ログイン", "はじめての方（利用申込）", "市のお知らせを見る"):
        assert label in text
    assert "困ったときは" in text  # how to ask staff
    assert 'href="/"' not in text and 'href="/login"' not in text  # no link into the ordinary layout


def test_every_kiosk_page_is_no_store(client, enrol, member):
    enrol()
    for path in ("/kiosk/", "/kiosk/login", "/kiosk/announcements", "/kiosk/help", "/kiosk/apply"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
    login(client, member)
    home = client.get("/kiosk/home")
    assert home.headers["Cache-Control"] == "no-store"
    assert client.get("/kiosk/nothing-here").headers["Cache-Control"] == "no-store"


def test_login_form_has_no_remember_me_and_no_autofill(client, enrol):
    enrol()
    text = client.get("/kiosk/login").get_data(as_text=True)
    assert "remember" not in text.lower()
    assert 'autocomplete="off"' in text
    assert 'name="login_id" required type="text" value=""' in text or 'value=""' in text


def test_login_then_home_shows_few_large_choices_and_no_contact_details(client, enrol, member):
    enrol()
    response = login(client, member)
    assert response.status_code == 303 and response.headers["Location"] == "/kiosk/home"
    text = client.get("/kiosk/home").get_data(as_text=True)
    assert "よしこ" in text
    assert "お知らせ" in text and "おわる" in text
    assert "yoshiko@example.jp" not in text
    # The sign-in is a session cookie only: no persistent "remember me" cookie.
    assert not any("remember_token" in h for h in response.headers.getlist("Set-Cookie"))
    assert "Expires" not in (cookie_header(response, "tsunagari_session") or "")


def test_wrong_password_gives_a_plain_message_and_counts_per_account(client, enrol, member):
    enrol()
    response = login(client, member, password="wrong password!")
    assert response.status_code == 400
    assert "ログインIDかパスワードが" in response.get_data(as_text=True)


def test_logout_ends_the_server_session_and_clears_the_browser_but_keeps_the_enrolment(client, enrol, member):
    device = enrol()
    login(client, member)
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 1
    client.post("/kiosk/prefs/furigana", data={"next": "/kiosk/home"})
    response = client.post("/kiosk/logout")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/kiosk/?ended=logout&handoff=")
    assert response.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert response.headers["Cache-Control"] == "no-store"
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 0
    # Also deleted by name, for browsers without Clear-Site-Data.
    assert cookie_header(response, "tsunagari_session").startswith("tsunagari_session=;")
    assert cookie_header(response, PREFS_COOKIE).startswith(f"{PREFS_COOKIE}=;")
    assert cookie_header(response, COOKIE) is None
    # What Clear-Site-Data "cookies" does in the browser: the enrolment cookie goes too.
    client.delete_cookie(COOKIE)
    resumed = client.get(response.headers["Location"])
    assert resumed.status_code == 303 and resumed.headers["Location"] == "/kiosk/?ended=logout"
    assert cookie_header(resumed, COOKIE) is not None  # re-enrolled by the hand-off
    assert "おわりました" in client.get("/kiosk/?ended=logout").get_data(as_text=True)
    assert client.get("/kiosk/home").headers["Location"] == "/kiosk/login"
    assert client.get("/kiosk/").status_code == 200
    assert db.session.get(type(device), device.id).revoked_at is None


def test_the_ordinary_logout_cannot_leave_kiosk_mode(client, enrol, member):
    enrol()
    login(client, member)
    response = client.post("/logout")
    assert response.status_code == 303 and response.headers["Location"] == "/kiosk/home"


def test_server_ends_an_idle_session_even_without_the_page_script(client, enrol, member, monkeypatch):
    enrol()
    login(client, member)
    assert client.get("/kiosk/home").status_code == 200
    later = time.time() + (8 + 2) * 60 + 31
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.get("/kiosk/home")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/kiosk/?ended=timeout&handoff=")
    assert response.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 0


def test_keepalive_keeps_a_slow_writer_logged_in(client, enrol, member, monkeypatch):
    enrol()
    login(client, member)
    start = time.time()
    for minutes in (7, 14, 21):  # a keep-alive every 7 minutes: never idle for 10
        monkeypatch.setattr(time, "time", lambda m=minutes: start + m * 60)
        assert client.post("/kiosk/keepalive").status_code == 204
    assert client.get("/kiosk/home").status_code == 200


def test_facility_settings_reach_the_page(client, enrol, library, staff):
    from kiosk.services import save_settings

    save_settings(library, idle_minutes=15, warning_minutes=3, help_text="受付の田中へ", by=staff)
    db.session.commit()
    enrol()
    text = client.get("/kiosk/login").get_data(as_text=True)
    assert 'data-idle-seconds="900"' in text and 'data-warning-seconds="180"' in text
    assert "受付の田中へ" in text


def test_default_idle_time_is_eight_plus_two_minutes(client, enrol):
    enrol()
    text = client.get("/kiosk/login").get_data(as_text=True)
    assert 'data-idle-seconds="480"' in text and 'data-warning-seconds="120"' in text


@pytest.mark.parametrize("pref", ["furigana", "large"])
def test_toggles_are_pressed_buttons_kept_in_a_session_cookie(client, enrol, pref):
    enrol()
    response = client.post(f"/kiosk/prefs/{pref}", data={"next": "/kiosk/help"})
    assert response.headers["Location"] == "/kiosk/help"
    header = cookie_header(response, PREFS_COOKIE)
    assert pref in header and "Expires" not in header and "Max-Age" not in header
    text = client.get("/kiosk/help").get_data(as_text=True)
    assert 'aria-pressed="true"' in text
    if pref == "furigana":
        assert "<ruby>使<rp>（</rp><rt>つか</rt>" in text
    else:
        assert "kiosk--large" in text
    assert client.post("/kiosk/prefs/bogus").status_code == 404
    assert client.post("/kiosk/prefs/large", data={"next": "https://evil.example/"}).headers["Location"] == "/kiosk/"


def test_emergency_notice_is_on_every_kiosk_screen(client, enrol, member):
    db.session.add(Announcement(title="大雨による避難指示", body="避難所を開設しました。", is_emergency=True,
                                published_at=utcnow()))
    db.session.commit()
    enrol()
    for path in ("/kiosk/", "/kiosk/login", "/kiosk/help", "/kiosk/announcements"):
        assert "大雨による避難指示" in client.get(path).get_data(as_text=True), path
    login(client, member)
    assert "大雨による避難指示" in client.get("/kiosk/home").get_data(as_text=True)


def test_errors_on_a_kiosk_use_the_kiosk_layout(client, enrol):
    enrol()
    response = client.get("/kiosk/announcements/999")
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "kiosk.css" in text and "site.css" not in text


def test_kiosk_detection_and_rate_limit_exemption(app, enrol, client):
    device = enrol()
    hooks = app.extensions["tsunagari.ratelimit_exempt"]
    assert is_kiosk_request in hooks
    with app.test_request_context("/login", headers={"Cookie": f"{COOKIE}=not-a-token"}):
        assert not any(hook() for hook in hooks)
    from kiosk.services import enrol_device

    _, token = enrol_device(device.facility, "別のPC", device.created_by)
    db.session.commit()
    g.pop("_kiosk_device", None)  # the test's app context outlives the request contexts above
    with app.test_request_context("/login", headers={"Cookie": f"{COOKIE}={token}"}):
        assert is_kiosk_request()
