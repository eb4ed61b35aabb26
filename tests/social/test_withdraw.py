"""退会: explained first, password required, personal data gone, login ID free, hooks called."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from community.accounts.models import User, UserSession
from community.accounts.services import AuthenticationError, authenticate
from community.audit import AuditLog
from community.extensions import db
from community.social.hooks import register_withdraw_hook
from community.social.models import Block, Friendship, ProfileSettings
from tests.conftest import PASSWORD


@pytest.fixture
def hook_calls(app):
    """A stand-in for a content package (diaries may not exist yet) that records its calls and
    renders its 'kept post' with the author's current nickname, as a diary list would."""
    calls = []

    def hook(user, keep):
        calls.append((user.id, user.nickname, keep))

    register_withdraw_hook(app, hook)
    return calls


def test_the_page_explains_before_confirming(client, auth, make_user):
    auth.login(make_user())
    page = client.get("/settings/withdraw").get_data(as_text=True)
    assert "個人情報は削除されます" in page
    assert "「退会したメンバー」と表示されます" in page
    assert "パスワード" in page


def test_the_page_says_posts_are_deleted_when_the_city_deletes_them(app, client, auth, make_user):
    app.config["WITHDRAWN_CONTENT"] = "delete"
    auth.login(make_user())
    page = client.get("/settings/withdraw").get_data(as_text=True)
    assert "すべて削除されます" in page


def test_wrong_password_changes_nothing(client, auth, make_user, hook_calls):
    user = make_user()
    auth.login(user)
    response = client.post("/settings/withdraw", data={"password": "wrong password!", "confirm": "y"})
    assert response.status_code == 400
    assert "パスワードが正しくありません" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).status == "verified"
    assert hook_calls == []


def test_confirmation_box_is_required(client, auth, make_user):
    user = make_user()
    auth.login(user)
    response = client.post("/settings/withdraw", data={"password": PASSWORD})
    assert response.status_code == 400
    assert "チェックを入れてください" in response.get_data(as_text=True)


def test_withdrawal_end_to_end(app, client, auth, make_user, make_district, befriend, block_member, hook_calls):
    user = make_user("taro", nickname="たろう", email="taro@example.jp", bio="よろしく",
                     birth_date=date(1970, 5, 5), district_id=make_district().id)
    friend, blocker = make_user(), make_user()
    befriend(user, friend)
    block_member(blocker, user)
    db.session.add(ProfileSettings(user_id=user.id, public_nickname=True))
    db.session.commit()
    other_device = app.test_client()
    other_device.post("/login", data={"login_id": "taro", "password": PASSWORD})
    auth.login(user)

    response = client.post("/settings/withdraw", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 303
    # The content hook ran once, before anonymisation, and was told to keep the posts.
    assert hook_calls == [(user.id, "たろう", True)]

    db.session.expire_all()
    row = db.session.get(User, user.id)
    assert row.status == "withdrawn"
    assert row.nickname == "退会したメンバー"  # what kept posts now show as their author
    assert (row.email, row.bio, row.district_id) == (None, "", None)
    assert row.birth_date != date(1970, 5, 5)
    assert db.session.scalar(select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id)) == 0
    assert db.session.scalars(select(Friendship)).all() == []
    assert db.session.scalars(select(Block)).all() == []
    assert db.session.get(ProfileSettings, user.id) is None
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "account.withdraw")).target_id == user.id

    # Every session ended, on this device and the other one.
    assert client.get("/friends").status_code == 302
    assert other_device.get("/friends").status_code == 302
    # The member cannot log in any more...
    with pytest.raises(AuthenticationError):
        authenticate("taro", PASSWORD)
    # ...the profile is gone...
    assert app.test_client().get(f"/members/{user.id}").status_code == 404
    # ...and the login ID is free for someone else.
    newcomer = make_user("TARO")
    assert authenticate("taro", PASSWORD).id == newcomer.id


def test_hooks_are_told_to_delete_when_the_city_says_so(app, client, auth, make_user, hook_calls):
    app.config["WITHDRAWN_CONTENT"] = "delete"
    user = make_user()
    auth.login(user)
    client.post("/settings/withdraw", data={"password": PASSWORD, "confirm": "y"})
    assert hook_calls == [(user.id, user.nickname, False)]


def test_a_failing_hook_leaves_the_account_untouched(app, client, auth, make_user):
    def broken(user, keep):
        raise RuntimeError("diaries could not be deleted")

    register_withdraw_hook(app, broken)
    user = make_user()
    auth.login(user)
    response = client.post("/settings/withdraw", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 500
    db.session.expire_all()
    assert db.session.get(User, user.id).status == "verified"


@pytest.mark.parametrize("role", ["staff", "admin"])
def test_staff_accounts_are_closed_by_an_administrator(client, auth, make_user, role):
    user = make_user(role=role)
    auth.login(user)
    assert "管理者が削除します" in client.get("/settings/withdraw").get_data(as_text=True)
    response = client.post("/settings/withdraw", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(User, user.id).status == "verified"


def test_invalid_city_setting_is_refused_at_start(database_url, tmp_path):
    from app import create_app
    from tests.conftest import _config

    with pytest.raises(RuntimeError, match="WITHDRAWN_CONTENT"):
        create_app({**_config(database_url, tmp_path), "WITHDRAWN_CONTENT": "archive"})
