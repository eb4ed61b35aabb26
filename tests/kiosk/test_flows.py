"""Circles and search on a kiosk, through the demo city: the same permissions as the ordinary site."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from community.accounts.models import Facility, User
from community.circles.models import Circle
from community.core.cli import load_demo
from community.extensions import db
from community.policy import circles as circle_policy

DEMO_PASSWORD = "tsunagari-demo-2026"  # noqa: S105 - the documented demo password


@pytest.fixture
def demo(app):
    load_demo()
    return app


@pytest.fixture
def library(demo):
    """The demo's own library (the default fixture would clash with its name)."""
    return db.session.scalar(select(Facility).where(Facility.name == "中央図書館"))


def kiosk_login(client, login_id):
    return client.post("/kiosk/login", data={"login_id": login_id, "password": DEMO_PASSWORD})


def test_a_member_reads_their_circle_on_the_kiosk(client, demo, enrol):
    enrol()
    kiosk_login(client, "yoshiko")
    listing = client.get("/kiosk/circles").get_data(as_text=True)
    assert "北公民館 書道の会" in listing
    shodo = db.session.scalar(select(Circle).where(Circle.name == "北公民館 書道の会"))
    page = client.get(f"/kiosk/circles/{shodo.id}").get_data(as_text=True)
    topic_id = re.search(r'/kiosk/circles/topics/(\d+)', page).group(1)
    topic = client.get(f"/kiosk/circles/topics/{topic_id}")
    assert topic.status_code == 200
    assert "来月の課題は「春風」です。" in topic.get_data(as_text=True)
    assert topic.headers["Cache-Control"] == "no-store"


def test_circle_links_from_elsewhere_open_in_kiosk_form(client, demo, enrol):
    enrol()
    kiosk_login(client, "yoshiko")
    shodo = db.session.scalar(select(Circle).where(Circle.name == "北公民館 書道の会"))
    response = client.get(f"/circles/{shodo.id}")
    assert response.headers["Location"] == f"/kiosk/circles/{shodo.id}"


def test_kiosk_never_shows_what_the_policy_hides(client, demo, enrol):
    secret = db.session.scalar(select(Circle).where(Circle.visibility == "secret"))
    assert secret is not None
    enrol()
    outsider = next(
        u for u in db.session.scalars(select(User).where(User.role == "member", User.status == "verified"))
        if not circle_policy.can_view_circle(u, secret)
    )
    kiosk_login(client, outsider.login_id)
    assert client.get(f"/kiosk/circles/{secret.id}").status_code == 404


def test_circles_need_a_login_on_the_kiosk(client, demo, enrol):
    enrol()
    assert client.get("/kiosk/circles").headers["Location"] == "/kiosk/login"


def test_search_on_the_kiosk_finds_city_notices_without_leaving_kiosk_mode(client, demo, enrol):
    enrol()
    response = client.get("/kiosk/search?q=休館")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "年末年始" in text
    assert 'href="http' not in text  # pages of the city website are shown, not linked
    assert client.get("/search/?q=休館").headers["Location"] == "/kiosk/search?q=%E4%BC%91%E9%A4%A8"


def test_suspended_member_is_not_signed_in_on_a_kiosk(client, demo, enrol):
    user = db.session.scalar(select(User).where(User.login_id == "makoto"))
    user.status = "suspended"
    db.session.commit()
    enrol()
    response = kiosk_login(client, "makoto")
    assert response.status_code == 403
    assert "利用停止中" in response.get_data(as_text=True)
