"""Staff enrol the current browser as a kiosk, see the list, revoke; only staff may."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.accounts.models import Role, UserSession
from community.audit import AuditLog
from community.extensions import db
from kiosk.device import COOKIE
from kiosk.models import KioskDevice, KioskSettings


def _cookie(response, name):
    return next((h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")), None)


def test_staff_enrol_this_browser_and_it_becomes_a_kiosk(client, auth, staff, library):
    auth.login(staff)
    response = client.post(
        "/staff/kiosks/enrol", data={"enrol-facility_id": library.id, "enrol-name": "2階 窓際の1番"}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/kiosk/")
    header = _cookie(response, COOKIE)
    assert "HttpOnly" in header and "SameSite=Strict" in header and "Max-Age=" in header
    device = db.session.scalar(select(KioskDevice))
    assert device.name == "2階 窓際の1番" and device.facility_id == library.id
    token = header.split(";")[0].split("=", 1)[1]
    assert token not in device.token_hash  # only a hash is stored
    # The staff member's own sign-in does not stay on the shared PC.
    assert db.session.scalar(select(UserSession).where(UserSession.user_id == staff.id)) is None
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "kiosk.enrol")) is not None

    page = client.get("/kiosk/")
    assert page.status_code == 200
    assert "中央図書館" in page.get_data(as_text=True)


def test_enrol_form_errors_keep_the_input(client, auth, staff, library):
    auth.login(staff)
    response = client.post("/staff/kiosks/enrol", data={"enrol-facility_id": library.id, "enrol-name": ""})
    assert response.status_code == 400
    assert "名前" in response.get_data(as_text=True)
    assert db.session.scalar(select(KioskDevice)) is None


@pytest.mark.parametrize(
    ("role", "status", "expected"),
    [
        (None, None, 302),  # anonymous: to the login page
        (Role.member, "verified", 403),
        (Role.supporter, "verified", 403),
        (Role.staff, "verified", 200),
        (Role.admin, "verified", 200),
        (Role.staff, "suspended", 302),  # a suspended account cannot sign in at all
    ],
)
def test_only_staff_manage_kiosks(client, auth, make_user, role, status, expected):
    if role is not None:
        auth.login(make_user(role=role, status=status))
    assert client.get("/staff/kiosks/").status_code == expected
    # Staff get past the check to the form's validation (400); the others are stopped before it.
    assert client.post("/staff/kiosks/enrol", data={}).status_code == (400 if expected == 200 else expected)
    assert db.session.scalar(select(KioskDevice)) is None


def test_list_shows_device_facility_and_last_use(client, auth, staff, enrol, make_user):
    enrol("1番のパソコン")
    other = client.application.test_client()
    admin = make_user(role=Role.admin)
    other.post("/login", data={"login_id": admin.login_id, "password": "correct horse battery"})
    text = other.get("/staff/kiosks/").get_data(as_text=True)
    assert "1番のパソコン" in text and "中央図書館" in text
    assert "1番のパソコンを無効にする" in text


def test_revoked_kiosk_returns_to_the_ordinary_site_and_loses_its_cookie(client, enrol, make_user):
    device = enrol()
    assert client.get("/").status_code == 303  # kiosk mode redirects the ordinary home
    staff_browser = client.application.test_client()
    admin = make_user(role=Role.admin)
    staff_browser.post("/login", data={"login_id": admin.login_id, "password": "correct horse battery"})
    assert staff_browser.post(f"/staff/kiosks/{device.id}/revoke").status_code == 303
    db.session.expire_all()
    assert db.session.get(KioskDevice, device.id).revoked_at is not None

    response = client.get("/")
    assert response.status_code == 200  # the ordinary site again
    assert _cookie(response, COOKIE).startswith(f"{COOKIE}=;")  # the dead cookie is removed
    assert client.get("/kiosk/").status_code == 404
    # Revoking twice is refused politely.
    assert staff_browser.post(f"/staff/kiosks/{device.id}/revoke", follow_redirects=True).status_code == 200


def test_staff_set_a_facilitys_idle_time(client, auth, staff, library):
    auth.login(staff)
    response = client.post(
        "/staff/kiosks/settings",
        data={"settings-facility_id": library.id, "settings-idle_minutes": 12, "settings-warning_minutes": 3,
              "settings-help_text": "2階の受付へどうぞ"},
    )
    assert response.status_code == 303
    row = db.session.scalar(select(KioskSettings))
    assert (row.idle_minutes, row.warning_minutes, row.help_text) == (12, 3, "2階の受付へどうぞ")
    bad = client.post(
        "/staff/kiosks/settings",
        data={"settings-facility_id": library.id, "settings-idle_minutes": 0, "settings-warning_minutes": 3},
    )
    assert bad.status_code == 400
    assert "2から60" in bad.get_data(as_text=True)


def test_only_facilities_that_host_kiosks_are_offered(client, auth, staff, library, make_facility):
    hall = make_facility("みどり市役所", kind="市役所")
    hall.hosts_kiosks = False
    db.session.commit()
    auth.login(staff)
    html = client.get("/staff/kiosks/").get_data(as_text=True)
    assert "中央図書館" in html and "みどり市役所" not in html
    response = client.post("/staff/kiosks/enrol", data={"enrol-facility_id": hall.id, "enrol-name": "1番"})
    assert response.status_code == 400
    assert db.session.scalar(select(KioskDevice)) is None
