"""Editing my profile: limits, odd Unicode, input kept on error."""

from __future__ import annotations

import unicodedata

import pytest

from community.accounts.models import User
from community.extensions import db
from community.social.models import ProfileSettings
from community.social.text import clean_line, clean_text
from tests.social.conftest import minor_birth_date


def form(**overrides):
    data = {"nickname": "はなこ", "bio": "よろしくお願いします", "district_id": "",
            "bio_visibility": "members", "district_visibility": "friends", "avatar_visibility": "members"}
    data.update(overrides)
    return data


def test_save_profile_and_visibility(client, auth, make_user, make_district):
    user = make_user()
    district = make_district("南地区")
    auth.login(user)
    response = client.post("/settings/profile", data=form(district_id=str(district.id), public_nickname="y"),
                           follow_redirects=True)
    assert "プロフィールを保存しました" in response.get_data(as_text=True)
    db.session.expire_all()
    saved = db.session.get(User, user.id)
    assert (saved.nickname, saved.bio, saved.district_id) == ("はなこ", "よろしくお願いします", district.id)
    settings = db.session.get(ProfileSettings, user.id)
    assert settings.public_nickname and settings.district_visibility == "friends"
    # The form shows the saved values next time.
    page = client.get("/settings/profile").get_data(as_text=True)
    assert 'value="はなこ"' in page and "selected" in page


@pytest.mark.parametrize(("overrides", "message"), [
    ({"nickname": ""}, "ニックネームを入力してください"),
    ({"nickname": "\u200b\u202e \u3000"}, "ニックネームを入力してください"),  # only invisible characters
    ({"nickname": "あ" * 41}, "40文字以内"),
    ({"nickname": "退会したメンバー"}, "このニックネームは使えません"),
    ({"bio": "長" * 1001}, "1000文字以内"),
    ({"bio_visibility": "everyone"}, "Not a valid choice"),
    ({"district_id": "99999"}, "地区は一覧から選んでください"),
    ({"district_id": "abc"}, "地区は一覧から選んでください"),
])
def test_bad_input_is_refused_and_what_was_typed_is_kept(client, auth, make_user, overrides, message):
    user = make_user(nickname="もとの名前")
    auth.login(user)
    data = form(**{"bio": "入力した自己紹介", **overrides})
    response = client.post("/settings/profile", data=data)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    if message != "Not a valid choice":
        assert message in body
    assert "入力した自己紹介" in body or "bio" in overrides
    db.session.expire_all()
    assert db.session.get(User, user.id).nickname == "もとの名前"


def test_invisible_and_bidi_characters_are_removed_and_text_normalised(client, auth, make_user):
    user = make_user()
    auth.login(user)
    decomposed = unicodedata.normalize("NFD", "がっこう")
    client.post("/settings/profile", data=form(nickname="は\u200bな\u202eこ\ufeff", bio=f"{decomposed}\u2066です\r\n\r\n二行目"))
    db.session.expire_all()
    saved = db.session.get(User, user.id)
    assert saved.nickname == "はなこ"
    assert saved.bio == "がっこうです\n\n二行目"
    assert unicodedata.is_normalized("NFC", saved.bio)


def test_clean_helpers():
    assert clean_line("  a\tb\nc  ") == "a b c"
    assert clean_line("\x00x\x07") == "x"
    assert clean_text("a\n\n\n\n\n\nb") == "a\n\n\nb"


def test_bio_is_escaped_and_keeps_line_breaks(client, auth, make_user):
    owner = make_user(bio="<script>alert(1)</script>\n二行目")
    auth.login(make_user())
    body = client.get(f"/members/{owner.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in body
    assert "&lt;script&gt;" in body and "<br>二行目" in body


def test_suspended_and_anonymous_cannot_edit(client, auth, make_user):
    assert client.get("/settings/profile").status_code == 302
    auth.login(make_user(status="suspended"))
    assert client.post("/settings/profile", data=form(nickname="変更")).status_code in (302, 403)


# The self-introduction is read by other members, so it follows the rule for posting
# (policy.can_publish_text): a pupil's crafted POST is refused and what they typed is shown again.
@pytest.mark.parametrize(("who", "status"), [("pupil", 403), ("adult", 302), ("staff", 302)])
def test_only_members_who_may_post_save_a_self_introduction(client, auth, make_user, who, status):
    user = make_user(**{"pupil": {"birth_date": minor_birth_date()}, "adult": {}, "staff": {"role": "staff"}}[who])
    auth.login(user)
    response = client.post("/settings/profile", data=form(bio="わたしの連絡先は abc です"))
    assert response.status_code == status
    db.session.expire_all()
    assert (db.session.get(User, user.id).bio == "わたしの連絡先は abc です") is (status == 302)
    if status == 403:
        body = response.get_data(as_text=True)
        assert "中学生以下の方は、読むことはできますが投稿はできません" in body
        assert "わたしの連絡先は abc です" in body


def test_a_pupil_sees_the_self_introduction_field_greyed_out_with_the_reason(client, auth, make_user):
    auth.login(make_user(birth_date=minor_birth_date()))
    page = client.get("/settings/profile").get_data(as_text=True)
    assert "中学生以下の方は、読むことはできますが投稿はできません" in page
    textarea = page[page.index("<textarea"):page.index("</textarea>")]
    assert "disabled" in textarea


def test_a_pupil_saves_the_nickname_and_keeps_the_self_introduction_written_before(client, auth, make_user):
    pupil = make_user(birth_date=minor_birth_date(), nickname="まえの名前", bio="以前の自己紹介")
    auth.login(pupil)
    data = form(nickname="あたらしい名前")
    del data["bio"]  # a browser does not send a disabled field
    assert client.post("/settings/profile", data=data).status_code == 302
    db.session.expire_all()
    saved = db.session.get(User, pupil.id)
    assert (saved.nickname, saved.bio) == ("あたらしい名前", "以前の自己紹介")
