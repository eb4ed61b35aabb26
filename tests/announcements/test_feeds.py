"""Feeds for the city's other systems: Atom 1.0 and JSON, parsed as a machine would."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

import pytest

from community.core.database import utcnow
from community.core.settings import save_site_settings
from community.extensions import db
from tests.announcements.conftest import login

A = "{http://www.w3.org/2005/Atom}"


def parse(data: bytes) -> ET.Element:
    """The standard library's parser, as the city's other systems would read the feed."""
    return ET.fromstring(data)  # noqa: S314 - our own feed under test, not untrusted input


@pytest.fixture
def notices(city, make_announcement):
    now = utcnow()
    return {
        "emergency": make_announcement("大雨警報 & <避難所>", account=city["bousai"], emergency=True,
                                       body="中央公民館 <b>開設</b>\x0b"),
        "notice": make_announcement("子育てサロン", account=city["kosodate"], body="毎週火曜日"),
        "old": make_announcement("昔のお知らせ", department="市民協働課"),
        "withdrawn": make_announcement("誤報", account=city["bousai"], emergency=True, withdrawn_at=now,
                                       withdrawal_reason="誤り"),
        "expired": make_announcement("終わった警報", account=city["bousai"], emergency=True,
                                     published_at=now - timedelta(days=2), expires_at=now - timedelta(hours=1)),
        "scheduled": make_announcement("来週の訓練", account=city["bousai"], published_at=now + timedelta(days=3)),
    }


def _aware(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    assert value.tzinfo is not None and value.utcoffset() == timedelta(hours=9)
    return value


def test_atom_feed_is_valid_and_has_only_current_announcements(client, notices):
    response = client.get("/announcements/feed.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    assert "max-age=60" in response.headers["Cache-Control"] and "public" in response.headers["Cache-Control"]
    feed = parse(response.data)
    assert feed.tag == f"{A}feed"
    for required in ("id", "title", "updated", "author"):
        assert feed.find(f"{A}{required}") is not None
    _aware(feed.findtext(f"{A}updated"))
    self_link = feed.find(f"{A}link[@rel='self']")
    assert self_link.get("href") == "http://localhost/announcements/feed.atom"

    entries = {e.findtext(f"{A}title"): e for e in feed.findall(f"{A}entry")}
    assert set(entries) == {"大雨警報 & <避難所>", "子育てサロン", "昔のお知らせ"}
    for entry in entries.values():
        for required in ("id", "title", "updated", "published"):
            assert entry.findtext(f"{A}{required}")
        _aware(entry.findtext(f"{A}updated"))
        assert entry.find(f"{A}link[@rel='alternate']").get("href").startswith("http://localhost/announcements/")
        assert entry.findtext(f"{A}id").startswith("http://")

    emergency = entries["大雨警報 & <避難所>"]
    assert emergency.find(f"{A}category").get("term") == "emergency"
    assert emergency.find(f"{A}category").get("label") == "緊急情報"
    assert emergency.findtext(f"{A}author/{A}name") == "防災課"
    assert emergency.findtext(f"{A}content") == "中央公民館 <b>開設</b>"  # text, not markup; no control chars
    assert emergency.find(f"{A}content").get("type") == "text"
    assert entries["子育てサロン"].find(f"{A}category") is None
    assert entries["昔のお知らせ"].findtext(f"{A}author/{A}name") == "市民協働課"
    assert b"<b>" not in response.data  # escaped in the XML itself


def test_atom_feed_is_linked_from_the_announcements_page(client, notices):
    html = client.get("/announcements/").get_data(as_text=True)
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert 'href="http://localhost/announcements/feed.atom"' in html


def test_atom_feed_is_japanese_whatever_the_reader_asks(client, notices):
    response = client.get("/announcements/feed.atom", headers={"Accept-Language": "en"})
    feed = parse(response.data)
    assert "お知らせ" in feed.findtext(f"{A}title")


def test_emergencies_json(client, notices, city):
    response = client.get("/announcements/emergencies.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "max-age=60" in response.headers["Cache-Control"]
    data = response.get_json()
    [item] = data["emergencies"]
    assert item["id"] == notices["emergency"].id
    assert item["title"] == "大雨警報 & <避難所>"
    assert item["department"] == "防災課"
    assert item["account"] == {"slug": "bousai", "name": "防災課", "verified": True}
    assert _aware(item["published"]) < _aware(item["expires"])
    assert item["url"] == f"http://localhost/announcements/{notices['emergency'].id}"
    assert data["feed"] == "http://localhost/announcements/feed.atom"


def test_json_empty_when_there_is_no_emergency(client):
    assert client.get("/announcements/emergencies.json").get_json()["emergencies"] == []


def test_feeds_answer_304_when_unchanged_and_change_after_withdrawal(app, client, notices, city):
    first = client.get("/announcements/emergencies.json")
    etag = first.headers["ETag"]
    again = client.get("/announcements/emergencies.json", headers={"If-None-Match": etag})
    assert again.status_code == 304
    suzuki = login(app, city["people"]["staff_bousai"])
    suzuki.post(f"/announcements/{notices['emergency'].id}/withdraw", data={"reason": "解除"})
    after = client.get("/announcements/emergencies.json", headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.get_json()["emergencies"] == []
    atom = parse(client.get("/announcements/feed.atom").data)
    assert "大雨警報 & <避難所>" not in [e.findtext(f"{A}title") for e in atom.findall(f"{A}entry")]


def test_feeds_are_public_even_for_a_logged_in_reader(app, notices, city):
    response = login(app, city["people"]["staff_bousai"]).get("/announcements/feed.atom")
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert not response.headers.getlist("Set-Cookie")


def test_atom_feed_names_the_city_of_the_site_settings(app, client, notices):
    save_site_settings(city_name="あおば市")
    db.session.commit()
    feed = parse(client.get("/announcements/feed.atom").data)
    assert feed.findtext(f"{A}author/{A}name") == "あおば市"
    assert "あおば市" in feed.findtext(f"{A}subtitle")
