"""An emergency published while a kiosk screen is open reaches it within a minute, with or without script."""

from __future__ import annotations

import re
import time

import pytest

from community.announcements.models import Announcement
from community.core.database import utcnow
from community.extensions import db
from tests.kiosk.test_kiosk_mode import login

REFRESH = re.compile(r'<noscript><meta http-equiv="refresh" content="60; url=([^"]+)"></noscript>')


def publish(title="大雨による避難指示"):
    db.session.add(Announcement(title=title, body="避難所を開設しました。", is_emergency=True, published_at=utcnow()))
    db.session.commit()


def page_version(html: str) -> str:
    return re.search(r'id="kiosk-emergency" data-url="/kiosk/emergencies" data-version="(\w+)"', html).group(1)


def test_the_banner_check_reports_an_emergency_published_after_the_screen_opened(client, enrol, member):
    enrol()
    login(client, member)
    home = client.get("/kiosk/home").get_data(as_text=True)
    assert "大雨による避難指示" not in home
    quiet = client.get("/kiosk/emergencies")
    assert quiet.status_code == 200 and quiet.headers["X-Kiosk-Banner-Version"] == page_version(home)
    assert quiet.get_data(as_text=True).strip() == ""

    publish()
    banner = client.get("/kiosk/emergencies")
    assert "大雨による避難指示" in banner.get_data(as_text=True) and 'role="alert"' in banner.get_data(as_text=True)
    assert banner.headers["X-Kiosk-Banner-Version"] != page_version(home)
    assert banner.headers["Cache-Control"] == "no-store"
    # A screen opened now carries the same version, so the check leaves it alone.
    assert page_version(client.get("/kiosk/home").get_data(as_text=True)) == banner.headers["X-Kiosk-Banner-Version"]


@pytest.mark.parametrize("path", ["/kiosk/", "/kiosk/help", "/kiosk/apply", "/kiosk/announcements", "/kiosk/home"])
def test_reading_screens_reload_themselves_without_script(client, enrol, member, path):
    enrol()
    if path == "/kiosk/home":
        login(client, member)
    html = client.get(path).get_data(as_text=True)
    url = REFRESH.search(html).group(1)
    assert url.startswith(path) and "auto=1" in url
    publish()
    assert "大雨による避難指示" in client.get(url.replace("&amp;", "&")).get_data(as_text=True)


@pytest.mark.parametrize("path", ["/kiosk/login", "/kiosk/search", "/kiosk/diaries/write"])
def test_screens_with_something_to_type_never_reload_by_themselves(client, enrol, member, path):
    enrol()
    if path != "/kiosk/login":
        login(client, member)
    html = client.get(path).get_data(as_text=True)
    assert 'id="kiosk-emergency"' in html  # the script's check still updates the banner there
    assert 'http-equiv="refresh"' not in html


@pytest.mark.parametrize("passive", ["/kiosk/emergencies", "/kiosk/home?auto=1"])
def test_the_banner_check_and_the_reload_do_not_keep_an_idle_visit_alive(client, enrol, member, monkeypatch, passive):
    enrol()
    login(client, member)
    start = time.time()
    for minutes in (3, 6, 9):  # the page checks on its own, nobody touches anything
        monkeypatch.setattr(time, "time", lambda m=minutes: start + m * 60)
        assert client.get(passive).status_code == 200
    monkeypatch.setattr(time, "time", lambda: start + (8 + 2) * 60 + 31)
    response = client.get(passive)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/kiosk/?ended=timeout&handoff=")
