"""Questions to the city in a real browser: FAQ suggestions while typing, asking, the department
answering, the FAQ entry's 「このページは役に立ちましたか」; axe on every page."""

from __future__ import annotations

import pytest

from tests.browser.conftest import run_axe


@pytest.fixture
def demo_server(live_server):
    with live_server.app.app_context():
        from community.core.cli import load_demo

        load_demo()
    return live_server


def _login(page, url, login_id):
    page.goto(url + "/login")
    page.get_by_label("ログインID").fill(login_id)
    page.get_by_label("パスワード").fill("tsunagari-demo-2026")
    page.get_by_role("button", name="ログイン").click()


def test_ask_answer_and_feedback(page, demo_server):
    url = demo_server.url
    _login(page, url, "kenta")
    page.goto(url + "/questions/new")
    assert run_axe(page) == []
    page.get_by_label("担当課", exact=True).select_option(label="子育て支援課")
    page.get_by_label("タイトル", exact=True).press_sequentially("児童手当の申請はどこで", delay=20)
    suggestion = page.get_by_role("link", name="児童手当の申請の期限と方法")
    suggestion.wait_for(state="visible", timeout=5000)  # the demo FAQ entry, while typing
    page.get_by_label("質問の内容").fill("転入してきたばかりです。児童手当の申請はどの窓口ですか。")
    page.get_by_label("公開：質問と回答をだれでも読めます").check()
    page.get_by_role("button", name="質問を送る").click()
    assert page.get_by_text("質問を子育て支援課に送りました。").is_visible()
    question_url = page.url
    assert run_axe(page) == []
    page.get_by_role("button", name="ログアウト").click()

    _login(page, url, "staff-tanaka")
    page.goto(url + "/staff/questions")
    assert page.get_by_role("link", name="児童手当の申請はどこで").is_visible()
    assert run_axe(page) == []
    page.goto(question_url)
    page.get_by_label("回答", exact=True).fill("市役所1階の子育て支援課の窓口、またはマイナポータルで申請できます。")
    page.get_by_role("button", name="回答を投稿する").click()
    assert page.get_by_text("回答を投稿しました。").is_visible()
    assert page.get_by_text("回答済み").first.is_visible()
    assert run_axe(page) == []
    page.get_by_role("button", name="ログアウト").click()

    page.goto(url + "/faq/")
    assert run_axe(page) == []
    page.get_by_role("link", name="児童手当の申請の期限と方法").click()
    page.get_by_label("はい", exact=True).check()
    page.get_by_role("button", name="送信する").click()
    assert page.get_by_text("ご意見ありがとうございました。").first.is_visible()
    assert run_axe(page) == []
