from __future__ import annotations

import pytest

from community.accounts.models import Role
from community.extensions import db
from kiosk import services
from kiosk.device import COOKIE


@pytest.fixture
def staff(make_user):
    return make_user("kiosk-staff", role=Role.staff, nickname="職員さん")


@pytest.fixture
def library(make_facility):
    return make_facility("中央図書館", kind="図書館")


@pytest.fixture
def enrol(client, library, staff):
    """enrol() -> the KioskDevice; the test client's browser now carries its cookie."""

    def do(name: str = "2階のパソコン", facility=None, on_client=None):
        device, token = services.enrol_device(facility or library, name, staff)
        db.session.commit()
        (on_client or client).set_cookie(COOKIE, token)
        return device

    return do


@pytest.fixture
def member(make_user):
    return make_user("yoshiko", nickname="よしこ", email="yoshiko@example.jp")
