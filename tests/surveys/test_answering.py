"""Members answering: all four kinds, validation that keeps answers, one answer per member, privacy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, inspect, select

from community.core.database import utcnow
from community.extensions import db
from community.policy import surveys as policy
from community.surveys import services
from community.surveys.models import SurveyAnswer, SurveyParticipation, SurveyResponse
from tests.surveys.conftest import form_data


@pytest.fixture
def dept(make_user, make_account):
    return make_account("子育て支援課", members=[make_user(role="staff")])


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def test_member_answers_all_four_kinds_once(client, auth, make_user, dept, make_survey):
    survey = make_survey(dept)
    auth.login(make_user("hanako"))
    page = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "利用の頻度は？" in page and "満足度は？" in page and "不満" in page and "（必須）" in page
    response = client.post(f"/surveys/{survey.id}", data=form_data(survey, single=1, multiple=(0, 2), scale=4,
                                                                   text="土曜日の催しがほしい"))
    assert response.status_code == 302
    done = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "ご回答ありがとうございました" in done and "回答済みです" in done
    answers = db.session.scalars(select(SurveyAnswer)).all()
    assert sorted(repr((a.choice_id is not None, a.value, a.text)) for a in answers) == sorted(
        repr(row) for row in [(True, None, None)] * 3 + [(False, 4, None), (False, None, "土曜日の催しがほしい")]
    )
    assert _count(SurveyParticipation) == 1 and _count(SurveyResponse) == 1


def test_answering_twice_is_refused_with_a_friendly_message(client, auth, make_user, dept, make_survey):
    survey = make_survey(dept)
    auth.login(make_user())
    assert client.post(f"/surveys/{survey.id}", data=form_data(survey)).status_code == 302
    again = client.post(f"/surveys/{survey.id}", data=form_data(survey, single=2))
    assert again.status_code == 409
    assert "回答済みです" in again.get_data(as_text=True)
    revisit = client.get(f"/surveys/{survey.id}")
    assert revisit.status_code == 200 and "回答済みです" in revisit.get_data(as_text=True)
    assert "回答を送信する" not in revisit.get_data(as_text=True)  # no form the second time
    assert _count(SurveyParticipation) == 1 and _count(SurveyResponse) == 1
    listed = client.get("/surveys/").get_data(as_text=True)
    assert "回答済み" in listed


def test_a_racing_double_submit_leaves_one_answer(app, make_user, dept, make_survey, monkeypatch):
    """Both requests pass the 'answered?' check; the unique constraint stops the second one."""
    survey = make_survey(dept)
    user = make_user()
    given = {survey.questions[0].id: survey.questions[0].choices[0].id, survey.questions[2].id: 3}
    services.submit_answers(user, survey, given)
    db.session.commit()
    monkeypatch.setattr(policy, "_has_answered", lambda viewer, s: False)
    with pytest.raises(services.AlreadyAnswered):
        services.submit_answers(user, survey, given)
    db.session.rollback()
    assert _count(SurveyParticipation) == 1 and _count(SurveyResponse) == 1 and _count(SurveyAnswer) == 2


def test_missing_required_answers_keep_what_was_given(client, auth, make_user, dept, make_survey):
    survey = make_survey(dept)
    auth.login(make_user())
    data = form_data(survey, single=None, multiple=(1,), scale=None, text="書いた意見")
    response = client.post(f"/surveys/{survey.id}", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "1つ選んでください" in page
    multiple = survey.questions[1]
    assert f'value="{multiple.choices[1].id}" checked' in page
    assert "書いた意見" in page
    assert _count(SurveyParticipation) == 0 and _count(SurveyResponse) == 0


@pytest.mark.parametrize("bad", ["999999", "abc", "0", "6"])
def test_tampered_values_are_refused(client, auth, make_user, dept, make_survey, bad):
    survey = make_survey(dept)
    auth.login(make_user())
    data = form_data(survey)
    data[f"q{survey.questions[2].id}"] = bad  # the scale
    data[f"q{survey.questions[0].id}"] = bad if not bad.isdigit() or int(bad) > 10 else data[f"q{survey.questions[0].id}"]
    response = client.post(f"/surveys/{survey.id}", data=data)
    assert response.status_code == 400
    assert "表示されている選択肢から選んでください" in response.get_data(as_text=True)
    assert _count(SurveyResponse) == 0


def test_too_long_free_text_is_kept_and_refused(client, auth, make_user, dept, make_survey):
    survey = make_survey(dept)
    auth.login(make_user())
    response = client.post(f"/surveys/{survey.id}", data=form_data(survey, text="あ" * 2001))
    assert response.status_code == 400
    assert "2000文字以内" in response.get_data(as_text=True)
    assert "あ" * 2001 in response.get_data(as_text=True)


def test_closed_and_scheduled_surveys_take_no_answers(client, auth, make_user, dept, make_survey):
    closed, scheduled = make_survey(dept, state="closed"), make_survey(dept, state="scheduled")
    auth.login(make_user())
    for survey in (closed, scheduled):
        response = client.post(f"/surveys/{survey.id}", data=form_data(survey))
        assert response.status_code == 409
        assert "受け付けていません" in response.get_data(as_text=True)
    listed = client.get("/surveys/").get_data(as_text=True)
    assert closed.title not in listed or "現在、回答をお願いしているアンケートはありません" in listed
    assert _count(SurveyResponse) == 0


def test_csrf_is_checked_on_answers(app, client, auth, make_user, dept, make_survey):
    survey = make_survey(dept)
    auth.login(make_user())
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(f"/surveys/{survey.id}", data=form_data(survey))
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert _count(SurveyResponse) == 0


def test_minors_are_asked_only_when_the_survey_includes_them(client, auth, make_user, dept, make_survey):
    from tests.surveys.conftest import CHILD

    adults_only = make_survey(dept, title="大人向け")
    with_children = make_survey(dept, title="子どもにも", include_minors=True)
    auth.login(make_user(birth_date=CHILD))
    listed = client.get("/surveys/").get_data(as_text=True)
    assert "子どもにも" in listed and "大人向け" not in listed
    assert client.get(f"/surveys/{adults_only.id}").status_code == 403
    assert client.post(f"/surveys/{with_children.id}", data=form_data(with_children)).status_code == 302


def test_responses_cannot_be_tied_to_members(app, make_user, dept, make_survey, answer_as):
    """The response table has no member column and no time; participation holds no answers."""
    survey = make_survey(dept)
    answer_as(make_user("hanako"), survey)
    response_columns = {c["name"] for c in inspect(db.engine).get_columns("survey_response")}
    assert response_columns == {"id", "survey_id", "district_id", "age_band"}
    participation_columns = {c["name"] for c in inspect(db.engine).get_columns("survey_participation")}
    assert participation_columns == {"id", "survey_id", "user_id", "answered_at"}
    response = db.session.scalar(select(SurveyResponse))
    assert len(response.id) == 32 and not response.id.isdigit()


def test_latest_adult_birth_date_agrees_with_is_minor():
    from datetime import date

    from community.policy.accounts import is_minor

    class Person:
        def __init__(self, birth):
            self.birth_date = birth

    for today in (date(2026, 3, 31), date(2026, 4, 1), date(2026, 11, 22), date(2028, 2, 29)):
        boundary = policy.latest_adult_birth_date(today)
        assert not is_minor(Person(boundary), today)
        assert is_minor(Person(boundary + timedelta(days=1)), today)


def test_age_bands_follow_birthdays():
    from datetime import date

    today = date(2026, 11, 22)
    assert policy.age_band_of(date(1996, 11, 22), today) == "30s"  # 30 today
    assert policy.age_band_of(date(1996, 11, 23), today) == "20s"  # 30 tomorrow
    assert policy.age_band_of(date(1956, 1, 1), today) == "70plus"
    assert policy.age_band_of(date(2010, 1, 1), today) == "u20"


def test_withdrawal_removes_participation_but_keeps_anonymous_statistics(app, make_user, dept, make_survey, answer_as):
    survey = make_survey(dept)
    user = make_user()
    answer_as(user, survey)
    services.withdraw_member(user, keep=True)
    db.session.commit()
    assert _count(SurveyParticipation) == 0 and _count(SurveyResponse) == 1
    assert utcnow() < survey.closes_at
