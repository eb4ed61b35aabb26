"""Who sees which part of a profile: viewer kinds x field visibility, in the view and the policy."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.accounts.models import User
from community.extensions import db
from community.policy import visible_members, visible_profile_fields
from tests.social.conftest import VIEWER_KINDS, minor_birth_date

# (viewer kind, public_nickname) -> HTTP status of the profile page
PAGE_ACCESS = [
    ("anonymous", True, 200), ("anonymous", False, 404),
    ("applied", True, 200), ("applied", False, 404),
    # accounts confines a suspended member to the page that explains the suspension
    ("suspended", True, 302), ("suspended", False, 302),
    ("minor", False, 200), ("member", False, 200), ("friend", False, 200),
    ("supporter", False, 200), ("staff", False, 200),
    ("blocked", False, 404), ("blocked", True, 404),
]


@pytest.mark.parametrize(("kind", "public", "status"), PAGE_ACCESS)
def test_who_can_open_a_profile(client, auth, profile_of, viewer_of, kind, public, status):
    owner = profile_of(public_nickname=public)
    viewer = viewer_of(kind, owner)
    if viewer:
        auth.login(viewer)
    response = client.get(f"/members/{owner.id}")
    assert response.status_code == status
    if status == 200:
        assert "持ち主" in response.get_data(as_text=True)


# field visibility -> the viewer kinds that see the field (the owner always does)
SEES_FIELD = {
    "members": {"minor", "member", "friend", "supporter", "staff"},
    "friends": {"friend"},
    "private": set(),
}
FIELD_MATRIX = [
    (kind, level, kind in SEES_FIELD[level]) for kind in VIEWER_KINDS for level in SEES_FIELD
]


@pytest.mark.parametrize(("kind", "level", "shown"), FIELD_MATRIX)
def test_self_introduction_follows_its_visibility(client, auth, profile_of, viewer_of, kind, level, shown):
    # public_nickname so that anonymous visitors reach the page and we test the field, not the page.
    owner = profile_of(public_nickname=True, bio_visibility=level)
    viewer = viewer_of(kind, owner)
    if viewer:
        auth.login(viewer)
    body = client.get(f"/members/{owner.id}").get_data(as_text=True)
    assert ("自己紹介の本文です" in body) is shown


# A 中学生以下 member's self-introduction (saved before the rule, or while an applicant) is posting:
# no other member reads it, whatever its visibility (a friend neither); staff still do when the
# visibility lets them (as for any member), to answer a report about it.
PUPIL_BIO = [(kind, level, kind == "staff" and level == "members") for kind in VIEWER_KINDS
             for level in ("members", "friends")]


@pytest.mark.parametrize(("kind", "level", "shown"), PUPIL_BIO)
def test_a_pupils_self_introduction_is_not_shown_to_other_members(client, auth, profile_of, viewer_of, kind, level,
                                                                  shown):
    owner = profile_of(public_nickname=True, bio_visibility=level, birth_date=minor_birth_date())
    viewer = viewer_of(kind, owner)
    if viewer:
        auth.login(viewer)
    body = client.get(f"/members/{owner.id}").get_data(as_text=True)
    assert ("自己紹介の本文です" in body) is shown
    assert ("bio" in visible_profile_fields(viewer, owner)) is shown


def test_a_pupil_still_sees_their_own_self_introduction_with_a_note(client, auth, profile_of):
    owner = profile_of(birth_date=minor_birth_date())
    auth.login(owner)
    body = client.get(f"/members/{owner.id}").get_data(as_text=True)
    assert "自己紹介の本文です" in body
    assert "ほかのメンバーには表示されません" in body


@pytest.mark.parametrize(("kind", "level", "shown"), FIELD_MATRIX)
def test_district_follows_its_visibility(app, profile_of, viewer_of, make_district, kind, level, shown):
    district = make_district("みなと地区")
    owner = profile_of(public_nickname=True, district_visibility=level, district_id=district.id)
    viewer = viewer_of(kind, owner)
    assert ("district" in visible_profile_fields(viewer, owner)) is shown


@pytest.mark.parametrize("level", ["members", "friends", "private"])
def test_the_owner_sees_every_field_with_who_else_sees_it(client, auth, profile_of, level):
    owner = profile_of(bio_visibility=level)
    auth.login(owner)
    body = client.get(f"/members/{owner.id}").get_data(as_text=True)
    assert "自己紹介の本文です" in body
    assert {"members": "会員に公開", "friends": "友達まで公開", "private": "自分のみ"}[level] in body


def test_staff_still_see_a_profile_that_blocked_them(client, auth, profile_of, make_user, block_member):
    owner = profile_of()
    staff = make_user(role="staff")
    block_member(owner, staff)
    auth.login(staff)
    assert client.get(f"/members/{owner.id}").status_code == 200


def test_the_blocker_can_still_open_the_blocked_members_profile_to_unblock(client, auth, make_user, block_member):
    owner, other = make_user(), make_user(nickname="ブロックされた人")
    block_member(owner, other)
    auth.login(owner)
    body = client.get(f"/members/{other.id}").get_data(as_text=True)
    assert "ブロックを解除" in body


@pytest.mark.parametrize("status", ["applied", "withdrawn", "suspended"])
def test_inactive_members_profiles_are_not_shown_to_members(client, auth, make_user, status):
    owner = make_user(status=status)
    auth.login(make_user())
    assert client.get(f"/members/{owner.id}").status_code == 404


def test_unknown_member_is_404(client):
    assert client.get("/members/999999").status_code == 404


def test_anonymous_visitors_never_see_more_than_the_nickname(client, profile_of, make_district):
    owner = profile_of(public_nickname=True, district_id=make_district("北地区").id)
    body = client.get(f"/members/{owner.id}").get_data(as_text=True)
    assert "持ち主" in body
    assert "自己紹介の本文です" not in body and "北地区" not in body
    assert "友達申請" not in body


@pytest.mark.parametrize(("kind", "listed"), [
    ("anonymous", {"public"}),
    ("applied", {"public"}),
    ("member", {"public", "members_only"}),
    ("blocked", {"public"}),  # the members-only owner blocked this viewer
    ("staff", {"public", "members_only", "suspended"}),
])
def test_visible_members_sql_filter(app, make_user, profile_of, viewer_of, block_member, kind, listed):
    public = profile_of(public_nickname=True)
    members_only = make_user()
    suspended = make_user(status="suspended")
    make_user(status="withdrawn")
    viewer = viewer_of("member" if kind == "blocked" else kind, members_only)
    if kind == "blocked":
        block_member(members_only, viewer)
    names = {public.id: "public", members_only.id: "members_only", suspended.id: "suspended"}
    ids = set(db.session.scalars(visible_members(select(User.id), viewer)))
    found = {names[i] for i in ids if i in names}
    assert found == listed
