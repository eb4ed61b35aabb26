from __future__ import annotations

from datetime import date

import pytest

from community.extensions import db

CHILD = date(date.today().year - 13, 1, 1)


@pytest.fixture
def people(make_user):
    """Every kind of viewer the permission matrix asks about."""
    return {
        "member": make_user("member1"),
        "pupil": make_user("pupil1", birth_date=CHILD),
        "supporter": make_user("supporter1", role="supporter"),
        "staff": make_user("staff1", role="staff"),
        "admin": make_user("admin1", role="admin", nickname="管理者A"),
        "suspended_admin": make_user("admin2", role="admin"),
    }


@pytest.fixture
def login_as(auth, people):
    def login(viewer: str):
        if viewer == "visitor":
            return None
        user = people[viewer]
        assert auth.login(user).status_code == 302
        if viewer.startswith("suspended"):
            user.status = "suspended"
            db.session.commit()
        return user

    return login
