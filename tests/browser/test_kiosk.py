"""Kiosk mode in Debian's Chromium: enrol, a senior's visit, idle logout, nothing left behind.

Every kiosk screen visited is checked with axe (WCAG 2.2 A/AA) and measured: targets at least
44 x 44 px and 8 px apart, text at least 16 px (furigana 12 px), base text 20 px, line height 1.7.
"""

from __future__ import annotations

import pytest
from PIL import Image
from playwright.sync_api import expect

from community.announcements.models import Announcement
from community.core.database import utcnow
from community.extensions import db
from tests.browser.conftest import platform_fonts, run_axe

DEMO_PASSWORD = "tsunagari-demo-2026"  # noqa: S105 - the documented demo password
KIOSK_COOKIE = "tsunagari_kiosk"

MEASURE = """
() => {
  const problems = [];
  // With a modal dialog open, the page behind it is inert: only the dialog counts.
  const scope = document.querySelector('dialog[open]') || document.body;
  const shown = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const targets = [...scope.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]'
  )].filter(shown).filter(el => !el.classList.contains('skip-link'));
  const rects = targets.map(el => el.getBoundingClientRect());
  targets.forEach((el, i) => {
    const r = rects[i];
    if (r.width < 44 || r.height < 44) {
      problems.push(`small target ${el.outerHTML.slice(0, 80)}: ${Math.round(r.width)}x${Math.round(r.height)}`);
    }
    for (let j = i + 1; j < targets.length; j++) {
      if (el.contains(targets[j]) || targets[j].contains(el)) continue;
      const s = rects[j];
      const dx = Math.max(s.left - r.right, r.left - s.right, 0);
      const dy = Math.max(s.top - r.bottom, r.top - s.bottom, 0);
      if (Math.max(dx, dy) < 8) {
        problems.push(`targets closer than 8px: ${el.outerHTML.slice(0, 60)} / ${targets[j].outerHTML.slice(0, 60)}`);
      }
    }
  });
  const walker = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!node.textContent.trim() || !el || !shown(el) || el.closest('.skip-link')) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    const minimum = el.closest('rt') ? 12 : 16;
    if (size < minimum) problems.push(`text ${size}px: ${node.textContent.trim().slice(0, 30)}`);
  }
  const body = getComputedStyle(document.body);
  const base = parseFloat(body.fontSize);
  if (base < 20) problems.push(`base text ${base}px`);
  if (parseFloat(body.lineHeight) / base < 1.7) problems.push(`line height ${body.lineHeight}`);
  if (document.documentElement.scrollWidth > window.innerWidth) problems.push('horizontal scroll');
  return problems;
}
"""

WITHOUT_FURIGANA = "el => { const c = el.cloneNode(true); c.querySelectorAll('rt, rp').forEach(n => n.remove());" \
    " return c.textContent.trim(); }"

SIZES = {
    "desktop-1280x800": {"viewport": {"width": 1280, "height": 800}},
    "touch-1024x768": {"viewport": {"width": 1024, "height": 768}, "has_touch": True},
}


@pytest.fixture
def kiosk_server(live_server):
    with live_server.app.app_context():
        from community.core.cli import load_demo

        load_demo()
    return live_server


def new_context(browser, **options):
    return browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo", bypass_csp=True, **options)


def press(page, locator):
    """Tap on touch screens, click elsewhere: both must work."""
    if page.context._impl_obj._options.get("hasTouch"):
        with page.expect_navigation():
            locator.tap()
    else:
        locator.click()
    page.wait_for_load_state()


def cookie_values(context) -> dict[str, str]:
    return {c["name"]: c["value"] for c in context.cookies()}


def check_screen(page):
    """Every kiosk screen: the kiosk layout, lang and title, axe, and our own size rules."""
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.title()
    expect(page.locator("link[href$='kiosk.css']")).to_have_count(1)
    help_box = page.locator(".kiosk-help")
    assert help_box.locator(".kiosk-help__label").evaluate(WITHOUT_FURIGANA) == "困ったときは"  # same place on every screen
    assert help_box.bounding_box()["y"] < 300
    assert page.locator(".kiosk-finish").is_visible()  # a large おわる on every screen
    assert run_axe(page) == []
    assert page.evaluate(MEASURE) == []
    text = page.locator("body").inner_text()
    assert "@" not in text  # no e-mail address on a shared screen


