"""A form sent twice posts once: a resend, a retry after a lost response, and a race."""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path

from PIL import Image
from sqlalchemy import func, select

from community.core.once import FormSubmission
from community.diaries.models import DiaryEntry
from community.extensions import db
from community.media.models import Photo


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (20, 120, 30)).save(out, "JPEG")
    return out.getvalue()


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def form_token(client) -> str:
    html = client.get("/diaries/new").get_data(as_text=True)
    return re.search(r'name="submission_id" value="([^"]+)"', html).group(1)


def post(client, token, title="二度押しの日記", **extra):
    data = {"title": title, "body": "本文です。", "visibility": "members", "submission_id": token} | extra
    return client.post("/diaries/new", data=data, content_type="multipart/form-data")


def test_the_form_carries_a_fresh_submission_id_each_time(client, auth, make_user):
    auth.login(make_user())
    assert form_token(client) != form_token(client)


def test_sending_the_same_form_again_posts_once_and_leads_to_the_first_post(app, client, auth, make_user):
    auth.login(make_user())
    token = form_token(client)
    first = post(client, token, photos=[(io.BytesIO(jpeg()), "a.jpg")])
    assert first.status_code == 302
    again = post(client, token, photos=[(io.BytesIO(jpeg()), "a.jpg")])
    assert again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]  # the entry the first send made
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "すでに送信されているため、もう一度は送信しませんでした" in page
    assert count(DiaryEntry) == 1 and count(Photo) == 1
    files = [p for p in (Path(app.config["UPLOAD_DIR"]) / "photos").rglob("*") if p.is_file()]
    assert len(files) == 2  # the first send's photo (two sizes); the second send's files were removed


def test_a_form_that_was_refused_can_be_sent_again_with_the_same_id(client, auth, make_user):
    auth.login(make_user())
    token = form_token(client)
    refused = post(client, token, title="")
    assert refused.status_code == 400 and count(FormSubmission) == 0
    assert post(client, token).status_code == 302
    assert count(DiaryEntry) == 1


def test_a_racing_double_click_posts_once(app, auth, client, make_user):
    """Two sends of one form at the same moment: one entry, and both get a redirect, never a 500."""
    auth.login(make_user())
    token = form_token(client)
    cookie = client.get_cookie("tsunagari_session").value
    barrier = threading.Barrier(2)
    statuses = []

    def send():
        other = app.test_client()
        other.set_cookie("tsunagari_session", cookie)
        barrier.wait()
        statuses.append(post(other, token).status_code)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [302, 303]
    assert count(DiaryEntry) == 1 and count(FormSubmission) == 1


def test_a_bad_or_missing_id_is_simply_not_protected(client, auth, make_user):
    auth.login(make_user())
    assert post(client, "short").status_code == 302
    assert post(client, "short").status_code == 302
    assert count(DiaryEntry) == 2 and count(FormSubmission) == 0


def test_another_integrity_error_is_still_the_ordinary_500_page(app, client, auth, make_user, monkeypatch):
    """The handler that answers second sends leaves every other constraint violation alone."""
    from sqlalchemy.exc import IntegrityError

    from community.diaries import services

    def clash(*args, **kwargs):
        raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))

    auth.login(make_user())
    monkeypatch.setattr(services, "create_entry", clash)
    response = post(client, form_token(client))
    assert response.status_code == 500
    assert "システムで問題が発生しました" in response.get_data(as_text=True)
