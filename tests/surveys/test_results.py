"""Results: nothing below 5 answers, small groups suppressed (also by subtraction), charts, CSV, audit."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import select

from community.audit import AuditLog
from community.extensions import db
from community.surveys.results import Group, suppress
from tests.surveys.conftest import close


@pytest.fixture
def setup(make_user, make_account, make_district, make_survey):
    staff = make_user("staff-tanaka", role="staff")
    dept = make_account("子育て支援課", members=[staff])
    districts = {name: make_district(name) for name in ("北地区", "南地区", "東地区")}
    survey = make_survey(dept)
    return staff, survey, districts


def _people(make_user, district, n, birth=date(1990, 6, 1)):
    return [make_user(district_id=district.id, birth_date=birth) for _ in range(n)]


def test_results_stay_hidden_at_four_and_show_at_five(client, auth, make_user, setup, answer_as):
    staff, survey, districts = setup
    people = _people(make_user, districts["北地区"], 5)
    for person in people[:4]:
        answer_as(person, survey, single=0, scale=4)
    auth.login(staff)
    four = client.get(f"/surveys/manage/{survey.id}/results").get_data(as_text=True)
    assert "回答が5人以上になると集計結果を表示します" in four
    assert "<svg" not in four and "週1回以上" not in four
    assert client.get(f"/surveys/manage/{survey.id}/results.csv").status_code == 409
    answer_as(people[4], survey, single=1, scale=2)
    five = client.get(f"/surveys/manage/{survey.id}/results").get_data(as_text=True)
    assert "<svg" in five and 'role="img"' in five and "<desc" in five
    assert "週1回以上" in five and "80.0%" in five and "20.0%" in five  # 4 of 5 and 1 of 5
    assert "平均 3.60" in five


def test_a_district_of_four_is_suppressed_and_one_of_five_shown(client, auth, make_user, setup, answer_as):
    staff, survey, districts = setup
    for person in _people(make_user, districts["北地区"], 5):
        answer_as(person, survey, single=0)
    for person in _people(make_user, districts["南地区"], 5):
        answer_as(person, survey, single=1)
    for person in _people(make_user, districts["東地区"], 4):
        answer_as(person, survey, single=2)
    auth.login(staff)
    while_open = client.get(f"/surveys/manage/{survey.id}/results").get_data(as_text=True)
    assert "<svg" in while_open and "地区別</caption>" not in while_open and "締め切った後に表示" in while_open
    close(survey)
    page = client.get(f"/surveys/manage/{survey.id}/results").get_data(as_text=True)
    by_district = page[page.index("地区別</caption>"):page.index("年代別</caption>")]
    assert "東地区" in by_district and "5人未満のため非表示" in by_district
    # 東 (4) is hidden; the total minus 北 and 南 would reveal it, so one more group is hidden too.
    assert by_district.count("逆算できないように") == 1
    # Every age band of 14 people born in 1990 is one group of 14: shown.
    by_age = page[page.index("年代別</caption>"):]
    assert "30代" in by_age and "<td>14</td>" in by_age


def test_secondary_suppression_rules():
    groups = [Group("A", 5, [5]), Group("B", 6, [6]), Group("C", 3, [3])]
    suppress(groups)
    assert [bool(g.suppressed) for g in groups] == [True, False, True]
    groups = [Group("A", 5, [5]), Group("B", 6, [6]), Group("C", 3, [3]), Group("D", 4, [4])]
    suppress(groups)  # C + D = 7 hidden: subtraction gives 7 people, not one small group
    assert [bool(g.suppressed) for g in groups] == [False, False, True, True]
    groups = [Group("A", 5, [5]), Group("B", 9, [9])]
    suppress(groups)
    assert not any(g.suppressed for g in groups)


def test_free_text_is_listed_only_from_five_writers(client, auth, make_user, setup, answer_as):
    staff, survey, districts = setup
    people = _people(make_user, districts["北地区"], 6)
    for number, person in enumerate(people[:5]):
        answer_as(person, survey, text=f"意見その{number}" if number < 4 else "")
    auth.login(staff)
    page = client.get(f"/surveys/manage/{survey.id}/results").get_data(as_text=True)
    assert "自由記述は5人以上が記入すると表示します" in page and "意見その0" not in page
    answer_as(people[5], survey, text="意見その5")
    page = client.get(f"/surveys/manage/{survey.id}/results").get_data(as_text=True)
    assert all(f"意見その{n}" in page for n in (0, 1, 2, 3, 5))


def test_csv_has_a_bom_totals_suppression_and_no_names(client, auth, make_user, setup, answer_as):
    staff, survey, districts = setup
    north = _people(make_user, districts["北地区"], 5)
    for person in north:
        answer_as(person, survey, single=0, multiple=(0, 1), scale=5, text="土曜日にも開けてほしい")
    east = make_user("higashi-taro", nickname="東太郎", district_id=districts["東地区"].id)
    answer_as(east, survey, single=2, scale=1)
    close(survey)
    auth.login(staff)
    response = client.get(f"/surveys/manage/{survey.id}/results.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.data
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["アンケート", "子育て支援センターの利用について"]
    assert ["回答数", "6"] in rows
    assert ["週1回以上", "5", "83.3"] in rows and ["利用しない", "1", "16.7"] in rows
    assert ["東地区", "5人未満のため非表示"] in rows
    # 北 alone would give 東 away (6 - 5 = 1 person), so it is hidden too.
    assert ["北地区", "非表示（ほかの非表示の区分を逆算できないようにするため）"] in rows
    text = raw.decode("utf-8-sig")
    assert "東太郎" not in text and "higashi-taro" not in text
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "survey.results_exported"))
    assert entry.actor_id == staff.id and entry.target_id == survey.id


def test_csv_guards_free_text_a_spreadsheet_would_run(client, auth, make_user, setup, answer_as):
    staff, survey, districts = setup
    texts = ['=HYPERLINK("http://x","y")', "＝1+1", "-1+2", "@SUM(A1)", "+81 90"]
    for person, text in zip(_people(make_user, districts["北地区"], 5), texts, strict=True):
        answer_as(person, survey, text=text)
    auth.login(staff)
    rows = list(csv.reader(io.StringIO(client.get(f"/surveys/manage/{survey.id}/results.csv").data.decode("utf-8-sig"))))
    assert sorted(row[1] for row in rows if len(row) == 2 and row[0] == "") == sorted("'" + t for t in texts)
    assert ["回答数", "5"] in rows  # counts stay plain numbers


def test_demo_loads_an_open_and_a_closed_survey_with_results(app, client, auth):
    from community.core.cli import load_demo
    from community.surveys.models import Survey
    from community.surveys.services import response_count

    assert load_demo()
    surveys = {s.title: s for s in db.session.scalars(select(Survey))}
    closed = surveys["公園と子どもの遊び場についてのアンケート"]
    assert response_count(closed) >= 5
    assert "子育て支援センターの利用について" in surveys
    auth.login("staff-tanaka", "tsunagari-demo-2026")
    page = client.get(f"/surveys/manage/{closed.id}/results").get_data(as_text=True)
    assert "<svg" in page and "5人未満のため非表示" in page
    auth.logout()
    auth.login("hanako", "tsunagari-demo-2026")
    listed = client.get("/surveys/").get_data(as_text=True)
    assert "子育て支援センターの利用について" in listed