def enrol(page, server, name="2階 窓際の1番"):
    """A staff member enrols this browser as a kiosk of the central library."""
    page.goto(server.url + "/login")
    page.get_by_label("ログインID").fill("staff-tanaka")
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.goto(server.url + "/staff/kiosks/")
    assert run_axe(page) == []
    page.locator("#enrol-facility_id").select_option(label="中央図書館")
    page.locator("#enrol-name").fill(name)
    page.get_by_role("button", name="このパソコンを登録する").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("つながりへようこそ")


def log_in(page, login_id="yoshiko"):
    press(page, page.get_by_role("link", name="ログイン"))
    expect(page.get_by_label("ログインID")).to_have_value("")  # nothing prefilled
    page.get_by_label("ログインID").fill(login_id)
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    press(page, page.get_by_role("button", name="ログイン"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{'よしこ' if login_id == 'yoshiko' else login_id}さん、こんにちは")


@pytest.mark.parametrize("size", list(SIZES))
def test_a_seniors_visit_from_welcome_to_logout(browser, kiosk_server, size, tmp_path):
    photo_file = tmp_path / "ume.jpg"
    Image.new("RGB", (800, 600), (200, 120, 140)).save(photo_file, "JPEG")
    context = new_context(browser, **SIZES[size])
    page = context.new_page()
    enrol(page, kiosk_server)

    # Welcome: the facility, the four large choices, help.
    check_screen(page)
    assert page.locator(".kiosk-header__facility").inner_text() == "中央図書館"
    for label in ("ログイン", "はじめての方（利用申込）", "市のお知らせを見る", "さがす"):
        assert page.get_by_role("link", name=label).is_visible()
    press(page, page.get_by_role("link", name="はじめての方（利用申込）"))
    check_screen(page)
    press(page, page.get_by_role("link", name="はじめの画面にもどる"))

    press(page, page.get_by_role("link", name="ログイン"))
    check_screen(page)
    press(page, page.get_by_role("link", name="はじめの画面にもどる"))
    log_in(page)
    check_screen(page)
    for label in ("サークル", "さがす", "お知らせ"):
        assert page.get_by_role("link", name=label).is_visible()
    assert page.get_by_role("button", name="おわる").count() == 2  # header and home

    # A circle and one of its topics.
    press(page, page.get_by_role("link", name="サークル"))
    check_screen(page)
    press(page, page.get_by_role("link", name="北公民館 書道の会"))
    check_screen(page)
    press(page, page.get_by_role("link", name="来月の課題"))
    check_screen(page)
    assert page.get_by_text("来月の課題は「春風」です。").is_visible()
    press(page, page.get_by_role("link", name="はじめの画面にもどる"))

    # Search.
    press(page, page.get_by_role("link", name="さがす"))
    check_screen(page)
    page.get_by_label("さがしたい言葉").fill("休館")
    press(page, page.get_by_role("button", name="さがす"))
    check_screen(page)
    assert page.get_by_text("年末年始").first.is_visible()
    press(page, page.get_by_role("link", name="はじめの画面にもどる"))

    # The city's notices.
    press(page, page.get_by_role("link", name="お知らせ"))
    check_screen(page)
    press(page, page.locator(".kiosk-list__link").first)
    check_screen(page)

    # Write a diary step by step with a photo; going back keeps every answer; then read it.
    press(page, page.get_by_role("link", name="はじめの画面にもどる"))
    press(page, page.get_by_role("link", name="日記を書く"))
    check_screen(page)
    page.locator("#title").fill("図書館の庭の梅")
    page.locator("#body").fill("梅が咲きはじめました。\n来週が見ごろです。")
    press(page, page.get_by_role("button", name="つぎへ"))
    check_screen(page)  # who can read it, each choice explained
    expect(page.get_by_text("自分だけが読めます。", exact=True)).to_be_visible()
    page.get_by_label("友達だけ").check()
    press(page, page.get_by_role("button", name="つぎへ"))
    check_screen(page)
    expect(page.locator("#photo")).to_have_attribute("capture", "environment")
    press(page, page.get_by_role("button", name="もどる"))
    expect(page.get_by_label("友達だけ")).to_be_checked()
    press(page, page.get_by_role("button", name="もどる"))
    expect(page.locator("#title")).to_have_value("図書館の庭の梅")
    press(page, page.get_by_role("button", name="つぎへ"))
    press(page, page.get_by_role("button", name="つぎへ"))
    page.locator("#photo").set_input_files(photo_file)
    press(page, page.get_by_role("button", name="つぎへ"))
    check_screen(page)  # the check page, with the photo
    expect(page.get_by_role("img", name="選んだ写真")).to_be_visible()
    assert "書きかけの日記は消えます" in page.locator(".kiosk-finish").inner_text()
    press(page, page.get_by_role("link", name="読める人を変える"))
    expect(page.get_by_label("友達だけ")).to_be_checked()
    page.get_by_label("会員のみんな").check()
    press(page, page.get_by_role("button", name="保存して確認にもどる"))
    expect(page.locator(".kiosk-check")).to_contain_text("会員のみんな")
    expect(page.locator(".kiosk-check")).to_contain_text("来週が見ごろです。")
    press(page, page.get_by_role("button", name="この日記をのせる"))
    check_screen(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("図書館の庭の梅")
    expect(page.locator("img.kiosk-photo")).to_be_visible()
    assert "図書館の庭の梅" in page.locator("img.kiosk-photo").get_attribute("alt")
    press(page, page.get_by_role("link", name="日記の一覧にもどる"))
    check_screen(page)  # 日記を読む: 新着日記
    press(page, page.get_by_role("link", name="図書館の庭の梅"))
    expect(page.locator(".kiosk-diary-body")).to_contain_text("梅が咲きはじめました。")
    press(page, page.get_by_role("link", name="はじめの画面にもどる"))
    press(page, page.get_by_role("link", name="日記を読む"))
    check_screen(page)

    # Finish: back to the welcome screen, signed out, the enrolment kept.
    signed_in = cookie_values(context)
    press(page, page.locator(".kiosk-finish"))
    expect(page.get_by_role("status")).to_contain_text("おわりました")
    check_screen(page)
    after = cookie_values(context)
    assert after[KIOSK_COOKIE]  # re-enrolled by the one-time hand-off (with a fresh token)
    assert "handoff" not in page.url
    # The welcome screen starts a fresh anonymous session for its forms' CSRF tokens; the old one is gone.
    assert after.get("tsunagari_session") != signed_in["tsunagari_session"]
    page.goto(kiosk_server.url + "/kiosk/home")
    expect(page.get_by_role("heading", level=1)).to_have_text("ログイン")
    context.close()


def test_idle_warning_continue_and_timeout_with_the_fake_clock(browser, kiosk_server):
    context = new_context(browser)
    page = context.new_page()
    enrol(page, kiosk_server)
    page.clock.install()
    log_in(page)
    signed_in = cookie_values(context)
    dialog = page.get_by_role("dialog", name="まだ使っていますか？")
    expect(dialog).to_be_hidden()

    page.clock.fast_forward("07:50")
    page.clock.run_for(1000)
    expect(dialog).to_be_hidden()
    page.clock.fast_forward("00:15")
    page.clock.run_for(1000)
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-countdown]")).to_have_text("1:59")
    assert run_axe(page) == []
    assert page.evaluate(MEASURE) == []

    # つづける: as often as wanted.
    dialog.get_by_role("button", name="つづける").click()
    expect(dialog).to_be_hidden()
    page.clock.fast_forward("07:00")
    page.clock.run_for(1000)
    expect(dialog).to_be_hidden()
    page.clock.fast_forward("01:05")
    page.clock.run_for(1000)
    expect(dialog).to_be_visible()

    # No answer for two minutes: logged out, back at the welcome screen.
    page.clock.fast_forward("02:00")
    page.clock.run_for(1000)
    expect(page.get_by_role("status")).to_contain_text("自動的におわりました")
    assert cookie_values(context).get("tsunagari_session") != signed_in["tsunagari_session"]
    assert KIOSK_COOKIE in cookie_values(context) and "handoff" not in page.url
    page.goto(kiosk_server.url + "/kiosk/home")
    expect(page.get_by_role("heading", level=1)).to_have_text("ログイン")
    context.close()


def test_logout_clears_every_cookie_and_storage_but_the_kiosk_stays_enrolled(browser, kiosk_server):
    """Checklist 2: Clear-Site-Data "cache", "cookies", "storage", then the hand-off re-enrols the PC."""
    context = new_context(browser)
    page = context.new_page()
    enrol(page, kiosk_server)
    log_in(page)
    press(page, page.get_by_role("button", name="ふりがな"))
    page.evaluate(
        "document.cookie = 'left_behind=1; path=/';"
        "localStorage.setItem('draft', 'よしこの下書き'); sessionStorage.setItem('x', '1')"
    )
    signed_in = cookie_values(context)
    assert {"tsunagari_session", "tsunagari_kiosk_prefs", "left_behind", KIOSK_COOKIE} <= set(signed_in)
    responses = []
    page.on("response", lambda response: responses.append(response))
    press(page, page.locator(".kiosk-finish"))
    expect(page.get_by_role("status")).to_contain_text("おわりました")
    expect(page.locator(".kiosk-lead")).to_contain_text("中央図書館")  # still this facility's kiosk
    logout = next(r for r in responses if r.url.endswith("/kiosk/logout"))
    assert logout.all_headers()["clear-site-data"] == '"cache", "cookies", "storage"'
    assert "handoff" not in page.url  # the used token has left the address bar
    after = cookie_values(context)
    # Only the renewed enrolment cookie and the welcome screen's fresh, empty session are left.
    assert set(after) <= {KIOSK_COOKIE, "tsunagari_session"}
    assert after.get("tsunagari_session") != signed_in["tsunagari_session"]
    assert after[KIOSK_COOKIE] != signed_in[KIOSK_COOKIE]
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    # The old session is dead on the server too.
    context.add_cookies([{"name": "tsunagari_session", "value": signed_in["tsunagari_session"],
                          "url": kiosk_server.url}])
    page.goto(kiosk_server.url + "/kiosk/home")
    expect(page.get_by_role("heading", level=1)).to_have_text("ログイン")
    # The hand-off cannot be used twice: replaying it in another browser enrols nothing.
    handoff_url = next(r.url for r in responses if "handoff=" in r.url)
    stranger = new_context(browser)
    other = stranger.new_page()
    assert other.goto(handoff_url).status == 400
    expect(other.get_by_role("heading", level=1)).to_have_text("このパソコンはキオスク端末ではなくなりました")
    assert run_axe(other) == []
    assert KIOSK_COOKIE not in cookie_values(stranger)
    stranger.close()
    context.close()


def test_back_after_logout_shows_nothing_personal(browser_type, browser_type_launch_args, kiosk_server):
    # Playwright turns the back-forward cache off; a real kiosk has it on.
    browser = browser_type.launch(**browser_type_launch_args, ignore_default_args=["--disable-back-forward-cache"])
    context = new_context(browser)
    page = context.new_page()
    enrol(page, kiosk_server)
    log_in(page)
    press(page, page.get_by_role("link", name="サークル"))
    expect(page.get_by_text("北公民館 書道の会")).to_be_visible()
    page.evaluate("localStorage.setItem('draft', 'よしこの下書き'); sessionStorage.setItem('x', '1')")
    page.locator(".kiosk-finish").click()
    expect(page.get_by_role("status")).to_contain_text("おわりました")
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0  # Clear-Site-Data "storage"
    for _ in range(2):
        page.go_back()
        page.wait_for_load_state()
        body = page.locator("body").inner_text()
        assert "よしこ" not in body and "書道の会" not in body
    context.close()
    browser.close()


def test_furigana_larger_text_and_narrow_screens(browser, kiosk_server):
    context = new_context(browser, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    enrol(page, kiosk_server)
    furigana = page.get_by_role("button", name="ふりがな")
    expect(furigana).to_have_attribute("aria-pressed", "false")
    furigana.click()
    expect(page.get_by_role("button", name="ふりがな")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".kiosk-header__facility rt")).to_have_text("ちゅうおうとしょかん")
    assert page.locator(".kiosk-choices ruby").count() >= 2
    page.locator("button.kiosk-tool").first.click()  # 文字を大きく
    # Wait for the reloaded page (a race otherwise measured the old one).
    expect(page.locator("button.kiosk-tool").first).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") == 24
    check_screen(page)
    for width, height in ((320, 640), (640, 400)):  # a 320 px screen, and 1280x800 at 200% zoom
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), width
        assert page.evaluate(MEASURE) == []
    context.close()


def test_focus_ring_and_japanese_font(page, kiosk_server):
    enrol(page, kiosk_server)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    style = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow]; })()"
    )
    assert style[0] == "solid" and style[1] == "4px" and style[2] == "rgb(0, 0, 0)"
    assert "rgb(255, 221, 0)" in style[3]
    box = page.evaluate("document.activeElement.getBoundingClientRect().top")
    assert box >= 0  # not hidden under anything above it
    fonts = platform_fonts(page, "h1")
    assert any("CJK" in name or "JP" in name for name in fonts), fonts


