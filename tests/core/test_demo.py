"""`flask tsunagari demo` fills an empty database once and never touches a used one."""

from sqlalchemy import func, select

from community.accounts.models import Facility, User
from community.announcements.models import Announcement
from community.extensions import db


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_demo_fills_an_empty_database_once(runner, client):
    result = runner.invoke(args=["tsunagari", "demo"])
    assert result.exit_code == 0, result.output
    assert "Demo city loaded" in result.output
    users, facilities = _count(User), _count(Facility)
    assert users >= 10 and facilities >= 4
    roles = set(db.session.scalars(select(User.role)))
    assert roles == {"member", "supporter", "staff", "admin"}
    assert _count(Announcement) >= 1

    again = runner.invoke(args=["tsunagari", "demo"])
    assert again.exit_code == 0
    assert "not loaded" in again.output
    assert _count(User) == users

    html = client.get("/").get_data(as_text=True)
    assert "中央図書館" in html  # a demo facility shown on the home page


def test_demo_people_can_log_in(runner, auth, client):
    runner.invoke(args=["tsunagari", "demo"])
    response = auth.login("hanako", "tsunagari-demo-2026")
    assert response.status_code == 302
    assert "はなこさんでログイン中" in client.get("/").get_data(as_text=True)
