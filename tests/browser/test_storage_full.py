"""A full disk in a real browser: the diary comes back typed, passes axe, and "Send again" posts it once."""

from __future__ import annotations

from sqlalchemy import func, select

from community.diaries.models import DiaryEntry
from community.extensions import db
from tests.browser.conftest import run_axe
from tests.browser.test_diaries import log_in, people  # noqa: F401 - the writer and reader fixture
from tests.conftest import DiskFull


def test_a_diary_kept_on_a_full_disk_is_sent_again_once_there_is_room(page, live_server, people,  # noqa: F811
                                                                      monkeypatch):
    with live_server.app.app_context():
        full = DiskFull(db.engine, monkeypatch)
    log_in(page, live_server, "writer")
    page.goto(live_server.url + "/diaries/new")
    page.fill("input[name=title]", "満開の桜")
    page.fill("textarea[name=body]", "川沿いの桜が満開でした。\n来週も歩きます。")
    full.fill()
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert "ただいまサーバーに保存できませんでした" in page.locator("main").inner_text()
    assert page.locator("textarea[name=body]").input_value() == "川沿いの桜が満開でした。\n来週も歩きます。"
    assert run_axe(page) == []
    full.free()
    page.get_by_role("button", name="もう一度送信する").click()
    page.wait_for_load_state()
    assert "満開の桜" in page.locator("main").inner_text()
    with live_server.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DiaryEntry)) == 1
