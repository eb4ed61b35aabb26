"""A notice opened on a kiosk says, as the site's page does, that it was withdrawn (and why) or has
ended; one not yet published stays hidden. `can_open_announcement` decides what opens."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from community.announcements.models import Announcement
from community.core.database import utcnow
from community.extensions import db


def _notice(**fields) -> Announcement:
    fields.setdefault("published_at", utcnow() - timedelta(hours=2))
    fields.setdefault("is_emergency", True)
    item = Announcement(title="大雨による避難指示", body="中央公民館を避難所として開設しました。", department="防災課",
                        **fields)
    db.session.add(item)
    db.session.commit()
    return item


def test_a_withdrawn_emergency_notice_says_so_and_why(client, enrol):
    item = _notice(expires_at=utcnow() + timedelta(hours=10), withdrawn_at=utcnow() - timedelta(minutes=5),
                   withdrawal_reason="警報が解除されました。<b>安全</b>です")
    enrol()
    response = client.get(f"/kiosk/announcements/{item.id}")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "大雨による避難指示" in text
    assert "このお知らせは" in text and "に取り下げられました。" in text
    assert "理由：" in text and "警報が解除されました。&lt;b&gt;安全&lt;/b&gt;です" in text
    assert "kiosk.css" in text and "site.css" not in text
    # It left the kiosk's list and banner: only someone with the link (or an old screen) reaches it.
    listing = client.get("/kiosk/announcements").get_data(as_text=True)
    assert f"/kiosk/announcements/{item.id}" not in listing


def test_an_ended_notice_says_it_has_ended(client, enrol):
    item = _notice(expires_at=utcnow() - timedelta(minutes=30))
    enrol()
    text = client.get(f"/kiosk/announcements/{item.id}").get_data(as_text=True)
    assert "このお知らせの掲載は" in text and "に終了しました。" in text
    assert "取り下げられました" not in text


def test_a_current_notice_has_no_state_message(client, enrol):
    item = _notice(expires_at=utcnow() + timedelta(hours=1))
    enrol()
    text = client.get(f"/kiosk/announcements/{item.id}").get_data(as_text=True)
    assert "中央公民館を避難所として開設しました。" in text
    assert "取り下げられました" not in text and "に終了しました" not in text


@pytest.mark.parametrize("member_logged_in", [False, True])
def test_a_scheduled_notice_is_not_found_on_a_kiosk(client, enrol, member, member_logged_in):
    item = _notice(published_at=utcnow() + timedelta(hours=3), is_emergency=False)
    enrol()
    if member_logged_in:
        client.post("/kiosk/login", data={"login_id": member.login_id, "password": "correct horse battery"})
    assert client.get(f"/kiosk/announcements/{item.id}").status_code == 404


def test_city_pages_found_on_a_kiosk_are_shown_not_linked(client, enrol, app):
    """Our copy of a city page lives outside the kiosk screens, so the kiosk shows the result as a card."""
    from search import indexing
    from search.citypages.models import CityPage

    enrol()
    page = CityPage(url="https://www.city.example.jp/kyukan.html", title="図書館の休館日", body="年末年始は休館します。")
    db.session.add(page)
    db.session.commit()
    page_id = page.id
    indexing.reindex()
    text = client.get("/kiosk/search?q=休館日").get_data(as_text=True)
    assert "図書館の休館日" in re.sub(r"<[^>]+>", "", text)  # the title (its match highlighted)
    assert "市のホームページの記事です" in text
    assert f'href="/city-pages/{page_id}"' not in text and 'href="http' not in text
