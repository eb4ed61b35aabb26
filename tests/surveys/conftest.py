"""Factories for survey tests: real rows, real commits, dates relative to now (no sleeping)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from community.core.database import utcnow
from community.extensions import db
from community.official.models import OfficialAccount, OfficialAccountMember
from community.surveys import services
from community.surveys.models import Survey, SurveyAgeBand, SurveyChoice, SurveyDistrict, SurveyQuestion

CHILD = date.today().replace(year=date.today().year - 10)
_counter = itertools.count(1)


@pytest.fixture
def make_account(app):
    def make(name=None, *, members=()) -> OfficialAccount:
        number = next(_counter)
        account = OfficialAccount(name=name or f"アンケート課{number}", slug=f"survey-dept{number}")
        account.members = [OfficialAccountMember(user_id=u.id) for u in members]
        db.session.add(account)
        db.session.commit()
        return account

    return make


@pytest.fixture
def make_survey(app):
    """make_survey(account, state="open"|"draft"|"closed"|"scheduled", districts=[...], bands=[...])."""

    def make(account, *, state="open", districts=(), bands=(), include_minors=False, title="子育て支援センターの利用について",
             questions=True) -> Survey:
        now = utcnow()
        opens, closes = {
            "open": (now - timedelta(days=1), now + timedelta(days=7)),
            "draft": (now + timedelta(days=1), now + timedelta(days=8)),
            "scheduled": (now + timedelta(days=1), now + timedelta(days=8)),
            "closed": (now - timedelta(days=10), now - timedelta(days=1)),
        }[state]
        survey = Survey(
            official_account_id=account.id, title=title, description="ご協力をお願いします。",
            sample=bool(districts or bands), include_minors=include_minors, opens_at=opens, closes_at=closes,
            status="draft" if state == "draft" else "published", published_at=None if state == "draft" else now,
        )
        survey.districts = [SurveyDistrict(district_id=d.id) for d in districts]
        survey.age_bands = [SurveyAgeBand(band=b) for b in bands]
        if questions:
            survey.questions = [
                SurveyQuestion(position=1, kind="single", text="利用の頻度は？", required=True,
                               choices=[SurveyChoice(position=i, label=label) for i, label in
                                        enumerate(["週1回以上", "月1回", "利用しない"], start=1)]),
                SurveyQuestion(position=2, kind="multiple", text="利用した催しは？", required=False,
                               choices=[SurveyChoice(position=i, label=label) for i, label in
                                        enumerate(["親子のひろば", "育児相談", "読み聞かせ"], start=1)]),
                SurveyQuestion(position=3, kind="scale", text="満足度は？", required=True,
                               scale_low_label="不満", scale_high_label="満足"),
                SurveyQuestion(position=4, kind="text", text="ご意見をどうぞ", required=False),
            ]
        db.session.add(survey)
        db.session.commit()
        return survey

    return make


def form_data(survey, single=0, multiple=(), scale=3, text=""):
    """The answer form as a browser sends it (choice indexes are 0-based)."""
    q = {question.kind: question for question in survey.questions}
    data = {}
    if single is not None:
        data[f"q{q['single'].id}"] = str(q["single"].choices[single].id)
    if multiple:
        data[f"q{q['multiple'].id}"] = [str(q["multiple"].choices[i].id) for i in multiple]
    if scale is not None:
        data[f"q{q['scale'].id}"] = str(scale)
    if text:
        data[f"q{q['text'].id}"] = text
    return data


@pytest.fixture
def answer_as(app):
    """Record answers directly through the service (for result tests), committing each."""

    def answer(user, survey, single=0, multiple=(), scale=3, text=""):
        q = {question.kind: question for question in survey.questions}
        given = {q["single"].id: q["single"].choices[single].id, q["scale"].id: scale}
        if multiple:
            given[q["multiple"].id] = [q["multiple"].choices[i].id for i in multiple]
        if text:
            given[q["text"].id] = text
        services.submit_answers(user, survey, given)
        db.session.commit()

    return answer


def close(survey) -> None:
    """End the answer period now (as 「今すぐ締め切る」 does), after answers were given."""
    survey.closes_at = utcnow() - timedelta(seconds=1)
    survey.version += 1
    db.session.commit()
