"""Friends and blocks in a real browser: request, accept, block; every social page passes axe."""

from __future__ import annotations

from datetime import date

import pytest

from community.accounts.models import User, normalize_login_id
from community.accounts.passwords import hash_password
from community.extensions import db
from community.social.models import Friendship
from tests.browser.conftest import run_axe

PASSWORD = "correct horse battery"


@pytest.fixture
def two_members(live_server):
    with live_server.app.app_context():
        password_hash = hash_password(PASSWORD)
        people = {}
        for login_id, nickname in (("aoi", "あおい"), ("riku", "りく")):
            user = User(login_id=login_id, login_key=normalize_login_id(login_id), nickname=nickname,
                        password_hash=password_hash, birth_date=date(1985, 5, 5), status="verified",
                        bio=f"{nickname}の自己紹介です")
            db.session.add(user)
            people[login_id] = user
        db.session.commit()
        return {k: v.id for k, v in people.items()}


def log_in(page, server, login_id):
    page.goto(server.url + "/login")
    page.get_by_label("ログインID").fill(login_id)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()


def assert_accessible(page):
    assert page.locator("html").get_attribute("lang") == "ja"
    assert run_axe(page) == []


def test_two_members_become_friends_and_one_blocks_the_other(browser, live_server, two_members):
    aoi_ctx = browser.new_context(locale="ja-JP", bypass_csp=True)
    riku_ctx = browser.new_context(locale="ja-JP", bypass_csp=True)
    aoi, riku = aoi_ctx.new_page(), riku_ctx.new_page()
    log_in(aoi, live_server, "aoi")
    log_in(riku, live_server, "riku")

    # あおい opens りく's profile and sends a request.
    aoi.goto(f"{live_server.url}/members/{two_members['riku']}")
    assert aoi.get_by_role("heading", name="りくさんのプロフィール").is_visible()
    assert_accessible(aoi)
    aoi.get_by_role("button", name="友達申請を送る").click()
    assert aoi.get_by_text("りくさんに友達申請を送りました").is_visible()
    assert_accessible(aoi)

    # りく sees it on the friends page (reached from the main navigation) and accepts.
    riku.goto(live_server.url + "/")
    riku.get_by_role("navigation", name="メイン").get_by_role("link", name="友達").click()
    assert riku.get_by_role("link", name="あおい").is_visible()
    assert_accessible(riku)
    riku.get_by_role("button", name="あおいさんからの申請を承認").click()
    assert riku.get_by_text("あおいさんと友達になりました").is_visible()
    assert riku.get_by_role("heading", name="友達一覧").is_visible()
    assert_accessible(riku)

    # りく blocks あおい after reading what that means.
    riku.goto(f"{live_server.url}/members/{two_members['aoi']}")
    assert riku.get_by_text("友達です。").is_visible()
    riku.get_by_role("link", name="この会員をブロックする").click()
    assert riku.get_by_text("友達ではなくなります").is_visible()
    assert_accessible(riku)
    riku.get_by_role("button", name="ブロックする").click()
    assert riku.get_by_text("あおいさんをブロックしました").is_visible()
    assert riku.get_by_role("button", name="あおいさんのブロックを解除").is_visible()
    assert_accessible(riku)

    # あおい no longer sees りく's profile, and they are no longer friends.
    response = aoi.goto(f"{live_server.url}/members/{two_members['riku']}")
    assert response.status == 404
    aoi.goto(live_server.url + "/friends")
    assert aoi.get_by_text("まだ友達はいません").is_visible()
    aoi_ctx.close()
    riku_ctx.close()


@pytest.mark.parametrize("path", ["/settings/profile", "/settings/blocks", "/settings/export", "/settings/withdraw",
                                  "/friends"])
def test_settings_pages_are_accessible(page, live_server, two_members, path):
    log_in(page, live_server, "aoi")
    page.goto(live_server.url + path)
    assert page.title()
    assert_accessible(page)


def test_profile_form_errors_are_accessible_and_keep_input(page, live_server, two_members):
    log_in(page, live_server, "aoi")
    page.goto(live_server.url + "/settings/profile")
    page.get_by_label("ニックネーム", exact=True).fill("")
    page.get_by_label("自己紹介", exact=True).fill("書きかけの自己紹介")
    page.get_by_role("button", name="保存する").click()
    assert page.get_by_text("ニックネームを入力してください").first.is_visible()
    assert page.get_by_label("自己紹介", exact=True).input_value() == "書きかけの自己紹介"
    assert_accessible(page)


def test_a_pupil_sees_why_and_saving_the_profile_keeps_the_self_introduction(page, live_server):
    """The real browser does not send the disabled field, so the bio written before is kept."""
    with live_server.app.app_context():
        pupil = User(login_id="mei", login_key=normalize_login_id("mei"), nickname="めい",
                     password_hash=hash_password(PASSWORD), birth_date=date(date.today().year - 13, 6, 1),
                     status="verified", bio="前に書いた自己紹介")
        db.session.add(pupil)
        db.session.commit()
        pupil_id = pupil.id
    log_in(page, live_server, "mei")
    page.goto(live_server.url + "/settings/profile")
    bio = page.get_by_label("自己紹介", exact=True)
    assert bio.is_disabled() and bio.input_value() == "前に書いた自己紹介"
    assert page.get_by_text("中学生以下の方は、読むことはできますが投稿はできません", exact=False).is_visible()
    assert_accessible(page)
    page.get_by_label("ニックネーム", exact=True).fill("めいめい")
    page.get_by_role("button", name="保存する").click()
    assert page.get_by_text("プロフィールを保存しました").is_visible()
    with live_server.app.app_context():
        saved = db.session.get(User, pupil_id)
        assert (saved.nickname, saved.bio) == ("めいめい", "前に書いた自己紹介")


def test_friends_page_buttons_say_what_they_show(browser, live_server, two_members):
    """Speech-input users say the visible label: each button's name must contain it [WCAG 2.5.3]."""
    with live_server.app.app_context():
        db.session.add(Friendship(requester_id=two_members["riku"], addressee_id=two_members["aoi"]))
        db.session.commit()
    context = browser.new_context(locale="ja-JP", bypass_csp=True)
    page = context.new_page()
    log_in(page, live_server, "aoi")
    page.goto(live_server.url + "/friends")
    assert run_axe(page, rules=["label-content-name-mismatch"]) == []
    assert page.get_by_role("button", name="りくさんからの申請を承認する").is_visible()
    context.close()
