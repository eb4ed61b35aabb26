"""日記を書く / 日記を読む on a kiosk: the diaries' own rules, step by step, nothing left behind."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from PIL import Image
from sqlalchemy import func, select

from community.diaries.models import DiaryEntry
from community.extensions import db
from community.media.models import Photo
from kiosk.models import KioskDiaryDraft
from tests.conftest import PASSWORD


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 90, 30)).save(out, "JPEG")
    return out.getvalue()


def kiosk_login(client, user):
    return client.post("/kiosk/login", data={"login_id": user.login_id, "password": PASSWORD})


def drafts() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(KioskDiaryDraft))


@pytest.fixture
def writer(client, enrol, member):
    enrol()
    kiosk_login(client, member)
    return member


def write_text(client, title="公園の桜", body="今日は桜がきれいでした。\n明日も行きます。"):
    return client.post("/kiosk/diaries/write", data={"title": title, "body": body})


def test_home_offers_writing_and_reading(client, writer):
    html = client.get("/kiosk/home").get_data(as_text=True)
    assert "/kiosk/diaries/write" in html and 'href="/kiosk/diaries"' in html


def test_step_by_step_with_a_photo_posts_through_the_diaries(client, writer):
    assert write_text(client).headers["Location"] == "/kiosk/diaries/write/readers"
    readers = client.get("/kiosk/diaries/write/readers").get_data(as_text=True)
    assert "友達だけ" in readers and "自分だけ" in readers and "会員のみんな" in readers
    # The diaries' own "who will be able to read it" sentence explains each choice.
    assert "自分だけが読めます。" in readers
    response = client.post("/kiosk/diaries/write/readers", data={"visibility": "friends"})
    assert response.headers["Location"] == "/kiosk/diaries/write/photo"
    photo_page = client.get("/kiosk/diaries/write/photo").get_data(as_text=True)
    assert 'accept="image/*"' in photo_page and 'capture="environment"' in photo_page
    response = client.post("/kiosk/diaries/write/photo", data={"photo": (io.BytesIO(jpeg()), "sakura.jpg")},
                           content_type="multipart/form-data")
    assert response.headers["Location"] == "/kiosk/diaries/write/check"
    check = client.get("/kiosk/diaries/write/check").get_data(as_text=True)
    assert "公園の桜" in check and "友達だけ" in check and "/kiosk/diaries/write/photo/preview" in check
    assert client.get("/kiosk/diaries/write/photo/preview").mimetype == "image/jpeg"
    posted = client.post("/kiosk/diaries/write/check")
    entry = db.session.scalar(select(DiaryEntry).where(DiaryEntry.author_id == writer.id))
    assert entry.title == "公園の桜" and entry.visibility == "friends"
    assert entry.body == "今日は桜がきれいでした。\n明日も行きます。"
    assert db.session.scalar(select(func.count()).select_from(Photo).where(Photo.owner_id == entry.id)) == 1
    assert posted.headers["Location"] == f"/kiosk/diaries/{entry.id}"
    assert "公園の桜" in client.get(posted.headers["Location"]).get_data(as_text=True)
    assert drafts() == 0  # posted: nothing of it stays in the draft


@pytest.mark.parametrize("visibility", ["members", "friends", "private", "public"])
def test_the_posted_entry_has_the_chosen_visibility(client, writer, visibility):
    write_text(client)
    client.post("/kiosk/diaries/write/readers", data={"visibility": visibility})
    client.post("/kiosk/diaries/write/photo", data={}, content_type="multipart/form-data")
    client.post("/kiosk/diaries/write/check")
    assert db.session.scalar(select(DiaryEntry.visibility).where(DiaryEntry.author_id == writer.id)) == visibility


def checked_visibility(html: str) -> list[str]:
    return [m for tag in re.findall(r"<input[^>]*>", html) if "checked" in tag and 'name="visibility"' in tag
            for m in re.findall(r'value="([^"]+)"', tag)]


def test_going_back_keeps_every_answer(client, writer):
    write_text(client, title="朝の散歩")
    client.post("/kiosk/diaries/write/readers", data={"visibility": "private"})
    # Back from the photo step, then back from the readers step: every answer is still there.
    back = client.post("/kiosk/diaries/write/photo", data={"go": "back"}, content_type="multipart/form-data")
    assert back.headers["Location"] == "/kiosk/diaries/write/readers"
    assert checked_visibility(client.get("/kiosk/diaries/write/readers").get_data(as_text=True)) == ["private"]
    # A choice changed before pressing もどる is kept too.
    back = client.post("/kiosk/diaries/write/readers", data={"visibility": "friends", "go": "back"})
    assert back.headers["Location"] == "/kiosk/diaries/write"
    text = client.get("/kiosk/diaries/write").get_data(as_text=True)
    assert "朝の散歩" in text and "今日は桜がきれいでした。" in text
    client.post("/kiosk/diaries/write", data={"title": "朝の散歩", "body": "今日は桜がきれいでした。"})
    assert checked_visibility(client.get("/kiosk/diaries/write/readers").get_data(as_text=True)) == ["friends"]


def test_a_step_changed_from_the_check_page_returns_to_it(client, writer):
    write_text(client)
    client.post("/kiosk/diaries/write/readers", data={"visibility": "members"})
    client.post("/kiosk/diaries/write/photo", data={}, content_type="multipart/form-data")
    page = client.get("/kiosk/diaries/write?from=check").get_data(as_text=True)
    assert "公園の桜" in page
    response = client.post("/kiosk/diaries/write?from=check", data={"title": "公園の桜（夜）", "body": "夜桜も。"})
    assert response.headers["Location"] == "/kiosk/diaries/write/check"
    check = client.get("/kiosk/diaries/write/check").get_data(as_text=True)
    assert "公園の桜（夜）" in check and "会員のみんな" in check


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "", "body": "本文"}, "タイトル"),
        ({"title": "題", "body": "   "}, "本文"),
        ({"title": "題" * 101, "body": "本文"}, "100"),
    ],
)
def test_bad_text_is_refused_in_japanese_and_kept(client, writer, data, message):
    response = write_text(client, **data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html and 'aria-invalid="true"' in html
    if data["title"]:
        assert data["title"] in html
    assert drafts() == 0


def test_a_file_that_is_not_a_photo_is_refused_and_the_text_kept(client, writer):
    write_text(client)
    client.post("/kiosk/diaries/write/readers", data={"visibility": "members"})
    response = client.post("/kiosk/diaries/write/photo", data={"photo": (io.BytesIO(b"%PDF-1.4 not a photo"), "a.jpg")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "PDF" in response.get_data(as_text=True)
    assert "公園の桜" in client.get("/kiosk/diaries/write/check").get_data(as_text=True)


def test_an_unknown_visibility_is_refused(client, writer):
    write_text(client)
    response = client.post("/kiosk/diaries/write/readers", data={"visibility": "everyone-in-the-world"})
    assert response.status_code == 400
    assert "選んでください" in response.get_data(as_text=True)


def test_later_steps_start_from_the_first_without_a_draft(client, writer):
    assert client.get("/kiosk/diaries/write/check").headers["Location"] == "/kiosk/diaries/write"
    assert client.post("/kiosk/diaries/write/check").headers["Location"] == "/kiosk/diaries/write"


WRITERS = [
    ("minor", {"birth_date": date(2014, 6, 1)}),
    ("unverified", {"status": "applied"}),
]


@pytest.mark.parametrize(("kind", "fields"), WRITERS)
@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/kiosk/diaries/write"), ("post", "/kiosk/diaries/write"), ("post", "/kiosk/diaries/write/readers"),
     ("post", "/kiosk/diaries/write/photo"), ("post", "/kiosk/diaries/write/check")],
)
def test_who_may_not_write_is_told_why_even_on_a_direct_post(client, enrol, make_user, kind, fields, method, path):
    user = make_user(kind, **fields)
    enrol()
    kiosk_login(client, user)
    response = getattr(client, method)(path, data={"title": "題", "body": "本文", "visibility": "members"})
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "日記を読む" in html  # reading is still offered
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(DiaryEntry)) == 0
    assert drafts() == 0


def test_read_feed_shows_only_what_the_policy_allows(client, enrol, make_user, member):
    author = make_user("author", nickname="はなこ")
    db.session.add_all([
        DiaryEntry(author_id=author.id, title="みんなへの日記", body="本文", visibility="members"),
        DiaryEntry(author_id=author.id, title="ひみつの日記", body="本文", visibility="private"),
    ])
    db.session.commit()
    secret = db.session.scalar(select(DiaryEntry.id).where(DiaryEntry.title == "ひみつの日記"))
    enrol()
    kiosk_login(client, member)
    feed = client.get("/kiosk/diaries").get_data(as_text=True)
    assert "みんなへの日記" in feed and "ひみつの日記" not in feed
    assert client.get(f"/kiosk/diaries/{secret}").status_code == 404


def test_read_feed_is_paginated(client, writer, make_user):
    author = make_user("author")
    db.session.add_all(
        DiaryEntry(author_id=author.id, title=f"日記{n:02d}", body="本文", visibility="members") for n in range(25)
    )
    db.session.commit()
    first = client.get("/kiosk/diaries").get_data(as_text=True)
    assert "/kiosk/diaries?page=2" in first
    assert client.get("/kiosk/diaries?page=2").status_code == 200


def test_finishing_warns_then_discards_the_unsent_draft(client, writer):
    write_text(client)
    assert drafts() == 1
    home = client.get("/kiosk/home").get_data(as_text=True)
    assert "書きかけの日記は消えます" in home  # on the おわる button
    assert "まだのせていない日記も消えます" in home.split('id="kiosk-idle"')[1]  # in the idle warning
    warned = client.post("/kiosk/logout")
    assert warned.status_code == 200 and "消えます" in warned.get_data(as_text=True)
    assert drafts() == 1
    done = client.post("/kiosk/logout", data={"discard": "1"})
    assert done.headers["Location"].startswith("/kiosk/?ended=logout")
    assert drafts() == 0


def test_timeout_discards_the_draft_without_asking(client, writer):
    write_text(client)
    response = client.post("/kiosk/logout", data={"reason": "timeout"})
    assert response.status_code == 303
    assert drafts() == 0


def test_the_draft_photo_belongs_to_this_visit_only(client, writer, app, enrol, make_user):
    write_text(client)
    client.post("/kiosk/diaries/write/readers", data={"visibility": "members"})
    client.post("/kiosk/diaries/write/photo", data={"photo": (io.BytesIO(jpeg()), "a.jpg")},
                content_type="multipart/form-data")
    other = app.test_client()
    enrol(on_client=other)
    other.post("/kiosk/login", data={"login_id": make_user("someone").login_id, "password": PASSWORD})
    assert other.get("/kiosk/diaries/write/photo/preview").status_code == 404
