"""Staff: drafting, questions, publishing (with the audience check), editing rules and their messages."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from community.audit import AuditLog
from community.core.database import utcnow
from community.core.i18n import TOKYO
from community.extensions import db
from community.surveys.models import Survey, SurveyQuestion


@pytest.fixture
def staff(make_user):
    return make_user("staff-tanaka", role="staff")


@pytest.fixture
def dept(make_account, staff):
    return make_account("子育て支援課", members=[staff])


def _local(dt: datetime) -> str:
    return dt.astimezone(TOKYO).strftime("%Y-%m-%dT%H:%M")


def _settings(dept, **over):
    now = utcnow()
    data = {
        "account_id": str(dept.id), "title": "子育て支援センターの利用について", "description": "ご協力ください。",
        "audience": "all", "opens_at": _local(now + timedelta(hours=1)), "closes_at": _local(now + timedelta(days=14)),
        "form_key": "k" * 32,
    }
    data.update(over)
    return data


def _survey() -> Survey:
    db.session.expire_all()
    return db.session.scalar(select(Survey).order_by(Survey.id.desc()))


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)))


def test_staff_drafts_a_survey_with_all_four_kinds_and_publishes_it(client, auth, staff, dept, make_user):
    for _ in range(5):
        make_user()
    auth.login(staff)
    response = client.post("/surveys/manage/new", data=_settings(dept))
    assert response.status_code == 302
    survey = _survey()
    assert survey.status == "draft" and survey.account.name == "子育て支援課"
    questions = [
        {"kind": "single", "text": "利用の頻度は？", "required": "y", "choices": "週1回以上\n月1回\n\n利用しない"},
        {"kind": "multiple", "text": "利用した催しは？", "choices": "ひろば\n相談"},
        {"kind": "scale", "text": "満足度は？", "required": "y", "scale_low_label": "不満", "scale_high_label": "満足"},
        {"kind": "text", "text": "ご意見"},
    ]
    for number, q in enumerate(questions):
        got = client.post(f"/surveys/manage/{survey.id}/questions/new",
                          data={**q, "version": _survey().version, "form_key": f"q{number}" * 8})
        assert got.status_code == 302, got.get_data(as_text=True)
    survey = _survey()
    assert [q.kind for q in survey.questions] == ["single", "multiple", "scale", "text"]
    assert [c.label for c in survey.questions[0].choices] == ["週1回以上", "月1回", "利用しない"]
    assert survey.questions[1].required is False and survey.questions[2].scale_high_label == "満足"
    page = client.get(f"/surveys/manage/{survey.id}").get_data(as_text=True)
    assert "現在の対象者数" in page
    published = client.post(f"/surveys/manage/{survey.id}/publish", data={"version": survey.version})
    assert published.status_code == 302
    assert _survey().status == "published"
    assert _actions() == ["survey.created"] + ["survey.question_added"] * 4 + ["survey.published"]


def test_double_submitted_forms_create_one_survey_and_one_question(client, auth, staff, dept):
    auth.login(staff)
    assert client.post("/surveys/manage/new", data=_settings(dept)).status_code == 302
    assert client.post("/surveys/manage/new", data=_settings(dept)).status_code == 302
    assert db.session.scalar(select(func.count(Survey.id))) == 1
    survey = _survey()
    q = {"kind": "text", "text": "ご意見", "version": survey.version, "form_key": "same" * 8}
    assert client.post(f"/surveys/manage/{survey.id}/questions/new", data=q).status_code == 302
    assert client.post(f"/surveys/manage/{survey.id}/questions/new", data=q).status_code == 302
    assert db.session.scalar(select(func.count(SurveyQuestion.id))) == 1


@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"closes_at": _local(utcnow())}, "締切日時は受付開始より後にしてください"),
        ({"audience": "sample"}, "地区か年代を1つ以上選んでください"),
        ({"title": ""}, "入力してください"),
        ({"opens_at": "明日"}, "年-月-日 時:分の形で入力してください"),
    ],
)
def test_bad_settings_are_refused_and_the_form_keeps_the_input(client, auth, staff, dept, over, message):
    auth.login(staff)
    response = client.post("/surveys/manage/new", data=_settings(dept, description="説明を書きました", **over))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page and "説明を書きました" in page
    assert db.session.scalar(select(func.count(Survey.id))) == 0


def test_a_choice_question_needs_two_choices(client, auth, staff, dept, make_survey):
    survey = make_survey(dept, state="draft", questions=False)
    auth.login(staff)
    response = client.post(f"/surveys/manage/{survey.id}/questions/new",
                           data={"kind": "single", "text": "どちら？", "choices": "はい", "version": survey.version})
    assert response.status_code == 400
    assert "2つ以上の選択肢" in response.get_data(as_text=True)
    assert "どちら？" in response.get_data(as_text=True)


def test_publishing_to_an_audience_below_five_is_refused(client, auth, staff, dept, make_survey, make_user,
                                                         make_district):
    north = make_district("北地区")
    survey = make_survey(dept, state="draft", districts=[north])
    for _ in range(4):
        make_user(district_id=north.id)
    auth.login(staff)
    response = client.post(f"/surveys/manage/{survey.id}/publish", data={"version": survey.version})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "対象の会員が4人しかいません" in page and "5人以上必要です" in page
    assert _survey().status == "draft"
    make_user(district_id=north.id)
    assert client.post(f"/surveys/manage/{survey.id}/publish", data={"version": survey.version}).status_code == 302
    assert _survey().status == "published"


def test_publishing_needs_questions(client, auth, staff, dept, make_survey, make_user):
    for _ in range(5):
        make_user()
    survey = make_survey(dept, state="draft", questions=False)
    auth.login(staff)
    response = client.post(f"/surveys/manage/{survey.id}/publish", data={"version": survey.version})
    assert response.status_code == 400
    assert "質問を1つ以上追加してください" in response.get_data(as_text=True)


def test_an_open_survey_keeps_its_questions_but_may_be_extended(client, auth, staff, dept, make_survey):
    survey = make_survey(dept, state="open")
    auth.login(staff)
    refused = client.post(f"/surveys/manage/{survey.id}/questions/new",
                          data={"kind": "text", "text": "追加", "version": survey.version})
    assert refused.status_code == 409
    assert "公開済みのため、質問は変更できません" in refused.get_data(as_text=True)
    question = survey.questions[0]
    assert client.post(f"/surveys/manage/{survey.id}/questions/{question.id}/delete",
                       data={"version": survey.version}).status_code == 409
    earlier = client.post(f"/surveys/manage/{survey.id}/edit", data={
        "description": "直しました", "closes_at": _local(survey.closes_at - timedelta(days=1)), "version": survey.version})
    assert earlier.status_code == 400
    assert "延長のみできます" in earlier.get_data(as_text=True)
    later = survey.closes_at + timedelta(days=7)
    extended = client.post(f"/surveys/manage/{survey.id}/edit", data={
        "description": "説明を直しました", "closes_at": _local(later), "version": survey.version})
    assert extended.status_code == 302
    survey = _survey()
    assert survey.description == "説明を直しました"
    assert survey.closes_at == later.replace(second=0, microsecond=0)
    assert len(survey.questions) == 4


def test_a_closed_survey_cannot_be_edited_at_all(client, auth, staff, dept, make_survey):
    survey = make_survey(dept, state="closed")
    auth.login(staff)
    for response in (
        client.get(f"/surveys/manage/{survey.id}/edit"),
        client.post(f"/surveys/manage/{survey.id}/edit", data={
            "description": "x", "closes_at": _local(utcnow() + timedelta(days=30)), "version": survey.version}),
        client.post(f"/surveys/manage/{survey.id}/questions/new", data={"kind": "text", "text": "x"}),
        client.post(f"/surveys/manage/{survey.id}/close", data={"version": survey.version}),
    ):
        assert response.status_code == 409
        assert "締め切られ" in response.get_data(as_text=True)
    assert _survey().description == "ご協力をお願いします。"


def test_a_stale_form_is_refused(client, auth, staff, dept, make_survey):
    survey = make_survey(dept, state="draft")
    auth.login(staff)
    old = survey.version
    question = survey.questions[3]
    assert client.post(f"/surveys/manage/{survey.id}/questions/{question.id}/edit",
                       data={"text": "ご意見（任意）", "version": old}).status_code == 302
    stale = client.post(f"/surveys/manage/{survey.id}/publish", data={"version": old})
    assert stale.status_code == 409
    assert "ほかの職員がこのアンケートを変更しました" in stale.get_data(as_text=True)
    assert _survey().status == "draft"


def test_close_now_and_back_to_draft(client, auth, staff, dept, make_survey):
    open_survey = make_survey(dept, state="open")
    scheduled = make_survey(dept, state="scheduled", title="予定")
    auth.login(staff)
    assert client.post(f"/surveys/manage/{open_survey.id}/close", data={"version": open_survey.version}).status_code == 302
    assert client.post(f"/surveys/manage/{scheduled.id}/unpublish", data={"version": scheduled.version}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Survey, open_survey.id).closes_at <= utcnow()
    assert db.session.get(Survey, scheduled.id).status == "draft"
    assert _actions() == ["survey.closed", "survey.unpublished"]


def test_questions_can_be_reordered_and_removed_in_a_draft(client, auth, staff, dept, make_survey):
    survey = make_survey(dept, state="draft")
    auth.login(staff)
    first, second = survey.questions[0].id, survey.questions[1].id
    assert client.post(f"/surveys/manage/{survey.id}/questions/{first}/move",
                       data={"version": survey.version, "direction": 1}).status_code == 302
    assert [q.id for q in _survey().questions][:2] == [second, first]
    assert client.post(f"/surveys/manage/{survey.id}/questions/{first}/delete",
                       data={"version": _survey().version}).status_code == 302
    assert [q.position for q in _survey().questions] == [1, 2, 3]


def test_staff_without_a_department_cannot_create(client, auth, make_user, make_account):
    make_account("防災課")
    auth.login(make_user(role="staff"))
    response = client.get("/surveys/manage/new")
    assert response.status_code == 403
    assert "どの課の公式アカウントにも登録されていません" in response.get_data(as_text=True)


def test_staff_cannot_create_for_another_department(client, auth, staff, dept, make_account):
    other = make_account("防災課")
    auth.login(staff)
    response = client.post("/surveys/manage/new", data=_settings(other))
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(Survey.id))) == 0


def test_fixing_only_the_description_keeps_a_closing_time_with_seconds(client, auth, staff, dept, make_survey):
    """The form shows minutes; sending the same minute back is not 'bringing the date forward'."""
    survey = make_survey(dept, state="open")
    assert survey.closes_at.second or survey.closes_at.microsecond
    auth.login(staff)
    page = client.get(f"/surveys/manage/{survey.id}/edit").get_data(as_text=True)
    assert _local(survey.closes_at) in page
    response = client.post(f"/surveys/manage/{survey.id}/edit", data={
        "description": "誤字を直しました", "closes_at": _local(survey.closes_at), "version": survey.version})
    assert response.status_code == 302
    assert _survey().description == "誤字を直しました"


def test_staff_preview_a_draft_as_members_will_see_it(client, auth, staff, dept, make_survey, make_user):
    survey = make_survey(dept, state="draft")
    auth.login(staff)
    page = client.get(f"/surveys/manage/{survey.id}/preview").get_data(as_text=True)
    assert "プレビュー" in page and "利用の頻度は？" in page and "不満" in page
    assert "回答を送信する" not in page
    auth.logout()
    auth.login(make_user())
    assert client.get(f"/surveys/manage/{survey.id}/preview").status_code == 404


def test_a_change_committed_between_read_and_write_is_refused(app, staff, dept, make_survey):
    """Two staff send at the same moment with the same version: the database decides, one wins."""
    from sqlalchemy import update

    from community.surveys import services

    survey = make_survey(dept, state="draft")
    version = survey.version
    with db.engine.begin() as other_request:  # another request publishes meanwhile
        other_request.execute(update(Survey).where(Survey.id == survey.id).values(version=version + 1, status="published"))
    with pytest.raises(services.StaleSurvey):
        services.add_question(staff, survey, kind="text", text="追加", version=version)
    db.session.rollback()
    db.session.expire_all()
    assert len(db.session.get(Survey, survey.id).questions) == 4


def test_staff_actions_check_csrf(app, client, auth, staff, dept, make_survey, make_user):
    for _ in range(5):
        make_user()
    survey = make_survey(dept, state="draft")
    auth.login(staff)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(f"/surveys/manage/{survey.id}/publish", data={"version": survey.version})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert _survey().status == "draft"
