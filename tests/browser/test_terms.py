"""A member signs in after the city publishes a new 利用規約: the agreement page comes first, reading
still works, and after agreeing they carry on where they were going. axe on the agreement page."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.accounts.models import Role, User
from community.extensions import db
from community.terms import services
from community.terms.demo import TERMS_BODY
from tests.browser.conftest import run_axe

DEMO_PASSWORD = "tsunagari-demo-2026"


@pytest.fixture
def server_with_new_terms(live_server):
    with live_server.app.app_context():
        from community.core.cli import load_demo

        load_demo()
        with live_server.app.test_request_context():
            admin = db.session.scalar(select(User).where(User.role == Role.admin.value))
            services.save_draft(admin, "terms", title="利用規約（改定）",
                                body=TERMS_BODY + "\n第8条（附則）\nこの規約は令和8年12月7日から施行します。")
            services.publish(admin, "terms")
            db.session.commit()
    return live_server


def test_member_signs_in_after_a_new_version_agrees_and_continues(page, server_with_new_terms):
    server = server_with_new_terms
    page.goto(server.url + "/login")
    page.get_by_label("ログインID").fill("hanako")
    page.get_by_label("パスワード").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()

    page.get_by_role("heading", name="改定された規約への同意のお願い").wait_for()
    assert page.locator("html").get_attribute("lang") == "ja" and page.title()
    assert run_axe(page) == [], page.url

    # Refused without the tick; the message is tied to the checkbox.
    page.get_by_role("button", name="同意して続ける").click()
    checkbox = page.get_by_label("利用規約とプライバシーポリシーに同意する")
    assert checkbox.get_attribute("aria-invalid") == "true"
    assert page.get_by_text("チェックを入れてください").is_visible()
    assert run_axe(page) == [], page.url

    # The new version is readable from the footer while still not agreed.
    page.get_by_role("contentinfo").get_by_role("link", name="利用規約").click()
    page.get_by_role("heading", name="第8条（附則）").wait_for()
    assert run_axe(page) == [], page.url
    page.goto(server.url + "/diaries")  # reading other pages works too
    assert "/terms/agree" not in page.url
    page.goto(server.url + "/terms/agree")

    page.get_by_label("利用規約とプライバシーポリシーに同意する").check()
    page.get_by_role("button", name="同意して続ける").click()
    page.get_by_text("現在の利用規約とプライバシーポリシーに同意しました").wait_for()
    assert "/terms/agree" not in page.url
    assert page.get_by_text("はなこさんでログイン中").count() >= 1
