"""CSRF is on for every form: a post without a valid token is refused with a Japanese message."""

import re

import pytest

from community.accounts.models import EmailConfirmation
from community.accounts.passwords import check_password
from community.extensions import db


@pytest.fixture
def app_config(app_config):
    return app_config | {"WTF_CSRF_ENABLED": True}


def test_post_without_token_is_refused(client, make_user):
    user = make_user("csrfuser")
    response = client.post("/login", data={"login_id": user.login_id, "password": "correct horse battery"})
    assert response.status_code == 400
    assert "安全のため受け付けませんでした" in response.get_data(as_text=True)


def test_post_with_token_works(client, make_user):
    user = make_user("csrfuser2")
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post(
        "/login", data={"login_id": user.login_id, "password": "correct horse battery", "csrf_token": token}
    )
    assert response.status_code == 302


def test_a_form_kept_on_a_full_disk_is_sent_again_with_a_fresh_token(client, make_user, disk_full):
    import re

    from tests.core.test_storage_full import resend_data

    user = make_user("csrfuser3")
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    client.post("/login", data={"login_id": user.login_id, "password": "correct horse battery", "csrf_token": token})
    form = client.get("/diaries/new").get_data(as_text=True)
    data = {name: re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]+)"', form).group(1)
            for name in ("csrf_token", "submission_id")}
    disk_full.fill()
    kept = client.post("/diaries/new", data=data | {"title": "桜", "body": "満開でした。", "visibility": "members"})
    assert kept.status_code == 503
    disk_full.free()
    again = resend_data(kept.get_data(as_text=True))
    assert again["csrf_token"] and again["body"] == "満開でした。"
    assert client.post("/diaries/new", data=again).status_code == 302


def test_password_change_without_token_is_refused(client, make_user):
    user = make_user("csrfchange")
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    client.post("/login", data={"login_id": user.login_id, "password": "correct horse battery", "csrf_token": token})
    new = "ひまわりが咲く夏の朝"
    response = client.post("/account/password", data={
        "current_password": "correct horse battery", "password": new, "password_again": new})
    assert response.status_code == 400
    db.session.expire_all()
    assert check_password(user.password_hash, "correct horse battery")


def test_email_change_without_token_is_refused(client, make_user):
    user = make_user("csrfmail")
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    client.post("/login", data={"login_id": user.login_id, "password": "correct horse battery", "csrf_token": token})
    response = client.post("/account/email", data={"email": "x@example.jp", "current_password": "correct horse battery"})
    assert response.status_code == 400
    assert db.session.query(EmailConfirmation).count() == 0
