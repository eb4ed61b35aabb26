"""Every /admin/ route, for every kind of viewer: administrators only."""

from __future__ import annotations

import pytest

from community.circles.models import CircleCategory
from community.extensions import db

VIEWERS = ["visitor", "member", "pupil", "supporter", "staff", "admin", "suspended_admin"]

# (method, path, what an administrator gets); everyone else: visitors are sent to log in (302),
# a suspended administrator to /suspended (302), the rest 403.
ROUTES = [
    ("GET", "/admin/", 200),
    ("GET", "/admin/settings", 200),
    ("POST", "/admin/settings", 400),
    ("GET", "/admin/facilities/", 200),
    ("GET", "/admin/facilities/new", 200),
    ("POST", "/admin/facilities/new", 400),  # empty form
    ("GET", "/admin/facilities/{facility}", 200),
    ("POST", "/admin/facilities/{facility}", 400),
    ("POST", "/admin/facilities/{facility}/delete", 302),
    ("GET", "/admin/facilities/999999", 404),
    ("GET", "/admin/districts/", 200),
    ("GET", "/admin/districts/new", 200),
    ("POST", "/admin/districts/new", 400),
    ("GET", "/admin/districts/{district}", 200),
    ("POST", "/admin/districts/{district}", 400),
    ("POST", "/admin/districts/{district}/delete", 302),
    ("GET", "/admin/categories/", 200),
    ("GET", "/admin/categories/new", 200),
    ("POST", "/admin/categories/new", 400),
    ("GET", "/admin/categories/{category}", 200),
    ("POST", "/admin/categories/{category}", 400),
    ("POST", "/admin/categories/{category}/delete", 302),
    ("GET", "/admin/categories/999999", 404),
    ("GET", "/admin/staff/", 200),
    ("GET", "/admin/staff/new", 200),
    ("POST", "/admin/staff/new", 400),
    ("POST", "/admin/staff/{staff}/revoke", 302),
]
CASES = [(method, path, viewer, admin_status) for method, path, admin_status in ROUTES for viewer in VIEWERS]


def expected(viewer: str, admin_status: int) -> int:
    if viewer == "admin":
        return admin_status
    if viewer in ("visitor", "suspended_admin"):
        return 302
    return 403


@pytest.mark.parametrize(("method", "path", "viewer", "admin_status"), CASES,
                         ids=[f"{m}{p}-{v}" for m, p, v, _ in CASES])
def test_admin_route_matrix(client, login_as, people, make_facility, make_district, method, path, viewer,
                            admin_status):
    category = CircleCategory(key="cooking", label="料理")
    db.session.add(category)
    db.session.commit()
    url = path.format(facility=make_facility().id, district=make_district().id, staff=people["staff"].id,
                      category=category.id)
    login_as(viewer)
    response = client.post(url, data={}) if method == "POST" else client.get(url)
    assert response.status_code == expected(viewer, admin_status)
    if viewer == "visitor":
        assert "/login" in response.headers["Location"]
    if viewer == "suspended_admin":
        assert "/suspended" in response.headers["Location"]


@pytest.mark.parametrize("viewer", VIEWERS)
def test_only_administrators_see_the_administration_link(client, login_as, viewer):
    login_as(viewer)
    page = client.get("/").get_data(as_text=True)
    assert ('href="/admin/"' in page) is (viewer == "admin")
