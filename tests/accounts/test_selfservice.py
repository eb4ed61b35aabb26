"""マイアカウント self-service: changing one's own password."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.accounts.models import UserSession
from community.accounts.passwords import check_password
from community.audit import AuditLog
from community.extensions import db
from community.notifications.models import Notification
from tests.conftest import PASSWORD

NEW = "ひまわりが咲く夏の朝"


def _change(client, current=PASSWORD, new=NEW, again=None):
    return client.post("/account/password", data={
        "current_password": current, "password": new, "password_again": new if again is None else again,
    })


def _sessions(user) -> int:
    return db.session.scalar(select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id))


def test_password_change_needs_login(client):
    response = client.get("/account/password")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_my_account_links_to_password_change(client, auth, make_user):
    make_user("link")
    auth.login("link")
    html = client.get("/account").get_data(as_text=True)
    assert 'href="/account/password"' in html and "パスワードを変える" in html


def test_change_password_ends_other_sessions_keeps_this_one_and_tells_the_member(app, make_user):
    user = make_user("changer")
    here, elsewhere = app.test_client(), app.test_client()
    for c in (here, elsewhere):
        c.post("/login", data={"login_id": "changer", "password": PASSWORD})
    assert _sessions(user) == 2

    response = _change(here)
    assert response.status_code == 302 and response.headers["Location"].endswith("/account")
    db.session.expire_all()
    assert check_password(user.password_hash, NEW)
    assert _sessions(user) == 1
    assert "ログイン中" in here.get("/").get_data(as_text=True)
    assert "ログイン中" not in elsewhere.get("/").get_data(as_text=True)
    # The old password no longer works, the new one does.
    assert elsewhere.post("/login", data={"login_id": "changer", "password": PASSWORD}).status_code == 400
    assert elsewhere.post("/login", data={"login_id": "changer", "password": NEW}).status_code == 302

    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "account.password_changed"))
    assert entry.actor_id == user.id and entry.target_id == user.id
    notices = here.get("/notifications").get_data(as_text=True)
    assert "パスワードが変更されました" in notices


@pytest.mark.parametrize(
    ("current", "new", "again", "message"),
    [
        ("wrong password!", NEW, None, "現在のパスワードが正しくありません"),
        (PASSWORD, "short", None, "8文字以上"),
        (PASSWORD, "password", None, "よく使われていて"),
        (PASSWORD, "badinput-id", None, "ログインIDと同じ"),
        (PASSWORD, NEW, "ちがう文章です、ちがう", "2つのパスワードが違います"),
        ("", NEW, None, "現在のパスワードを入力してください"),
    ],
)
def test_bad_input_is_a_400_with_a_japanese_message_and_nothing_changes(client, auth, make_user, current, new,
                                                                          again, message):
    user = make_user("badinput-id")
    auth.login("badinput-id")
    response = _change(client, current, new, again)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert check_password(user.password_hash, PASSWORD)


def test_wrong_current_password_is_rate_limited_like_sign_in(client, auth, make_user):
    make_user("guesser")
    auth.login("guesser")
    for _ in range(5):
        assert _change(client, current="wrong password!").status_code == 400
    response = _change(client)  # even the right password waits now
    assert response.status_code == 429
    assert "15分" in response.get_data(as_text=True)


def test_the_notice_is_only_for_its_owner(app, make_user):
    make_user("owner")
    other = make_user("other")
    owner_client, other_client = app.test_client(), app.test_client()
    owner_client.post("/login", data={"login_id": "owner", "password": PASSWORD})
    other_client.post("/login", data={"login_id": "other", "password": PASSWORD})
    _change(owner_client)
    notice = db.session.scalar(select(Notification))
    assert notice.kind == "password_changed"
    assert "パスワードが変更されました" not in other_client.get("/notifications").get_data(as_text=True)
    assert other_client.get(f"/notifications/{notice.id}").status_code == 404
    assert other.id != notice.recipient_id
