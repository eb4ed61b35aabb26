"""A kiosk on a full disk: what was typed comes back inside the kiosk screens, reading goes on."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from community.core.database import utcnow
from community.extensions import db
from kiosk.models import KioskDevice
from tests.kiosk.test_diaries import drafts, writer  # noqa: F401 - the signed-in kiosk writer fixture

KEPT = "ただいまサーバーに保存できませんでした。入力した内容は下に残っています。"


def test_a_diary_step_on_a_full_disk_keeps_the_text_inside_the_kiosk(client, writer, disk_full):  # noqa: F811
    disk_full.fill()
    response = client.post("/kiosk/diaries/write", data={"title": "図書館で", "body": "本を三冊借りました。"})
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert KEPT in html
    assert "本を三冊借りました。" in html and 'action="/kiosk/diaries/write"' in html
    assert "kiosk-title" in html  # the kiosk layout: no way out of kiosk mode
    assert drafts() == 0


def test_kiosk_pages_are_read_while_writes_fail(client, writer, disk_full):  # noqa: F811
    db.session.execute(update(KioskDevice).values(last_used_at=utcnow() - timedelta(hours=1)))  # a write is due
    db.session.commit()
    disk_full.fill()
    response = client.get("/kiosk/home")
    assert response.status_code == 200
    assert "kiosk-title" in response.get_data(as_text=True)
