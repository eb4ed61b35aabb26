"""Categories administrators edit reach the circle forms, the circle list's filter, the circles'
badges and search: a new one is offered, a renamed one shows its new name on old circles, a
turned-off one is no longer offered but old circles still show it."""

from __future__ import annotations

import re

from sqlalchemy import select

from community.admin import services as admin
from community.circles.models import CircleCategory
from community.extensions import db


def options(page: str, select_id: str) -> dict[str, str]:
    block = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return dict(re.findall(r'<option[^>]*value="([^"]*)"[^>]*>([^<]*)</option>', block))


def saved(key: str) -> CircleCategory:
    return db.session.scalar(select(CircleCategory).where(CircleCategory.key == key))


def test_a_new_category_is_offered_and_can_be_chosen(client, auth, make_user):
    admin.save_category(make_user(role="admin"), None, key="cooking", label="料理", label_en="Cooking",
                        sort_order=0, active=True)
    db.session.commit()
    auth.login(make_user())
    assert options(client.get("/circles/new").get_data(as_text=True), "category")["cooking"] == "料理"
    assert options(client.get("/circles/").get_data(as_text=True), "filter-category")["cooking"] == "料理"
    response = client.post("/circles/new", data={
        "name": "男の料理教室", "description": "", "category": "cooking", "district_id": "0", "visibility": "public",
        "join_mode": "open", "topic_policy": "members", "comment_policy": "members"})
    assert response.status_code == 302
    listing = client.get("/circles/?category=cooking").get_data(as_text=True)
    assert "男の料理教室" in listing and '<span class="badge">料理</span>' in listing


def test_a_renamed_category_shows_its_new_name_on_existing_circles(client, make_user, make_circle):
    circle = make_circle(name="囲碁の会", category="hobby")
    administrator = make_user(role="admin")
    admin.save_category(administrator, None, key="cooking", label="料理", label_en="", sort_order=0, active=True)
    admin.save_category(administrator, saved("hobby"), label="趣味・遊び", label_en="", sort_order=10, active=True)
    db.session.commit()
    assert '<span class="badge">趣味・遊び</span>' in client.get(f"/circles/{circle.id}").get_data(as_text=True)
    assert '<span class="badge">趣味・遊び</span>' in client.get("/circles/").get_data(as_text=True)


def test_a_turned_off_category_is_not_offered_but_old_circles_keep_it(client, auth, make_user, make_circle):
    owner = make_user()
    circle = make_circle(owner, name="囲碁の会", category="hobby")
    admin.save_category(make_user(role="admin"), None, key="cooking", label="料理", label_en="", sort_order=0, active=True)
    admin.save_category(make_user(role="admin"), saved("hobby"), label="趣味", label_en="", sort_order=10,
                        active=False)
    db.session.commit()
    auth.login(owner)
    assert "hobby" not in options(client.get("/circles/new").get_data(as_text=True), "category")
    listing = client.get("/circles/").get_data(as_text=True)
    assert "hobby" not in options(listing, "filter-category")
    assert "囲碁の会" in listing and '<span class="badge">趣味</span>' in listing
    # A new circle cannot take it; the old circle's settings keep it.
    refused = client.post("/circles/new", data={
        "name": "将棋の会", "description": "", "category": "hobby", "district_id": "0", "visibility": "public",
        "join_mode": "open", "topic_policy": "members", "comment_policy": "members"})
    assert refused.status_code in (200, 400) and "将棋の会" in refused.get_data(as_text=True)
    settings = client.get(f"/circles/{circle.id}/settings").get_data(as_text=True)
    assert options(settings, "category")["hobby"] == "趣味"
