"""A full disk loses nothing a member typed, and reading keeps working.

Faults are injected with the `disk_full` fixture (tests/conftest.py): every write statement raises
the database driver's own disk-full error (sqlite3's "database or disk is full", PostgreSQL's
DiskFull 53100, as SQLAlchemy wraps them), or every commit raises OSError(ENOSPC).
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from community.accounts.models import UserSession
from community.circles.models import CircleMembership, Post, Topic
from community.core.database import utcnow
from community.diaries.models import DiaryComment, DiaryEntry
from community.extensions import db
from community.media.models import Photo
from community.questions.models import Question
from tests.core.test_double_submit_forms import department, diary_entry, hidden_id, make_circle, rows, sign_in
from tests.scale_out.test_faults import noisy_jpeg

KEPT = "ただいまサーバーに保存できませんでした。入力した内容は下に残っています。しばらくしてからもう一度送信してください"
FAULTS = ["database", "oserror"]


def diary_new(client, make_user):
    sign_in(client, make_user())
    page = client.get("/diaries/new").get_data(as_text=True)
    return "/diaries/new", {"title": "川沿いの桜", "body": "今朝、川沿いの桜が\n満開でした。",
                            "visibility": "members", "submission_id": hidden_id(page, "submission_id", "")}, \
        lambda: rows(DiaryEntry)


def topic_reply(client, make_user):
    owner = make_user()
    circle = make_circle(owner)
    topic = Topic(circle_id=circle.id, author_id=owner.id, title="集まり")
    db.session.add(topic)
    db.session.flush()
    db.session.add(Post(topic_id=topic.id, circle_id=circle.id, author_id=owner.id, body="最初の書き込み"))
    db.session.commit()
    sign_in(client, owner)
    return f"/circles/topics/{topic.id}/reply", {"body": "次回は<b>公民館</b>で参加します。"}, lambda: rows(Post) - 1


def diary_comment(client, make_user):
    entry = diary_entry(make_user())
    sign_in(client, make_user())
    return f"/diaries/{entry.id}/comments", {"body": "素敵な写真ですね。"}, lambda: rows(DiaryComment)


def question_ask(client, make_user):
    account = department(make_user(role="staff"))
    sign_in(client, make_user())
    return "/questions/new", {"account_id": str(account.id), "title": "避難所の場所",
                              "body": "近くの避難所はどこですか。", "visibility": "public"}, lambda: rows(Question)


FORMS = [diary_new, topic_reply, diary_comment, question_ask]


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("setup", FORMS, ids=lambda f: f.__name__)
def test_a_form_sent_to_a_full_disk_comes_back_with_what_was_typed(client, make_user, disk_full, setup, fault):
    url, data, count = setup(client, make_user)
    before = count()
    disk_full.fill(fault)
    response = client.post(url, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert KEPT in html
    assert count() == before  # nothing half-written
    body = data["body"]
    assert str(_escaped(body)) in html
    assert "<b>" not in html  # what was typed is shown as text, never as markup
    resend = next(f for f in re.findall(r"<form\b.*?</form>", html, re.S) if "kept-" in f)
    assert f'action="{url}"' in resend and 'name="csrf_token"' in resend
    assert re.search(r'<textarea[^>]*name="body"[^>]*>' + re.escape(str(_escaped(body))) + "</textarea>", resend)
    if "submission_id" in data:  # the same double-submit id: a resend after a save that did happen posts once
        assert f'name="submission_id" value="{data["submission_id"]}"' in resend


def _escaped(text: str):
    from markupsafe import escape

    return escape(text)


def resend_data(html: str) -> dict:
    """What the kept page's form sends: its hidden and editable fields, as the browser would."""
    from html import unescape

    form = next(f for f in re.findall(r"<form\b.*?</form>", html, re.S) if "kept-" in f)
    data = {}
    for tag in re.findall(r"<input\b[^>]*>", form):
        name, value = re.search(r'name="([^"]*)"', tag), re.search(r'value="([^"]*)"', tag)
        if name:
            data[unescape(name.group(1))] = unescape(value.group(1)) if value else ""
    for name, value in re.findall(r'<textarea[^>]*name="([^"]*)"[^>]*>(.*?)</textarea>', form, re.S):
        data[unescape(name)] = unescape(value)
    return data


def test_the_kept_form_sent_again_once_there_is_room_is_saved_once(client, make_user, disk_full):
    url, data, count = diary_new(client, make_user)
    disk_full.fill()
    kept = client.post(url, data=data).get_data(as_text=True)
    disk_full.free()
    again = resend_data(kept)
    assert again["body"] == data["body"] and again["submission_id"] == data["submission_id"]
    assert client.post(url, data=again).status_code == 302  # posted
    twice = client.post(url, data=again, follow_redirects=True)  # sent once more: told, not posted twice
    assert "すでに送信されているため" in twice.get_data(as_text=True)
    assert count() == 1


def test_what_was_typed_comes_back_but_never_passwords_codes_or_tokens(client, make_user, disk_full):
    user = make_user()
    sign_in(client, user)
    disk_full.fill()
    response = client.post("/diaries/new", data={"title": "題", "body": "本文", "visibility": "members",
                                                 "password": "hunter2-secret", "csrf_token": "old-token-value",
                                                 "code": "INVITE-SECRET"})
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert 'value="題"' in html
    assert "hunter2-secret" not in html and "old-token-value" not in html and "INVITE-SECRET" not in html
    assert "パスワードやコードは残していません" in html


def test_a_photo_written_before_the_failed_save_is_removed(app, client, make_user, disk_full):
    sign_in(client, make_user())
    disk_full.fill("oserror")  # at the commit, after the photo's files were written
    response = client.post("/diaries/new", data={
        "title": "写真つき", "body": "公園の写真です。", "visibility": "members",
        "photos": [(io.BytesIO(noisy_jpeg()), "park.jpg")],
    }, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "公園の写真です。" in html
    assert "写真は残っていません" in html
    assert rows(Photo) == 0
    assert not [p for p in (Path(app.config["UPLOAD_DIR"]) / "photos").rglob("*") if p.is_file()]


def test_reading_pages_keep_working_while_writes_fail(client, make_user, disk_full):
    owner = make_user()
    circle = make_circle(owner)
    entry = diary_entry(owner)
    sign_in(client, owner)
    # Due for the writes that accompany reading: "last seen" and the circle's "read up to".
    long_ago = utcnow() - timedelta(hours=1)
    db.session.execute(update(UserSession).values(last_seen_at=long_ago))
    db.session.execute(update(CircleMembership).values(last_read_at=long_ago))
    db.session.commit()
    disk_full.fill()
    for page in ("/", f"/diaries/{entry.id}", f"/circles/{circle.id}", "/circles/"):
        response = client.get(page)
        assert response.status_code == 200, page
        assert "ログアウト" in response.get_data(as_text=True), page  # still signed in
    assert entry.title in client.get(f"/diaries/{entry.id}").get_data(as_text=True)


def test_when_the_layout_cannot_be_drawn_the_form_still_comes_back(client, make_user, disk_full, monkeypatch):
    url, data, count = diary_new(client, make_user)
    disk_full.fill()

    def database_gone(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr("community.core.layout.can", database_gone)  # the navigation asks the database
    response = client.post(url, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert KEPT in html
    assert re.search(r'<textarea[^>]*name="body"[^>]*>' + re.escape(str(_escaped(data["body"]))), html)
    assert count() == 0
