"""The emergency banner: on every site page and kiosk screen, most recent first, gone at once after
withdrawal or expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest

from community.accounts.models import Role
from community.core.database import utcnow
from community.extensions import db
from kiosk import services as kiosk_services
from kiosk.device import COOKIE
from tests.announcements.conftest import login

SITE_PAGES = ["/", "/help", "/login", "/announcements/", "/no-such-page"]
KIOSK_PAGES = ["/kiosk/", "/kiosk/help", "/kiosk/announcements", "/kiosk/login"]


@pytest.fixture
def kiosk_client(app, make_facility, make_user):
    staff = make_user("kiosk-staff", role=Role.staff)
    _device, token = kiosk_services.enrol_device(make_facility("中央図書館", kind="図書館"), "1階の端末", staff)
    db.session.commit()
    client = app.test_client()
    client.set_cookie(COOKIE, token)
    return client


def _banner(html: str) -> str:
    """The banner's own markup (empty when there is none)."""
    for start in ('<div class="emergency"', '<div class="kiosk-emergency"'):
        if start in html:
            return html.split(start, 1)[1].split("</ul>", 1)[0]
    return ""


def test_banner_on_every_site_page_and_kiosk_screen(client, kiosk_client, city, make_announcement):
    make_announcement("大雨警報：避難所を開設しました", account=city["bousai"], emergency=True)
    make_announcement("普通のお知らせ", account=city["kosodate"])
    for path in SITE_PAGES:
        banner = _banner(client.get(path).get_data(as_text=True))
        assert "大雨警報：避難所を開設しました" in banner, path
        assert "防災課" in banner and "普通のお知らせ" not in banner
    for path in KIOSK_PAGES:
        response = kiosk_client.get(path)
        assert response.status_code == 200, path
        banner = _banner(response.get_data(as_text=True))
        assert "大雨警報：避難所を開設しました" in banner, path
        assert 'href="/kiosk/announcements/' in banner  # the kiosk's own page, never the ordinary site


def test_also_for_members_and_staff(app, city, make_announcement):
    make_announcement("土砂災害警戒情報", account=city["bousai"], emergency=True)
    for who in ("member", "staff_kosodate"):
        html = login(app, city["people"][who]).get("/").get_data(as_text=True)
        assert "土砂災害警戒情報" in _banner(html)


def test_most_recent_first_and_at_most_three_with_a_link_to_all(client, city, make_announcement):
    now = utcnow()
    for hours, title in [(4, "一番古い"), (3, "三番目"), (2, "二番目"), (1, "最新")]:
        make_announcement(title, account=city["bousai"], emergency=True, published_at=now - timedelta(hours=hours))
    html = client.get("/").get_data(as_text=True)
    banner = _banner(html)
    assert banner.index("最新") < banner.index("二番目") < banner.index("三番目")
    assert "一番古い" not in banner
    assert "緊急情報をすべて見る（4件）" in html


def test_withdrawal_removes_it_from_every_banner_at_once(app, client, kiosk_client, city, make_announcement):
    item = make_announcement("大雨警報", account=city["bousai"], emergency=True)
    assert "大雨警報" in _banner(client.get("/").get_data(as_text=True))
    suzuki = login(app, city["people"]["staff_bousai"])
    assert suzuki.post(f"/announcements/{item.id}/withdraw", data={"reason": "解除"}).status_code == 303
    assert _banner(client.get("/").get_data(as_text=True)) == ""
    assert _banner(kiosk_client.get("/kiosk/").get_data(as_text=True)) == ""
    assert "大雨警報" not in client.get("/announcements/").get_data(as_text=True)


def test_expiry_removes_it_without_anyone_acting(client, kiosk_client, city, make_announcement, monkeypatch):
    make_announcement("大雨警報", account=city["bousai"], emergency=True, hours=6)
    assert "大雨警報" in _banner(client.get("/").get_data(as_text=True))
    later = utcnow() + timedelta(hours=6, minutes=1)
    monkeypatch.setattr("community.policy.official.utcnow", lambda: later)  # the clock moves on
    assert _banner(client.get("/").get_data(as_text=True)) == ""
    assert _banner(kiosk_client.get("/kiosk/").get_data(as_text=True)) == ""


def test_banner_text_is_escaped(client, city, make_announcement):
    make_announcement("<script>alert(1)</script>避難", account=city["bousai"], emergency=True)
    html = client.get("/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;避難" in html


def test_no_banner_without_emergencies(client, city, make_announcement):
    make_announcement("図書館まつり", account=city["kosodate"])
    assert 'class="emergency"' not in client.get("/").get_data(as_text=True)
