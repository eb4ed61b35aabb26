"""Writing, editing, commenting and liking diaries, as a member would notice it."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from PIL import Image
from sqlalchemy import event, func, select

from community.diaries.models import DiaryComment, DiaryEntry, DiaryLike
from community.extensions import db
from community.media.models import Photo
from community.notifications.models import Notification


def jpeg(size=(800, 600)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (120, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def post_entry(client, **fields):
    data = {"title": "今日の日記", "body": "本文です。", "visibility": "members"} | fields
    return client.post("/diaries/new", data=data, content_type="multipart/form-data")


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def test_form_says_who_can_read_and_uses_the_default_visibility(client, auth, make_user, befriend):
    author = make_user("author")
    for n in range(3):
        befriend(author, make_user(f"friend{n}"))
    auth.login(author)
    html = client.get("/diaries/new").get_data(as_text=True)
    assert "友達（3人）と自分だけが読めます" in html
    assert "ログインしていない人も含めて、だれでも読めます" in html
    assert re.search(r'value="members"[^>]*checked|checked[^>]*value="members"', html)
    client.post("/diaries/settings", data={"default_visibility": "friends"})
    html = client.get("/diaries/new").get_data(as_text=True)
    assert re.search(r'value="friends"[^>]*checked|checked[^>]*value="friends"', html)


def test_post_with_photo_links_and_line_breaks(client, auth, make_user):
    auth.login(make_user("author"))
    response = post_entry(client, body="1行目\n2行目 https://example.jp/?a=1", photos=[(io.BytesIO(jpeg()), "a.jpg")])
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1行目<br>" in html
    assert '<a href="https://example.jp/?a=1" rel="nofollow ugc noopener">' in html
    photo = db.session.scalar(select(Photo))
    assert f"/photos/{photo.token}/display" in html


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"body": ""}, "本文を書いてください"),
        ({"body": " \n\u3000\t \u200b"}, "本文を書いてください"),
        ({"title": "\u200b\u202e "}, "タイトルを書いてください"),
        ({"body": "あ" * 1_048_576}, "本文は20,000文字までです（いまは1,048,576文字です）"),
        ({"title": "題" * 101}, "タイトルは100文字までです"),
        ({"visibility": "everyone"}, "Not a valid choice"),
        ({"visibility": "selected"}, "読める人かリストを1つ以上選んでください"),
    ],
    ids=["empty", "whitespace-and-zero-width", "invisible-title", "1mb-body", "long-title", "bad-visibility",
         "selected-nobody"],
)
def test_bad_text_is_refused_and_what_was_typed_is_kept(client, auth, make_user, fields, message):
    auth.login(make_user("author"))
    response = post_entry(client, **({"title": "残したい題"} | fields))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    if message != "Not a valid choice":
        assert message in html
    if "title" not in fields:
        assert 'value="残したい題"' in html
    assert count(DiaryEntry) == 0


@pytest.mark.parametrize(
    "data, message",
    [
        (b"%PDF-1.4\n" + b"0" * 1000, "写真として使えません"),
        (jpeg()[:3000], "最後まで読み込めませんでした"),
    ],
    ids=["renamed-pdf", "truncated-jpeg"],
)
def test_bad_photo_stores_nothing_and_keeps_the_text(app, client, auth, make_user, data, message):
    auth.login(make_user("author"))
    response = post_entry(client, title="写真つき", body="本文は残る",
                          photos=[(io.BytesIO(jpeg()), "good.jpg"), (io.BytesIO(data), "photo.jpg")])
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html and "写真（2枚目）" in html and "本文は残る" in html
    assert count(DiaryEntry) == 0 and count(Photo) == 0
    from pathlib import Path

    assert not [p for p in (Path(app.config["UPLOAD_DIR"])).rglob("*") if p.is_file()]


def test_five_photos_are_refused(client, auth, make_user):
    auth.login(make_user("author"))
    response = post_entry(client, photos=[(io.BytesIO(jpeg((64, 64))), f"{n}.jpg") for n in range(5)])
    assert response.status_code == 400 and "写真は4枚までです" in response.get_data(as_text=True)


def test_html_script_bidi_emoji_and_surrogates(client, auth, make_user):
    auth.login(make_user("author"))
    title = '<script>alert("t")</script>𠮷野家👨\u200d👩\u200d👧'
    body = '<img src=x onerror=alert(1)> <a href="javascript:alert(1)">x</a>\u202eexe.png 𠮷'
    response = post_entry(client, title=title, body=body, visibility="public")
    assert response.status_code == 302
    entry = db.session.scalar(select(DiaryEntry))
    assert "\u202e" not in entry.body and "𠮷" in entry.body
    assert entry.title.endswith("👨\u200d👩\u200d👧")  # the joiner inside an emoji family survives
    for url in (f"/diaries/{entry.id}", "/diaries"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html and 'href="javascript' not in html
        assert "&lt;script&gt;" in html
    client.post(f"/diaries/{entry.id}/comments", data={"body": "<b>太字</b>\u200b"})
    html = client.get(f"/diaries/{entry.id}").get_data(as_text=True)
    assert "&lt;b&gt;太字&lt;/b&gt;" in html


def test_someone_elses_entry_cannot_be_edited_or_deleted_by_id(client, auth, make_user, make_entry):
    owner, other = make_user("owner"), make_user("other")
    entry = make_entry(owner, "public", title="元の題")
    auth.login(other)
    assert client.get(f"/diaries/{entry.id}/edit").status_code == 404
    assert client.post(f"/diaries/{entry.id}/edit", data={"title": "乗っ取り", "body": "x",
                                                          "visibility": "public"}).status_code == 404
    assert client.post(f"/diaries/{entry.id}/delete").status_code == 404
    private = make_entry(owner, "private")
    assert client.get(f"/diaries/{private.id}").status_code == 404
    db.session.expire_all()
    assert db.session.get(DiaryEntry, entry.id).title == "元の題"


def test_changing_visibility_takes_effect_everywhere_at_once(client, auth, make_user, make_entry, make_comment):
    author, reader = make_user("author"), make_user("reader")
    entry = make_entry(author, "members", title="見える題")
    auth.login(author)
    client.post(f"/diaries/{entry.id}/edit", data={"title": "見える題", "body": "b", "visibility": "members"},
                content_type="multipart/form-data")
    photo_token = None
    client.post(f"/diaries/{entry.id}/edit", content_type="multipart/form-data",
                data={"title": "見える題", "body": "b", "visibility": "members",
                      "photos": [(io.BytesIO(jpeg()), "p.jpg")]})
    photo_token = db.session.scalar(select(Photo.token))
    comment = make_comment(entry, reader)
    db.session.add(Notification(recipient_id=reader.id, kind="diary_reply", target_type="diary_comment",
                                target_id=comment.id))
    db.session.commit()
    auth.logout()
    auth.login(reader)
    assert client.get(f"/photos/{photo_token}/thumb").status_code == 200
    assert "見える題" in client.get("/notifications").get_data(as_text=True)
    auth.logout()
    auth.login(author)
    client.post(f"/diaries/{entry.id}/edit", data={"title": "見える題", "body": "b", "visibility": "private"},
                content_type="multipart/form-data")
    auth.logout()
    auth.login(reader)
    assert client.get(f"/diaries/{entry.id}").status_code == 404
    assert "見える題" not in client.get("/diaries").get_data(as_text=True)
    assert client.get(f"/photos/{photo_token}/thumb").status_code == 404
    assert "見える題" not in client.get("/notifications").get_data(as_text=True)


def test_comment_notifies_author_and_earlier_commenters(client, auth, make_user, make_entry):
    author, first, second = make_user("author"), make_user("first"), make_user("second")
    entry = make_entry(author, "members", title="話題")
    for user in (first, second):
        auth.login(user)
        assert client.post(f"/diaries/{entry.id}/comments", data={"body": f"{user.login_id}です"}).status_code == 302
        auth.logout()
    kinds = {(n.recipient_id, n.kind) for n in db.session.scalars(select(Notification))}
    assert kinds == {(author.id, "diary_comment"), (first.id, "diary_reply")}
    auth.login(first)
    assert "secondさんが、あなたがコメントした日記「話題」にコメントしました" in client.get("/notifications").get_data(
        as_text=True)


def test_author_deletes_a_comment_others_cannot(client, auth, make_user, make_entry, make_comment):
    author, commenter, other = make_user("author"), make_user("commenter"), make_user("other")
    entry = make_entry(author, "members")
    comment = make_comment(entry, commenter, body="消されるコメント")
    auth.login(other)
    assert client.post(f"/diaries/comments/{comment.id}/delete").status_code == 404
    auth.logout()
    auth.login(author)
    assert client.post(f"/diaries/comments/{comment.id}/delete").status_code == 302
    assert count(DiaryComment) == 0


def test_blocked_member_cannot_comment_or_like_and_sees_why_not(client, auth, make_user, make_entry, block):
    author, blocked = make_user("author"), make_user("blocked")
    entry = make_entry(author, "public")
    block(author, blocked)
    auth.login(blocked)
    html = client.get(f"/diaries/{entry.id}").get_data(as_text=True)
    assert "この日記にはコメントできません" in html and 'name="body"' not in html
    assert client.post(f"/diaries/{entry.id}/comments", data={"body": "x"}).status_code == 403
    assert client.post(f"/diaries/{entry.id}/like").status_code == 403
    assert count(DiaryComment) == 0 and count(DiaryLike) == 0


def test_minor_reads_but_is_told_why_they_cannot_write(client, auth, make_user, make_entry):
    author = make_user("author")
    minor = make_user("minor", birth_date=date(date.today().year - 12, 6, 1))
    entry = make_entry(author, "members", title="会員向け")
    auth.login(minor)
    html = client.get(f"/diaries/{entry.id}").get_data(as_text=True)
    assert "会員向け" in html and "中学生以下の方は、読むことはできますが投稿はできません" in html
    assert 'name="body"' not in html
    response = client.get("/diaries/new")
    assert response.status_code == 403 and "日記は書けません" in response.get_data(as_text=True)
    assert client.post(f"/diaries/{entry.id}/comments", data={"body": "x"}).status_code == 403


def test_likes_show_who_liked(client, auth, make_user, make_entry):
    author, fan = make_user("author"), make_user("fan", nickname="ファンさん")
    entry = make_entry(author, "members")
    auth.login(fan)
    client.post(f"/diaries/{entry.id}/like")
    html = client.get(f"/diaries/{entry.id}").get_data(as_text=True)
    assert "いいね（1件）" in html and "ファンさん" in html and "いいねを取り消す" in html
    client.post(f"/diaries/{entry.id}/like", data={"undo": "1"})
    assert count(DiaryLike) == 0


def test_selected_list_with_blocked_and_withdrawn_members(client, auth, make_user, make_entry, make_list, block):
    author = make_user("author")
    kept, blocker, gone = make_user("kept"), make_user("blocker"), make_user("gone")
    circle = make_list(author, "子育て仲間", [kept, blocker, gone])
    entry = make_entry(author, "selected", title="仲間だけ", lists=[circle])
    block(blocker, author)
    gone.status = "withdrawn"
    db.session.commit()
    for user, readable in ((kept, True), (blocker, True), (gone, False)):
        auth.login(user)
        status = client.get(f"/diaries/{entry.id}").status_code
        auth.logout()
        assert (status == 200) is readable, user.login_id
    # The author blocking someone in the list removes them at once.
    block(author, kept)
    auth.login(kept)
    assert client.get(f"/diaries/{entry.id}").status_code == 404


def test_selecting_a_non_friend_by_id_is_refused(client, auth, make_user, befriend):
    author, friend, stranger = make_user("author"), make_user("friend"), make_user("stranger")
    befriend(author, friend)
    auth.login(author)
    response = post_entry(client, visibility="selected", audience_members=[str(friend.id), str(stranger.id)])
    assert response.status_code == 400 and "選べない人が含まれています" in response.get_data(as_text=True)
    assert count(DiaryEntry) == 0


def test_expired_login_while_writing_shows_the_text_back(client):
    response = client.post("/diaries/new", data={"title": "消えない題", "body": "長い文章"})
    html = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "消えない題" in html and "長い文章" in html and "もう一度ログイン" in html


def test_feeds_member_page_and_archive_without_n_plus_one(app, client, auth, make_user, make_entry, befriend,
                                                          make_comment):
    viewer = make_user("viewer")
    authors = [make_user(f"writer{n}") for n in range(6)]
    for author in authors:
        befriend(author, viewer)
        for n in range(3):
            entry = make_entry(author, "friends", title=f"{author.login_id}-{n}")
            make_comment(entry, author)
    auth.login(viewer)
    statements = []

    def counter(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", counter)
    try:
        html = client.get("/diaries/friends").get_data(as_text=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)
    assert "writer5-2" in html and "コメント 1件" in html
    assert len(statements) < 15, statements
    html = client.get(f"/diaries/members/{authors[0].id}").get_data(as_text=True)
    assert "writer0-0" in html and "年" in html and "月" in html
    today = date.today()
    html = client.get(f"/diaries/members/{authors[0].id}/{today.year}/{today.month}").get_data(as_text=True)
    assert "writer0-1" in html
    html = client.get(f"/diaries/members/{authors[0].id}/2001/1").get_data(as_text=True)
    assert "writer0-1" not in html


def test_delete_entry_removes_photos_comments_and_notifications(client, auth, make_user):
    author, reader = make_user("author"), make_user("reader")
    auth.login(author)
    post_entry(client, photos=[(io.BytesIO(jpeg()), "p.jpg")])
    entry = db.session.scalar(select(DiaryEntry))
    auth.logout()
    auth.login(reader)
    client.post(f"/diaries/{entry.id}/comments", data={"body": "こんにちは"})
    auth.logout()
    auth.login(author)
    assert count(Notification) == 1
    assert client.post(f"/diaries/{entry.id}/delete").status_code == 302
    assert count(DiaryEntry) == 0 and count(Photo) == 0 and count(DiaryComment) == 0 and count(Notification) == 0


def test_withdrawal_hook_and_export(app, make_user, make_entry, make_comment):
    from community.diaries.hooks import export, withdraw

    author, other = make_user("author"), make_user("other")
    entry = make_entry(author, "private", title="秘密")
    theirs = make_entry(other, "members")
    make_comment(theirs, author, body="残るかも")
    with app.test_request_context():
        title, rows = export(author)
    assert title == "日記とコメント" and {r["type"] for r in rows} == {"diary_entry", "diary_comment"}
    withdraw(author, keep=True)
    db.session.commit()
    assert db.session.get(DiaryEntry, entry.id) is None
    assert count(DiaryComment) == 1
    withdraw(author, keep=False)
    db.session.commit()
    assert count(DiaryComment) == 0
