"""Two-factor sign-in: enrolment, the code step (skew, reuse, lockout), recovery codes, the staff
requirement, the counter reset, the kiosk."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import func, select

from community.accounts import twofactor
from community.accounts.models import RecoveryCode, Role, UserSession
from community.audit import AuditLog
from community.extensions import db
from kiosk import services as kiosk_services
from kiosk.device import COOKIE
from tests.conftest import PASSWORD


def _secret_from_page(html: str) -> str:
    return re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")


def _enrol(client) -> tuple[str, list[str]]:
    """Set up two-factor for the signed-in client: (secret, recovery codes)."""
    secret = _secret_from_page(client.get("/account/two-factor").get_data(as_text=True))
    response = client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    codes = re.findall(r"<code>([A-Z2-9]{5}-[A-Z2-9]{5})</code>", response.get_data(as_text=True))
    return secret, codes


def _password(client, login_id, path="/login"):
    return client.post(path, data={"login_id": login_id, "password": PASSWORD})


def _code_at(secret: str, offset_steps: int) -> str:
    return pyotp.TOTP(secret).at(int(time.time()) + offset_steps * twofactor.STEP)


@pytest.fixture
def enrolled(app, make_user):
    """A member with two-factor on; returns (user, secret, recovery codes)."""
    user = make_user("twofa", nickname="ふたば")
    client = app.test_client()
    _password(client, "twofa")
    secret, codes = _enrol(client)
    # As if set up a minute ago: the code typed at set-up (this step's) is behind us.
    db.session.expire_all()
    user.totp_last_step = int(time.time()) // twofactor.STEP - 2
    db.session.commit()
    return user, secret, codes


def test_enrolment_shows_a_qr_code_and_the_key_and_needs_a_right_code(client, auth, make_user):
    user = make_user("enroller")
    auth.login("enroller")
    page = client.get("/account/two-factor")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'role="img"' in html and "QRコード" in html
    secret = _secret_from_page(html)
    # Reloading shows the same key: the app already scanned keeps working.
    assert _secret_from_page(client.get("/account/two-factor").get_data(as_text=True)) == secret
    # The secret is not in the database as it is.
    db.session.expire_all()
    assert user.totp_secret and secret not in user.totp_secret
    wrong = client.post("/account/two-factor", data={"code": "000000" if _code_at(secret, 0) != "000000" else "111111"})
    assert wrong.status_code == 400 and "コードが正しくありません" in wrong.get_data(as_text=True)
    db.session.expire_all()
    assert not user.has_two_factor
    secret, codes = _enrol(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    db.session.expire_all()
    assert user.has_two_factor
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not any(code.replace("-", "") in h for code in codes for h in stored)
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "account.two_factor_enabled")) is not None


def test_sign_in_asks_for_the_code_after_the_password(client, enrolled):
    user, secret, _codes = enrolled
    sessions = db.session.scalar(select(func.count()).select_from(UserSession))
    response = _password(client, "twofa")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login/code")
    assert "ログイン中" not in client.get("/").get_data(as_text=True)  # not signed in by the password alone
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == sessions
    page = client.get("/login/code")
    assert page.status_code == 200 and "認証アプリ" in page.get_data(as_text=True)
    ok = client.post("/login/code", data={"code": _code_at(secret, 0)})
    assert ok.status_code == 302
    assert "ふたばさんでログイン中" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(("offset", "accepted"), [(-1, True), (1, True), (-2, False), (2, False)])
def test_a_phone_clock_one_step_off_is_accepted_two_steps_is_not(client, enrolled, offset, accepted):
    _user, secret, _codes = enrolled
    _password(client, "twofa")
    response = client.post("/login/code", data={"code": _code_at(secret, offset)})
    if accepted:
        assert response.status_code == 302
    else:
        assert response.status_code == 400 and "コードが正しくありません" in response.get_data(as_text=True)


def test_a_code_works_only_once(app, enrolled):
    _user, secret, _codes = enrolled
    first, second = app.test_client(), app.test_client()
    code = _code_at(secret, 1)  # a code from the step ahead has surely not been used by the fixture
    _password(first, "twofa")
    _password(second, "twofa")
    assert first.post("/login/code", data={"code": code}).status_code == 302
    assert second.post("/login/code", data={"code": code}).status_code == 400


def test_wrong_codes_lock_the_code_step(client, enrolled):
    _user, secret, _codes = enrolled
    _password(client, "twofa")
    for _ in range(5):
        assert client.post("/login/code", data={"code": "12345"}).status_code == 400
    locked = client.post("/login/code", data={"code": _code_at(secret, 0)})
    assert locked.status_code == 429 and "15分" in locked.get_data(as_text=True)


def test_the_code_step_expires(client, enrolled, monkeypatch):
    _user, secret, _codes = enrolled
    _password(client, "twofa")
    later = time.time() + twofactor.PENDING_SECONDS + 1
    monkeypatch.setattr(twofactor.time, "time", lambda: later)
    response = client.get("/login/code")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")


def test_the_code_step_without_a_password_goes_to_login(client):
    response = client.post("/login/code", data={"code": "123456"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")


def test_a_recovery_code_works_once(app, enrolled):
    _user, _secret, codes = enrolled
    client = app.test_client()
    _password(client, "twofa")
    assert client.post("/login/code", data={"code": codes[0].lower()}).status_code == 302
    again = app.test_client()
    _password(again, "twofa")
    assert again.post("/login/code", data={"code": codes[0]}).status_code == 400
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "account.recovery_code_used")) is not None


def test_a_member_can_turn_it_off_with_the_password(client, enrolled):
    user, secret, _codes = enrolled
    _password(client, "twofa")
    client.post("/login/code", data={"code": _code_at(secret, 0)})
    bad = client.post("/account/two-factor/off", data={"current_password": "wrong password!"})
    assert bad.status_code == 400 and "現在のパスワードが正しくありません" in bad.get_data(as_text=True)
    assert client.post("/account/two-factor/off", data={"current_password": PASSWORD}).status_code == 302
    db.session.expire_all()
    assert not user.has_two_factor and db.session.scalar(select(func.count()).select_from(RecoveryCode)) == 0


@pytest.fixture
def required(app):
    app.config["TWO_FACTOR_REQUIRED"] = True


def test_required_staff_are_sent_to_set_up_and_reach_no_staff_page(client, auth, make_user, required):
    make_user("newstaff", role=Role.staff)
    response = auth.login("newstaff")
    assert response.status_code == 302
    for path in ("/staff/", "/", "/account"):
        blocked = client.get(path)
        assert blocked.status_code == 302 and blocked.headers["Location"].endswith("/account/two-factor")
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "職員と管理者は" in page
    _enrol(client)
    assert client.get("/staff/").status_code == 200


def test_required_staff_cannot_turn_it_off(client, auth, make_user, required):
    make_user("keepstaff", role=Role.staff)
    auth.login("keepstaff")
    _enrol(client)
    response = client.post("/account/two-factor/off", data={"current_password": PASSWORD})
    assert response.status_code == 400


def test_members_are_not_required(client, auth, make_user, required):
    make_user("plainmember")
    auth.login("plainmember")
    assert client.get("/account").status_code == 200


def test_the_requirement_is_off_by_default_outside_production(app, make_user):
    staff = make_user("devstaff", role=Role.staff)
    assert app.config.get("TWO_FACTOR_REQUIRED") is None
    assert twofactor.required_for(staff) is False
    app.config["ENV"] = "production"
    assert twofactor.required_for(staff) is True


@pytest.mark.parametrize(
    ("actor_role", "target_role", "allowed"),
    [("admin", "staff", True), ("admin", "admin", True), ("staff", "member", True), ("staff", "staff", False),
     ("supporter", "member", False), ("member", "member", False)],
)
def test_reset_at_the_counter(app, make_user, actor_role, target_role, allowed):
    target = make_user(f"target-{target_role}", role=target_role)
    target_client = app.test_client()
    _password(target_client, target.login_id)
    _enrol(target_client)
    actor = make_user(f"actor-{actor_role}", role=actor_role)
    actor_client = app.test_client()
    _password(actor_client, actor.login_id)
    response = actor_client.post(f"/staff/users/{target.id}/two-factor/reset")
    db.session.expire_all()
    if allowed:
        assert response.status_code == 302
        assert not target.has_two_factor
        assert db.session.scalar(select(func.count()).select_from(UserSession)
                                 .where(UserSession.user_id == target.id)) == 0
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "account.two_factor_reset"))
        assert entry.actor_id == actor.id and entry.target_id == target.id
        # The next sign-in is by password alone (and, for required staff, straight to set-up).
        assert _password(app.test_client(), target.login_id).headers["Location"] == "/"
    else:
        assert response.status_code in (302, 403)
        assert target.has_two_factor


def test_the_kiosk_asks_for_the_code_every_time(app, client, enrolled, make_facility, make_user):
    _user, secret, _codes = enrolled
    staff = make_user("kiosk-staff", role=Role.staff)
    _device, token = kiosk_services.enrol_device(make_facility(), "PC", staff)
    db.session.commit()
    client.set_cookie(COOKIE, token)
    response = _password(client, "twofa", path="/kiosk/login")
    assert response.status_code == 303 and response.headers["Location"] == "/kiosk/login/code"
    page = client.get("/kiosk/login/code").get_data(as_text=True)
    assert "one-time-code" not in page and 'autocomplete="off"' in page
    assert client.post("/kiosk/login/code", data={"code": "000001"}).status_code == 400
    assert client.post("/kiosk/login/code", data={"code": _code_at(secret, 0)}).status_code == 303
    assert client.get("/kiosk/home").status_code == 200
    # おわる, then the next visit asks again: the PC is never remembered.
    client.post("/kiosk/logout")
    client.set_cookie(COOKIE, token)
    again = _password(client, "twofa", path="/kiosk/login")
    assert again.headers["Location"] == "/kiosk/login/code"


class TestPerIpLimitCoversTheCodeStep:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "RATELIMIT_ENABLED": True, "LOGIN_IP_LIMIT": "3 per minute"}

    def test_too_many_code_posts_from_one_address_get_the_429_page(self, app, make_user):
        make_user("ipcode")
        enroller = app.test_client()
        _password(enroller, "ipcode")
        _enrol(enroller)
        client = app.test_client()
        _password(client, "ipcode")
        for _ in range(3):
            assert client.post("/login/code", data={"code": "12345"}).status_code == 400
        response = client.post("/login/code", data={"code": "12345"})
        assert response.status_code == 429
        assert "短い時間に何度も操作が行われました" in response.get_data(as_text=True)
