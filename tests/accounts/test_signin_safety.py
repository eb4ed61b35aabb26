"""Sign-in safety: per-account lockout counted in the database, per-IP limit, log out everywhere."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from community.accounts.models import LoginFailure, UserSession
from community.extensions import db
from tests.conftest import PASSWORD


def _age_failures(minutes: int) -> None:
    for row in db.session.scalars(select(LoginFailure)):
        row.at -= timedelta(minutes=minutes)
    db.session.commit()


def _fail(client, login_id, times=1):
    response = None
    for _ in range(times):
        response = client.post("/login", data={"login_id": login_id, "password": "wrong password!"})
    return response


@pytest.mark.parametrize("login_id", ["locked", "no-such-person"])
def test_five_failures_lock_the_login_id_the_same_way_whether_or_not_it_exists(client, make_user, login_id):
    make_user("locked")
    assert _fail(client, login_id, 5).status_code == 400
    response = client.post("/login", data={"login_id": login_id, "password": PASSWORD})
    assert response.status_code == 429
    assert "ログインに失敗した回数が多すぎます" in response.get_data(as_text=True)
    assert "15分" in response.get_data(as_text=True)


def test_lockout_ends_and_the_wait_grows(client, make_user):
    make_user("grower")
    _fail(client, "grower", 5)
    # Fifteen minutes later the member may try again; one more failure doubles the wait.
    _age_failures(16)
    _fail(client, "grower")
    response = client.post("/login", data={"login_id": "grower", "password": PASSWORD})
    assert response.status_code == 429 and "30分" in response.get_data(as_text=True)
    _age_failures(31)
    assert client.post("/login", data={"login_id": "grower", "password": PASSWORD}).status_code == 302
    # Success forgets the failures.
    assert db.session.scalar(select(func.count()).select_from(LoginFailure)) == 0


def test_failures_are_counted_per_login_id_not_per_browser(app, make_user):
    make_user("shared")
    for _ in range(5):
        _fail(app.test_client(), "SHARED")  # a different "process" each time, and another spelling
    assert app.test_client().post("/login", data={"login_id": "shared", "password": PASSWORD}).status_code == 429


def test_log_out_of_all_devices(app, make_user):
    user = make_user("many")
    phone, pc = app.test_client(), app.test_client()
    for c in (phone, pc):
        c.post("/login", data={"login_id": "many", "password": PASSWORD})
    response = pc.post("/account/sessions/end-all")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(UserSession).where(UserSession.user_id == user.id)) == 0
    assert phone.get("/account").status_code == 302  # the phone is logged out too


class TestPerIpLimit:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "RATELIMIT_ENABLED": True, "LOGIN_IP_LIMIT": "3 per minute"}

    def test_too_many_posts_from_one_address_get_the_japanese_429_page(self, client):
        for _ in range(3):
            _fail(client, f"someone{_}")
        response = _fail(client, "someone-else")
        assert response.status_code == 429
        assert "短い時間に何度も操作が行われました" in response.get_data(as_text=True)

    def test_a_registered_hook_exempts_a_request(self, app, client):
        app.extensions["tsunagari.ratelimit_exempt"].append(lambda: True)
        for n in range(5):
            assert _fail(client, f"kiosk{n}").status_code == 400
