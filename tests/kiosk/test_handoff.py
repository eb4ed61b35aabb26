"""Logout sends Clear-Site-Data "cookies"; a one-time hand-off re-enrols the PC, and only once."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from community.accounts.models import Role
from community.core.database import utcnow
from community.extensions import db
from kiosk import services
from kiosk.device import COOKIE
from kiosk.models import KioskDevice, KioskHandoff

PASSWORD = "correct horse battery"


def cookie_header(response, name):
    return next((h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")), None)


def log_out(client, member):
    """Log in and out on the kiosk, then drop every cookie as Chromium does for Clear-Site-Data."""
    client.post("/kiosk/login", data={"login_id": member.login_id, "password": PASSWORD})
    response = client.post("/kiosk/logout")
    assert response.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    for name in (COOKIE, "tsunagari_session"):
        client.delete_cookie(name)
    return response.headers["Location"]


def test_only_a_hash_of_the_handoff_token_is_stored_and_it_lasts_two_minutes(client, enrol, member):
    device = enrol()
    location = log_out(client, member)
    token = parse_qs(urlsplit(location).query)["handoff"][0]
    row = db.session.scalar(select(KioskHandoff))
    assert row.device_id == device.id and row.used_at is None
    assert row.token_hash == services.hash_token(token) and token not in row.token_hash
    assert row.expires_at - row.created_at == timedelta(minutes=2)


def test_the_handoff_reenrols_once_and_leaves_the_address_bar(client, app, enrol, member, library):
    enrol()
    location = log_out(client, member)
    assert client.get("/kiosk/").status_code == 404  # without its cookie the PC is no kiosk ...
    resumed = client.get(location)
    assert resumed.status_code == 303
    assert resumed.headers["Location"] == "/kiosk/?ended=logout"  # ... the token leaves the address bar
    assert resumed.headers["Cache-Control"] == "no-store"
    header = cookie_header(resumed, COOKIE)
    assert "HttpOnly" in header and "SameSite=Strict" in header and "Max-Age=" in header
    page = client.get("/kiosk/?ended=logout")
    assert page.status_code == 200 and library.name in page.get_data(as_text=True)
    assert db.session.scalar(select(KioskHandoff)).used_at is not None

    # Replayed in another browser: nothing is enrolled, and a plain Japanese message says why.
    stranger = app.test_client()
    replay = stranger.get(location)
    assert replay.status_code == 400
    assert cookie_header(replay, COOKIE) is None
    assert "職員" in replay.get_data(as_text=True)
    assert stranger.get("/kiosk/").status_code == 404
    # Replayed on the enrolled PC itself: it stays a kiosk, the token just goes away.
    again = client.get(location)
    assert again.status_code == 303 and again.headers["Location"] == "/kiosk/?ended=logout"
    assert cookie_header(again, COOKIE) is None


def test_an_expired_handoff_enrols_nothing(client, enrol, member):
    enrol()
    location = log_out(client, member)
    row = db.session.scalar(select(KioskHandoff))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.get(location)
    assert response.status_code == 400 and cookie_header(response, COOKIE) is None
    assert client.get("/kiosk/").status_code == 404


def test_a_handoff_of_a_revoked_kiosk_enrols_nothing(client, app, enrol, member, make_user):
    device = enrol()
    location = log_out(client, member)
    services.revoke_device(db.session.get(KioskDevice, device.id), make_user(role=Role.admin))
    db.session.commit()
    response = client.get(location)
    assert response.status_code == 400 and cookie_header(response, COOKIE) is None
    assert "もう一度登録" in response.get_data(as_text=True)
    assert db.session.scalar(select(KioskHandoff)).used_at is not None  # spent all the same


@pytest.mark.parametrize("token", ["", "nonsense", "x" * 500])
def test_a_made_up_handoff_enrols_nothing(client, token):
    response = client.get("/kiosk/", query_string={"handoff": token})
    assert response.status_code == 400 and cookie_header(response, COOKIE) is None


def test_the_old_enrolment_token_is_dead_after_the_handoff(client, app, enrol, member):
    device = enrol()
    old_hash = db.session.get(KioskDevice, device.id).token_hash
    client.get(log_out(client, member))
    db.session.expire_all()
    assert db.session.get(KioskDevice, device.id).token_hash != old_hash


def test_a_new_logout_drops_spent_handoffs(client, enrol, member):
    enrol()
    client.get(log_out(client, member))
    client.get(log_out(client, member))
    rows = list(db.session.scalars(select(KioskHandoff)))
    assert len(rows) == 1 and rows[0].used_at is not None
