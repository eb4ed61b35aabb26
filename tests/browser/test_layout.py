"""The base layout in a real browser: accessible, Japanese-rendering, phone to desktop."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import platform_fonts, run_axe


@pytest.fixture
def demo_server(live_server):
    with live_server.app.app_context():
        from community.core.cli import load_demo

        load_demo()
    return live_server


@pytest.mark.parametrize("path", ["/", "/help", "/contact", "/announcements/", "/login", "/no-such-page"])
def test_pages_have_no_accessibility_violations(page, demo_server, path):
    page.goto(demo_server.url + path)
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.title()
    assert run_axe(page) == []


def test_japanese_renders_in_a_cjk_font(page, demo_server):
    page.goto(demo_server.url + "/")
    fonts = platform_fonts(page, "h1")
    assert any("CJK" in name or "JP" in name for name in fonts), fonts


def test_skip_link_and_visible_focus(page, demo_server):
    page.goto(demo_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "本文へ移動"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_phone_width_has_no_horizontal_scroll(browser, demo_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP", bypass_csp=True)
    page = context.new_page()
    page.goto(demo_server.url + "/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert run_axe(page) == []
    context.close()


def test_login_from_the_header(page, demo_server):
    page.goto(demo_server.url + "/")
    page.get_by_role("link", name="ログイン").click()
    page.get_by_label("ログインID").fill("hanako")
    page.get_by_label("パスワード").fill("tsunagari-demo-2026")
    page.get_by_role("button", name="ログイン").click()
    # expect() waits for the redirect after sign-in; is_visible() raced it on a loaded machine.
    expect(page.get_by_text("はなこさんでログイン中")).to_be_visible()
    assert run_axe(page) == []


PHONE = {"viewport": {"width": 390, "height": 844}, "locale": "ja-JP", "bypass_csp": True}


def log_in_as_hanako(page, server):
    page.goto(server.url + "/login")
    page.get_by_label("ログインID").fill("hanako")
    page.get_by_label("パスワード").fill("tsunagari-demo-2026")
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("signed_in", [False, True])
def test_on_a_phone_the_content_starts_on_the_first_screen(browser, demo_server, signed_in):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    if signed_in:
        log_in_as_hanako(page, demo_server)
    page.goto(demo_server.url + "/")
    assert page.locator("main").bounding_box()["y"] < 200
    assert page.get_by_role("search").is_visible()  # search stays in reach
    assert not page.get_by_role("navigation", name="メイン").is_visible()  # behind the menu button
    assert run_axe(page) == []
    context.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_the_phone_menu_opens_with_and_without_javascript(browser, demo_server, javascript):
    context = browser.new_context(**PHONE, java_script_enabled=javascript)
    page = context.new_page()
    log_in_as_hanako(page, demo_server)
    page.goto(demo_server.url + "/")
    nav = page.get_by_role("navigation", name="メイン")
    menu = page.locator("summary", has_text="メニュー")
    box = menu.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44
    menu.click()
    expect(nav).to_be_visible()
    expect(page.get_by_role("button", name="ログアウト")).to_be_visible()
    if javascript:  # axe itself needs JavaScript
        assert run_axe(page) == []
    nav.get_by_role("link", name="お知らせ").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("お知らせ")
    # On a wide screen the same menu shows open, with no menu button.
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(nav).to_be_visible()
    expect(page.get_by_role("button", name="ログアウト")).to_be_visible()
    expect(menu).to_be_hidden()
    context.close()



@pytest.mark.parametrize(
    "path", ["/settings/profile", "/notifications/settings", "/diaries/new", "/questions/", "/settings/withdraw"]
)
def test_checkboxes_and_radio_buttons_are_big_enough_to_tap_on_a_phone(browser, demo_server, path):
    """WCAG 2.5.8: every target at least 24 x 24 px (the browser's own boxes are 13 px)."""
    context = browser.new_context(**PHONE)
    page = context.new_page()
    log_in_as_hanako(page, demo_server)
    page.goto(demo_server.url + path)
    sizes = page.evaluate(
        "() => [...document.querySelectorAll('input[type=checkbox], input[type=radio]')]"
        ".filter(el => el.getClientRects().length)"
        ".map(el => { const r = el.getBoundingClientRect(); return [el.name, r.width, r.height]; })"
    )
    assert sizes, "no checkbox or radio button on " + path
    assert [s for s in sizes if s[1] < 24 or s[2] < 24] == []
    context.close()
