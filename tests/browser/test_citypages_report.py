"""The staff crawl report (/staff/citypages) in a real browser: accessible, in Japanese."""

from __future__ import annotations

import pytest

from tests.browser.conftest import run_axe


@pytest.fixture
def demo_server(live_server):
    with live_server.app.app_context():
        from community.core.cli import load_demo

        load_demo()
    return live_server


def test_staff_read_the_crawl_report(page, demo_server):
    page.goto(demo_server.url + "/login")
    page.get_by_label("ログインID").fill("staff-suzuki")
    page.get_by_label("パスワード").fill("tsunagari-demo-2026")
    page.get_by_role("button", name="ログイン").click()
    page.goto(demo_server.url + "/staff/citypages/")
    assert page.get_by_role("heading", level=1).inner_text() == "市のページの取り込み"
    assert page.get_by_text("検索できる市のページ：16件").is_visible()
    assert page.get_by_text("市のサイト内のリンク切れです").is_visible()  # the demo run's 404
    assert run_axe(page) == []
