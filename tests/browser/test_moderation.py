"""The whole moderation loop in a real browser, with axe on every moderation page.

A supporter reports a diary comment from the patrol view, staff see it at the top of the queue
and hide it with a rule, the author reads why and appeals, another staff member decides, and the
supporter sees the outcome under 「自分の通報」.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from community.accounts.models import User, normalize_login_id
from community.accounts.passwords import hash_password
from community.core.database import utcnow
from community.diaries.models import DiaryComment, DiaryEntry
from community.extensions import db
from tests.browser.conftest import run_axe

PASSWORD = "correct horse battery"


@pytest.fixture
def people(live_server):
    with live_server.app.app_context():
        password_hash = hash_password(PASSWORD)
        ids = {}
        for login_id, nickname, role in (
            ("diarist", "日記の人", "member"), ("commenter", "コメントの人", "member"),
            ("patrol", "見守りさん", "supporter"), ("staff1", "職員いち", "staff"), ("staff2", "職員に", "staff"),
            ("other", "ほかの人", "member"),
        ):
            user = User(login_id=login_id, login_key=normalize_login_id(login_id), nickname=nickname,
                        password_hash=password_hash, birth_date=date(1980, 5, 5), status="verified", role=role)
            db.session.add(user)
            db.session.flush()
            ids[login_id] = user.id
        entry = DiaryEntry(author_id=ids["diarist"], title="公園の桜", body="今日は桜がきれいでした。",
                           visibility="members", created_at=utcnow() - timedelta(hours=2))
        db.session.add(entry)
        db.session.flush()
        db.session.add(DiaryComment(entry_id=entry.id, author_id=ids["commenter"], body="あなたの住所を知っていますよ"))
        # An older, milder report already waiting, so "top of the queue" means something.
        other_entry = DiaryEntry(author_id=ids["other"], title="お店の宣伝", body="安いです",
                                 visibility="members", created_at=utcnow() - timedelta(days=1))
        db.session.add(other_entry)
        db.session.flush()
        from moderation import services

        with live_server.app.test_request_context():
            services.submit_report(db.session.get(User, ids["diarist"]), "diary_entry", other_entry.id, "spam", "")
        db.session.commit()
        return ids


def log_in(page, server, login_id):
    page.context.clear_cookies()
    page.goto(server.url + "/login")
    page.get_by_label("ログインID").fill(login_id)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()


def assert_accessible(page):
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.title()
    assert run_axe(page) == []


def test_the_whole_loop(page, live_server, people):
    url = live_server.url

    # The supporter finds the comment on patrol and reports it in one step.
    log_in(page, live_server, "patrol")
    page.goto(url + "/patrol")
    assert_accessible(page)
    item = page.locator("li", has_text="あなたの住所を知っていますよ")
    item.get_by_label("理由").select_option(label="個人情報の掲載")
    item.get_by_role("button", name="通報する").click()
    assert page.get_by_text("通報を市の職員に送りました").is_visible()
    page.goto(url + "/reports/mine")
    assert page.get_by_text("受付済み").first.is_visible()
    assert_accessible(page)

    # Staff see it first in the queue (personal information, reported by a supporter).
    log_in(page, live_server, "staff1")
    page.goto(url + "/moderation")
    assert_accessible(page)
    first_row = page.locator("tbody tr").first
    assert "あなたの住所を知っていますよ" in first_row.inner_text()
    assert "サポーターの通報あり" in first_row.inner_text()
    first_row.get_by_role("link").first.click()
    assert page.get_by_text("公園の桜").first.is_visible()  # the comment in its thread
    assert_accessible(page)
    page.get_by_role("button", name="担当する").click()
    page.get_by_label("非表示", exact=True).check()
    page.get_by_label("根拠とする規約").select_option(label="利用規約第5条第2号（他人の個人情報の掲載）")
    page.get_by_label("投稿者へのメモ").fill("他の方の住所に触れる書き込みは控えてください。")
    page.get_by_role("button", name="実行する").click()
    assert page.get_by_text("実行しました: 非表示").is_visible()
    assert_accessible(page)

    # The author sees what was done and why, and appeals.
    log_in(page, live_server, "commenter")
    page.goto(url + "/moderation/notices")
    assert page.get_by_text("利用規約第5条第2号").is_visible()
    assert page.get_by_text("他の方の住所に触れる書き込みは控えてください。").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="この判断に異議を申し立てる").click()
    assert_accessible(page)
    page.get_by_label("判断を見直してほしい理由").fill("冗談のつもりでした。住所は知りません。")
    page.get_by_role("button", name="異議を申し立てる").click()
    assert page.get_by_text("異議申し立てを送りました").is_visible()

    # The staff member who acted may not decide; another one does.
    log_in(page, live_server, "staff1")
    page.goto(url + "/moderation/appeals")
    page.get_by_role("link", name="日記のコメント").first.click()
    assert page.get_by_text("異議申し立ては、対応した職員とは別の職員が判断します。").is_visible()
    log_in(page, live_server, "staff2")
    page.goto(url + "/moderation/appeals")
    assert_accessible(page)
    page.get_by_role("link", name="日記のコメント").first.click()
    assert page.get_by_text("冗談のつもりでした。").is_visible()
    assert_accessible(page)
    page.get_by_label("対応を維持する").check()
    page.get_by_label("判断の理由（会員に表示されます）").fill("住所に触れる書き込みは冗談でも控えてください。")
    page.get_by_role("button", name="判断する").click()
    assert page.get_by_text("異議申し立てを判断し、会員に知らせました。").is_visible()

    # The author hears the decision; the supporter sees the outcome.
    log_in(page, live_server, "commenter")
    page.goto(url + "/moderation/notices")
    assert page.get_by_text("対応は維持されます").is_visible()
    log_in(page, live_server, "patrol")
    page.goto(url + "/reports/mine")
    # The hidden comment's text is no longer shown to the reporter, only that it is not shown.
    assert page.get_by_text("あなたの住所を知っていますよ").count() == 0
    item = page.locator("li", has_text="この内容は現在表示されていません")
    assert "対応済み" in item.inner_text()
    assert "非表示にしました" in item.inner_text()
    assert_accessible(page)


@pytest.mark.parametrize("path", ["/moderation/audit", "/moderation/stats", "/moderation?status=all"])
def test_staff_pages_are_accessible(page, live_server, people, path):
    log_in(page, live_server, "staff1")
    page.goto(live_server.url + path)
    assert_accessible(page)


def test_report_form_errors_are_accessible_and_keep_input(page, live_server, people):
    with live_server.app.app_context():
        comment_id = db.session.query(DiaryComment.id).scalar()
    log_in(page, live_server, "other")
    page.goto(f"{live_server.url}/report/diary_comment/{comment_id}")
    assert_accessible(page)
    page.get_by_label("その他", exact=True).check()
    page.get_by_role("button", name="通報を送る").click()
    assert page.get_by_text("この理由の場合は、問題の内容を具体的に書いてください。").is_visible()
    assert page.get_by_label("その他", exact=True).is_checked()
    assert_accessible(page)
