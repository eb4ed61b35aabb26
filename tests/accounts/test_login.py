"""Logging in and out; the server-side session ends at logout."""

from sqlalchemy import func, select

from community.accounts.models import UserSession
from community.extensions import db


def test_login_and_logout(client, auth, make_user):
    user = make_user("taro", nickname="たろう")
    response = auth.login("taro")
    assert response.status_code == 302
    assert "たろうさんでログイン中" in client.get("/").get_data(as_text=True)
    auth.logout()
    assert "ログイン中" not in client.get("/").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id)) == 0


def test_login_id_is_width_and_case_insensitive(client, auth, make_user):
    make_user("Taro2")
    assert auth.login("ＴＡＲＯ２").status_code == 302


def test_wrong_password_gives_generic_message_and_keeps_login_id(client, auth, make_user):
    make_user("jiro")
    for login_id in ("jiro", "nobody-here"):
        response = client.post("/login", data={"login_id": login_id, "password": "wrong password!"})
        html = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "ログインIDまたはパスワードが正しくありません" in html
        assert f'value="{login_id}"' in html


def test_logged_out_cookie_is_dead_on_the_server(app, make_user):
    make_user("hana")
    thief = app.test_client()
    victim = app.test_client()
    victim.post("/login", data={"login_id": "hana", "password": "correct horse battery"})
    cookie = victim.get_cookie("tsunagari_session")
    thief.set_cookie("tsunagari_session", cookie.value)
    assert "ログイン中" in thief.get("/").get_data(as_text=True)
    victim.post("/logout")
    assert "ログイン中" not in thief.get("/").get_data(as_text=True)


def test_logged_in_pages_are_not_cached(client, auth, make_user):
    make_user("cache")
    auth.login("cache")
    assert "no-store" in client.get("/").headers["Cache-Control"]


def test_passwords_are_stored_with_scrypt_by_default(app):
    from community.accounts.passwords import check_password, hash_password

    app.config.pop("PASSWORD_HASH_METHOD")
    stored = hash_password("ｐａｓｓｗｏｒｄ long enough")
    assert stored.startswith("scrypt:")
    assert check_password(stored, "password long enough")  # NFKC: full-width typing still matches
