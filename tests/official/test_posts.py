"""Posting, corrections (訂正) with history and notifications, withdrawal, and bad input."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from community.extensions import db
from community.notifications.models import Notification
from community.official.models import OfficialPost, OfficialPostReaction, OfficialPostRevision


def _html(response) -> str:
    return response.get_data(as_text=True)


def test_staff_member_posts_and_everyone_reads_it_with_the_badge(client, auth, people, dept, login_as):
    login_as("staff_in")
    response = client.post("/official/posts/new", data={
        "account_id": dept.id, "title": "給水所の場所", "body": "中央公民館に給水所を開設しました。\n<script>alert(1)</script>",
        "submission_key": "k" * 32})
    assert response.status_code == 302
    post = db.session.scalar(select(OfficialPost))
    assert post.author_id == people["staff_in"].id
    auth.logout()
    html = _html(client.get(f"/official/posts/{post.id}"))
    assert "給水所の場所" in html
    assert "&lt;script&gt;" in html and "<script>alert" not in html
    assert 'class="official-badge"' in html and "公式" in html


def test_member_of_another_department_is_refused_with_a_message_and_keeps_the_text(
        client, people, dept, make_account, login_as):
    other = make_account("子育て支援課", slug="kosodate", members=[people["staff_other"]])
    login_as("staff_other")
    response = client.post("/official/posts/new", data={"account_id": dept.id, "title": "なりすまし",
                                                        "body": "防災課として書きたい"})
    assert response.status_code == 403
    html = _html(response)
    assert "このアカウントとして投稿できません" in html
    assert "防災課として書きたい" in html and 'value="なりすまし"' in html
    assert db.session.scalar(select(func.count()).select_from(OfficialPost)) == 0
    assert other.id != dept.id


def test_empty_title_or_body_is_a_form_error(client, dept, login_as):
    login_as("staff_in")
    response = client.post("/official/posts/new", data={"account_id": dept.id, "title": "", "body": "  本文だけ "})
    assert response.status_code == 400
    assert "タイトルを書いてください" in _html(response) and "本文だけ" in _html(response)


def test_double_submit_posts_once(client, dept, login_as):
    login_as("staff_in")
    data = {"account_id": dept.id, "title": "一度だけ", "body": "本文", "submission_key": "same-key-1234567890"}
    first = client.post("/official/posts/new", data=data)
    second = client.post("/official/posts/new", data=data)
    assert first.status_code == 302 and second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(OfficialPost)) == 1


def _correct(client, post_id, **data):
    return client.post(f"/official/posts/{post_id}/correct", data=data)


def test_correction_keeps_history_shows_it_and_notifies_helpful_readers(
        client, auth, people, dept, make_official_post, login_as):
    post = make_official_post(dept, people["staff_in"], title="防災訓練", body="11月30日に行います。")
    reader = people["member"]
    db.session.add(OfficialPostReaction(post_id=post.id, user_id=reader.id))
    db.session.commit()
    login_as("staff_in")
    response = _correct(client, post.id, title="防災訓練", body="12月1日に行います。", note="日付を訂正しました", version=1)
    assert response.status_code == 302
    db.session.expire_all()
    post = db.session.get(OfficialPost, post.id)
    assert post.version == 2 and post.body == "12月1日に行います。" and post.corrected_at is not None
    revision = db.session.scalar(select(OfficialPostRevision))
    assert (revision.old_body, revision.new_body, revision.note) == ("11月30日に行います。", "12月1日に行います。", "日付を訂正しました")
    auth.logout()
    html = _html(client.get(f"/official/posts/{post.id}"))
    assert "訂正あり" in html and "訂正の履歴" in html and "日付を訂正しました" in html
    assert "本文の変更箇所" in html
    # The change itself, marked for sight and for screen readers: 11→12 and 30→1 in 「11月30日」.
    assert "<del><span class=\"visually-hidden\">削除：</span>11</del><ins><span class=\"visually-hidden\">追加：</span>12</ins>月" in html
    assert "訂正前の全文" in html and "11月30日に行います。" in html  # the whole text before, on request
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d{1,2}:\d{2} 訂正", html)
    notes = db.session.scalars(select(Notification)).all()
    assert [(n.recipient_id, n.kind) for n in notes] == [(reader.id, "official_correction")]
    auth.login(reader)
    listing = _html(client.get("/notifications"))
    assert "防災課の投稿「防災訓練」が訂正されました" in listing


def test_correction_without_a_note_is_refused_and_keeps_the_text(client, people, dept, make_official_post, login_as):
    post = make_official_post(dept, people["staff_in"], title="防災訓練", body="旧本文")
    login_as("staff_in")
    response = _correct(client, post.id, title="防災訓練", body="書きかけの新しい本文", note="   ", version=1)
    assert response.status_code == 400
    html = _html(response)
    assert "何をなぜ訂正したのか" in html and "書きかけの新しい本文" in html
    db.session.expire_all()
    assert db.session.get(OfficialPost, post.id).body == "旧本文"


def test_stale_correction_is_refused_and_shows_the_current_text(
        client, people, dept, make_official_post, make_user, login_as):
    post = make_official_post(dept, people["staff_in"], title="防災訓練", body="元の本文")
    # Another member of the department corrected it after this form was opened (version 1).
    post.body, post.version = "ほかの職員が直した本文", 2
    db.session.commit()
    login_as("staff_in")
    response = _correct(client, post.id, title="防災訓練", body="私の修正", note="修正", version=1)
    assert response.status_code == 409
    html = _html(response)
    assert "ほかの人がこの投稿を変更しました" in html
    assert "ほかの職員が直した本文" in html and "私の修正" in html
    assert 'name="version" type="hidden" value="2"' in html
    db.session.expire_all()
    assert db.session.get(OfficialPost, post.id).body == "ほかの職員が直した本文"


def test_same_correction_sent_twice_is_saved_once(client, people, dept, make_official_post, login_as):
    post = make_official_post(dept, people["staff_in"], title="防災訓練", body="元")
    login_as("staff_in")
    data = {"title": "防災訓練", "body": "新", "note": "訂正", "version": 1}
    assert _correct(client, post.id, **data).status_code == 302
    again = _correct(client, post.id, **data)
    assert again.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(OfficialPostRevision)) == 1


def test_withdrawal_shows_the_notice_instead_of_the_body_and_never_deletes(
        client, auth, people, dept, make_official_post, login_as):
    post = make_official_post(dept, people["staff_in"], title="イベント中止", body="消えるべき本文")
    db.session.add(OfficialPostReaction(post_id=post.id, user_id=people["member"].id))
    db.session.commit()
    login_as("staff_in")
    empty = client.post(f"/official/posts/{post.id}/withdraw", data={"reason": ""})
    assert empty.status_code == 400 and "取り下げの理由を書いてください" in _html(empty)
    assert client.post(f"/official/posts/{post.id}/withdraw", data={"reason": "会場の都合で中止"}).status_code == 302
    again = client.post(f"/official/posts/{post.id}/withdraw", data={"reason": "会場の都合で中止"})
    assert again.status_code == 302  # a double submit: told it was already withdrawn
    auth.logout()
    html = _html(client.get(f"/official/posts/{post.id}"))
    assert "この投稿は取り下げられました" in html and "会場の都合で中止" in html
    assert "消えるべき本文" not in html
    assert db.session.get(OfficialPost, post.id) is not None
    account_page = _html(client.get("/official/bousai"))
    assert "イベント中止" in account_page and "取り下げ" in account_page
    kinds = [n.kind for n in db.session.scalars(select(Notification))]
    assert kinds == ["official_withdrawal"]


def test_withdrawn_post_cannot_be_corrected(client, people, dept, make_official_post, login_as):
    from community.core.database import utcnow

    post = make_official_post(dept, people["staff_in"], withdrawn_at=utcnow(), withdrawn_reason="誤り")
    login_as("staff_in")
    response = _correct(client, post.id, title="x", body="y", note="z", version=1)
    assert response.status_code == 409
    assert "取り下げられたため、訂正できません" in _html(response)


def test_account_page_is_paginated_newest_first(client, people, dept, make_official_post):
    from datetime import timedelta

    from community.core.database import utcnow

    now = utcnow()
    for i in range(23):
        make_official_post(dept, people["staff_in"], title=f"投稿{i:02d}", created_at=now - timedelta(hours=i))
    first = _html(client.get("/official/bousai"))
    assert first.index("投稿00") < first.index("投稿01")
    assert "投稿19" in first and "投稿20" not in first
    assert "2ページ中 1ページ目" in first and "前の公式投稿へ" in first
    second = _html(client.get("/official/bousai?page=2"))
    assert "投稿22" in second and "投稿00" not in second


def test_racing_corrections_from_the_same_version_save_only_the_first(app, people, dept, make_official_post):
    """The version check is made by the UPDATE itself, so a correction committed by someone else
    between reading the post and saving is caught even though this session still sees version 1."""
    import pytest
    from sqlalchemy import update

    from community.official import services

    post = make_official_post(dept, people["staff_in"], title="防災訓練", body="元の本文")
    assert post.version == 1  # loaded in this session
    with db.engine.begin() as other:  # another worker's correction, committed meanwhile
        other.execute(update(OfficialPost).where(OfficialPost.id == post.id).values(body="先に直した本文", version=2))
    with app.test_request_context(), pytest.raises(services.StaleEdit):
        services.correct_post(people["staff_in"], post, title="防災訓練", body="後から直した本文", note="訂正",
                              version=1)
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(OfficialPost, post.id).body == "先に直した本文"
    assert db.session.scalars(select(OfficialPostRevision)).all() == []