def test_password_can_be_pasted_and_there_is_no_remember_me(browser, kiosk_server):
    context = new_context(browser, permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    enrol(page, kiosk_server)
    page.get_by_role("link", name="ログイン").click()
    assert page.get_by_label("パスワード").get_attribute("autocomplete") == "off"
    assert page.get_by_role("checkbox").count() == 0
    page.get_by_label("ログインID").fill("yoshiko")
    page.evaluate("text => navigator.clipboard.writeText(text)", DEMO_PASSWORD)
    page.get_by_label("パスワード").focus()
    page.keyboard.press("Control+V")  # a password manager's or a note's password pastes [WCAG 3.3.8]
    expect(page.get_by_label("パスワード")).to_have_value(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("よしこさん、こんにちは")
    context.close()


@pytest.mark.parametrize("prefs", [(), ("furigana", "larger text")])
@pytest.mark.parametrize("width", [1024, 640])  # 640: a 1280 px screen at 200% zoom
def test_help_is_in_the_same_place_on_every_screen(browser, kiosk_server, prefs, width):
    """Checklist 11 [WCAG 3.2.6]: the help box does not move, whatever the header's buttons say."""
    context = new_context(browser, viewport={"width": width, "height": 768})
    page = context.new_page()
    enrol(page, kiosk_server)
    for name in prefs:  # the header's toggles: 文字を大きく, then ふりがな
        button = page.locator("button.kiosk-tool").nth(0 if name == "larger text" else 1)
        press(page, button)
        expect(page.locator("button.kiosk-tool").nth(0 if name == "larger text" else 1)).to_have_attribute(
            "aria-pressed", "true")
    boxes = {}

    def measure(screen):
        boxes[screen] = page.locator(".kiosk-help").bounding_box()

    measure("welcome")
    page.goto(kiosk_server.url + "/kiosk/apply")
    measure("apply")
    page.goto(kiosk_server.url + "/kiosk/login")
    page.locator("#login_id").fill("yoshiko")
    page.locator("#password").fill(DEMO_PASSWORD)
    press(page, page.locator("main .kiosk-button--primary"))  # ログイン (names carry furigana when on)
    measure("home")
    for path in ("/kiosk/circles", "/kiosk/search?q=休館", "/kiosk/announcements", "/kiosk/help"):
        page.goto(kiosk_server.url + path)
        measure(path)
    page.goto(kiosk_server.url + "/kiosk/diaries/write")
    page.locator("#title").fill("庭の梅")
    page.locator("#body").fill("咲きました。")
    press(page, page.locator("main .kiosk-button--primary"))  # つぎへ
    expect(page.locator(".kiosk-finish__note")).to_be_visible()
    measure("diary readers (with the finish button's draft warning)")
    assert len({tuple(box.values()) for box in boxes.values()}) == 1, boxes
    context.close()


def test_an_emergency_published_while_a_screen_is_open_appears_within_a_minute(browser, kiosk_server):
    context = new_context(browser)
    page = context.new_page()
    enrol(page, kiosk_server)
    page.clock.install()
    log_in(page)
    expect(page.locator(".kiosk-emergency")).to_have_count(0)
    with kiosk_server.app.app_context():
        db.session.add(Announcement(title="大雨による避難指示（北地区）", body="北公民館を避難所として開設しました。",
                                    is_emergency=True, published_at=utcnow()))
        db.session.commit()
    page.clock.run_for("00:31")  # the page checks every 30 seconds
    banner = page.get_by_role("alert")
    expect(banner).to_contain_text("大雨による避難指示（北地区）")
    expect(page.get_by_role("heading", level=1)).to_have_text("よしこさん、こんにちは")  # the screen itself stays
    check_screen(page)
    press(page, banner.get_by_role("link", name="大雨による避難指示（北地区）"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("大雨による避難指示（北地区）")
    context.close()
