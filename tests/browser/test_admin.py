"""An administrator adds a facility and creates a staff account in a real browser; the staff
member's one-time code is on the page once. Every page passes axe (WCAG 2.2 A/AA)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from community.accounts.models import Facility, User, normalize_login_id
from community.accounts.passwords import hash_password
from community.extensions import db
from tests.browser.conftest import run_axe

PASSWORD = "correct horse battery"


def test_admin_adds_a_facility_and_a_staff_account(page, live_server):
    with live_server.app.app_context():
        db.session.add(User(login_id="site-admin", login_key=normalize_login_id("site-admin"), nickname="管理者",
                            password_hash=hash_password(PASSWORD), birth_date=date(1980, 1, 1), status="verified",
                            role="admin"))
        db.session.commit()
    server = live_server.url
    page.goto(server + "/login")
    page.fill("input[name=login_id]", "site-admin")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()

    page.get_by_role("link", name="管理", exact=True).first.click()
    page.wait_for_load_state()
    assert run_axe(page) == []
    page.get_by_role("link", name="施設", exact=True).first.click()
    page.get_by_role("link", name="施設を追加する").click()
    page.wait_for_load_state()
    assert run_axe(page) == []
    page.get_by_role("button", name="保存する").click()  # empty: refused, in Japanese
    page.wait_for_load_state()
    assert page.get_by_text("施設名を入力してください。").is_visible()
    assert run_axe(page) == []
    page.get_by_label("施設名").fill("南公民館")
    page.get_by_label("開館時間").fill("9:00〜21:00")
    page.get_by_label("この施設にキオスク端末を置く").uncheck()
    page.get_by_role("button", name="保存する").click()
    page.wait_for_load_state()
    assert page.get_by_text("南公民館を保存しました。").is_visible()
    assert run_axe(page) == []

    page.get_by_role("link", name="職員アカウント", exact=True).first.click()
    page.get_by_role("link", name="職員アカウントを作成する").click()
    page.wait_for_load_state()
    assert run_axe(page) == []
    page.get_by_label("ログインID").fill("tanaka.k")
    page.get_by_label("ニックネーム").fill("田中")
    page.get_by_role("button", name="作成する").click()
    page.wait_for_load_state()
    assert len(page.locator("#one-time-code").inner_text().strip()) >= 8
    assert run_axe(page) == []
    page.goto(server + "/admin/staff/")
    assert page.get_by_role("cell", name="tanaka.k").is_visible()
    assert run_axe(page) == []

    for path in ("/admin/settings", "/admin/districts/", "/admin/districts/new"):
        page.goto(server + path)
        assert run_axe(page) == [], path

    with live_server.app.app_context():
        facility = db.session.scalar(select(Facility).where(Facility.name == "南公民館"))
        assert facility.verifies_identity and not facility.hosts_kiosks
        assert db.session.scalar(select(User).where(User.login_id == "tanaka.k")).role == "staff"


def test_admin_adds_a_circle_category_that_the_circle_list_offers(page, live_server):
    with live_server.app.app_context():
        db.session.add(User(login_id="site-admin", login_key=normalize_login_id("site-admin"), nickname="管理者",
                            password_hash=hash_password(PASSWORD), birth_date=date(1980, 1, 1), status="verified",
                            role="admin"))
        db.session.commit()
    server = live_server.url
    page.goto(server + "/login")
    page.fill("input[name=login_id]", "site-admin")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()

    page.goto(server + "/admin/")
    page.get_by_role("link", name="サークルのカテゴリ", exact=True).first.click()
    page.wait_for_load_state()
    assert run_axe(page) == []
    page.get_by_role("link", name="カテゴリを追加").click()
    page.wait_for_load_state()
    assert run_axe(page) == []
    page.get_by_label("キー", exact=True).fill("Cooking")  # upper case: refused, in Japanese, the name kept
    page.get_by_label("名前（日本語）").fill("料理")
    page.get_by_role("button", name="保存する").click()
    page.wait_for_load_state()
    assert page.get_by_text("半角の小文字a-z、数字、「-」「_」だけを使ってください。").is_visible()
    assert page.get_by_label("名前（日本語）").input_value() == "料理"
    assert run_axe(page) == []
    page.get_by_label("キー", exact=True).fill("cooking")
    page.get_by_role("button", name="保存する").click()
    page.wait_for_load_state()
    assert page.get_by_text("料理を保存しました。").is_visible()
    assert run_axe(page) == []

    page.goto(server + "/circles/")
    assert page.locator("#filter-category option[value=cooking]").inner_text() == "料理"
