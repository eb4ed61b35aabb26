"""Profile photos go through the shared media pipeline and follow the avatar's visibility."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from community.extensions import db
from community.media.models import Photo
from community.social.models import ProfileSettings
from tests.conftest import PASSWORD


def png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(buf, "PNG")
    return buf.getvalue()


def upload(client, data: bytes, name="me.png", **extra):
    form = {"nickname": "写真の人", "bio": "", "district_id": "", "bio_visibility": "members",
            "district_visibility": "members", "avatar_visibility": "friends",
            "avatar": (io.BytesIO(data), name), **extra}
    return client.post("/settings/profile", data=form, content_type="multipart/form-data")


def avatar_url(owner) -> str:
    db.session.expire_all()
    photo = db.session.scalar(db.select(Photo).where(Photo.owner_type == "avatar", Photo.owner_id == owner.id))
    return f"/photos/{photo.token}/thumb" if photo else ""


def test_upload_show_to_friends_only_and_remove(app, client, auth, make_user, befriend):
    owner, friend, member = make_user(), make_user(), make_user()
    befriend(owner, friend)
    auth.login(owner)
    assert upload(client, png_bytes()).status_code == 302
    url = avatar_url(owner)
    assert url
    assert db.session.get(ProfileSettings, owner.id).avatar_visibility == "friends"
    assert client.get(url).status_code == 200
    assert url in client.get(f"/members/{owner.id}").get_data(as_text=True)

    as_friend, as_member = app.test_client(), app.test_client()
    as_friend.post("/login", data={"login_id": friend.login_id, "password": PASSWORD})
    as_member.post("/login", data={"login_id": member.login_id, "password": PASSWORD})
    assert as_friend.get(url).status_code == 200
    assert as_member.get(url).status_code == 404
    assert url not in as_member.get(f"/members/{owner.id}").get_data(as_text=True)
    assert app.test_client().get(url).status_code == 404  # anonymous visitors never see avatars

    upload(client, b"", name="", remove_avatar="y")
    assert avatar_url(owner) == ""


@pytest.mark.parametrize(("data", "message"), [
    (b"%PDF-1.4 not a photo", "このファイルは写真として使えません"),
    (b"", None),  # no file chosen: nothing changes, the rest saves
])
def test_bad_uploads_give_a_message_and_keep_the_form(client, auth, make_user, data, message):
    owner = make_user()
    auth.login(owner)
    response = upload(client, data, name="x.pdf" if data else "")
    if message:
        assert response.status_code == 400
        body = response.get_data(as_text=True)
        assert message in body and 'value="写真の人"' in body
    else:
        assert response.status_code == 302
    assert avatar_url(owner) == ""


def test_withdrawal_deletes_the_avatar(client, auth, make_user):
    owner = make_user()
    auth.login(owner)
    upload(client, png_bytes())
    client.post("/settings/withdraw", data={"password": PASSWORD, "confirm": "y"})
    assert avatar_url(owner) == ""
