"""Permission matrix: who may list, answer, read results, export, edit and publish a survey.

Viewers: anonymous, unverified, minor, member in the sample, member outside the sample, staff of the
department, staff of another department, admin. The open survey is for 北地区 only and already has 5
answers (so results exist); `publish` is tried on a separate draft of the same department.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from community.extensions import db
from community.policy import surveys as policy
from community.surveys.models import Survey
from tests.surveys.conftest import CHILD

LOGIN = "login"  # redirected to the login page

# viewer: (listed, answer, results, csv, edit, publish)
MATRIX = {
    "anonymous": (LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    "unverified": (403, 403, 403, 403, 403, 404),
    "minor": (False, 403, 403, 403, 403, 404),
    "in_sample": (True, 200, 403, 403, 403, 404),
    "outside_sample": (False, 403, 403, 403, 403, 404),
    "staff_of_department": (False, 403, 200, 200, 200, 302),
    "staff_of_other_department": (False, 403, 403, 403, 403, 404),
    "admin": (False, 403, 200, 200, 200, 302),
}


@pytest.fixture
def world(make_user, make_district, make_account, make_survey, answer_as):
    north, south = make_district("北地区"), make_district("南地区")
    staff = make_user("staff-dept", role="staff")
    other_staff = make_user("staff-other", role="staff")
    dept = make_account("子育て支援課", members=[staff])
    make_account("防災課", members=[other_staff])
    survey = make_survey(dept, districts=[north])
    draft = make_survey(dept, state="draft", title="下書きのアンケート")
    for i in range(5):
        answer_as(make_user(f"north{i}", district_id=north.id), survey, single=i % 3, scale=1 + i % 5)
    viewers = {
        "anonymous": None,
        "unverified": make_user("applied", status="applied", district_id=north.id),
        "minor": make_user("child", birth_date=CHILD, district_id=north.id),
        "in_sample": make_user("hanako", district_id=north.id),
        "outside_sample": make_user("minami", district_id=south.id),
        "staff_of_department": staff,
        "staff_of_other_department": other_staff,
        "admin": make_user("admin", role="admin"),
    }
    return survey, draft, viewers


def _status(response) -> object:
    if response.status_code == 302 and "/login" in response.headers["Location"]:
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("viewer", list(MATRIX))
def test_permission_matrix(client, auth, world, viewer):
    survey, draft, viewers = world
    if viewers[viewer] is not None:
        auth.login(viewers[viewer])
    listed, answer, results, csv, edit, publish = MATRIX[viewer]

    page = client.get("/surveys/")
    if isinstance(listed, bool):
        assert page.status_code == 200
        assert (survey.title in page.get_data(as_text=True)) is listed
    else:
        assert _status(page) == listed

    got = {
        "answer": _status(client.get(f"/surveys/{survey.id}")),
        "results": _status(client.get(f"/surveys/manage/{survey.id}/results")),
        "csv": _status(client.get(f"/surveys/manage/{survey.id}/results.csv")),
        "edit": _status(client.get(f"/surveys/manage/{survey.id}/edit")),
        "publish": _status(client.post(f"/surveys/manage/{draft.id}/publish", data={"version": draft.version})),
    }
    assert got == {"answer": answer, "results": results, "csv": csv, "edit": edit, "publish": publish}
    db.session.expire_all()
    published = db.session.get(Survey, draft.id).status == "published"
    assert published is (publish == 302)


def test_refusals_explain_why_in_japanese(client, auth, world):
    survey, _draft, viewers = world
    auth.login(viewers["outside_sample"])
    assert "対象" in client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    auth.logout()
    auth.login(viewers["minor"])
    assert "中学生以下" in client.get(f"/surveys/{survey.id}").get_data(as_text=True)


def test_a_draft_is_unknown_to_members(client, auth, world):
    _survey, draft, viewers = world
    auth.login(viewers["in_sample"])
    assert client.get(f"/surveys/{draft.id}").status_code == 404
    assert client.get(f"/surveys/manage/{draft.id}").status_code == 404


def test_staff_list_shows_only_their_departments(client, auth, world, make_account, make_survey):
    survey, draft, viewers = world
    other = db.session.scalar(select(Survey).where(Survey.id == survey.id)).account
    assert other.name == "子育て支援課"
    auth.login(viewers["staff_of_other_department"])
    page = client.get("/surveys/manage/").get_data(as_text=True)
    assert survey.title not in page and draft.title not in page
    auth.logout()
    auth.login(viewers["admin"])
    page = client.get("/surveys/manage/").get_data(as_text=True)
    assert survey.title in page and draft.title in page


def test_sql_filter_agrees_with_the_boolean(app, make_user, make_district, make_account, make_survey):
    """visible_surveys (SQL) and answer_refusal (Python) give the same answer for every pair."""
    north, south = make_district("北"), make_district("南")
    dept = make_account()
    surveys = [
        make_survey(dept, title="全員"),
        make_survey(dept, title="北のみ", districts=[north]),
        make_survey(dept, title="30代", bands=["30s"]),
        make_survey(dept, title="北の70歳以上", districts=[north], bands=["70plus"]),
        make_survey(dept, title="子どもも", include_minors=True),
        make_survey(dept, title="締切", state="closed"),
        make_survey(dept, title="予定", state="scheduled"),
    ]
    today = date.today()
    people = [
        make_user(district_id=north.id, birth_date=date(today.year - 35, 1, 1)),
        make_user(district_id=south.id, birth_date=date(today.year - 75, 1, 1)),
        make_user(district_id=north.id, birth_date=date(today.year - 75, 1, 1)),
        make_user(district_id=north.id, birth_date=CHILD),
        make_user(birth_date=date(today.year - 45, 1, 1)),
        make_user(status="applied"),
        make_user(status="suspended"),
    ]
    for person in people:
        person.is_authenticated  # noqa: B018 - a real User answers True
        listed = set(db.session.scalars(policy.visible_surveys(select(Survey.id), person)))
        for survey in surveys:
            assert (survey.id in listed) is policy.can_answer_survey(person, survey), (person.login_id, survey.title)


def test_managed_surveys_sql_agrees_with_can_manage(app, make_user, make_account, make_survey):
    staff, other_staff = make_user(role="staff"), make_user(role="staff")
    suspended = make_user(role="staff", status="suspended")
    mine, theirs = make_account(members=[staff, suspended]), make_account(members=[other_staff])
    surveys = [make_survey(mine), make_survey(mine, state="draft"), make_survey(theirs, state="closed")]
    for viewer in (staff, other_staff, suspended, make_user(role="admin"), make_user(), make_user(role="supporter")):
        managed = set(db.session.scalars(policy.managed_surveys(select(Survey.id), viewer)))
        for survey in surveys:
            assert (survey.id in managed) is policy.can_manage_survey(viewer, survey), (viewer.role, survey.id)
