"""Who may answer, manage and read the results of surveys (アンケート / 市政モニター).

The rules, in one place:
- A survey is published by a department account (OfficialAccount). Staff whom an admin named as
  the account's members manage its surveys; admins manage every survey. Drafts exist only for them.
- A member may answer while the survey is open (published, opens_at <= now < closes_at), if they
  are verified and not suspended, and in its audience: every member, or a sample by district(s)
  and/or age band(s). 中学生以下 (policy `is_minor`) are left out unless the survey includes them:
  most city surveys ask adults about policy, and a survey meant for children must say so.
- Results are aggregates only, for the managers, and never while fewer than `PRIVACY_THRESHOLD`
  people answered; any breakdown group smaller than that is suppressed (see surveys.results).
- Nobody (staff included) sees who answered what: answers are stored unlinked from the member.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta

from sqlalchemy import and_, exists, false, or_, select, true
from sqlalchemy.sql import ColumnElement, Select

from community.core.database import utcnow
from community.policy.accounts import Capability, _birthday, can, minor_until, today_in_japan
from community.policy.official import can_act_as_official

PRIVACY_THRESHOLD = 5

# (code, lowest age, highest age or None); the labels live in community/surveys (its catalogue).
AGE_BANDS = [
    ("u20", 0, 19),
    ("20s", 20, 29),
    ("30s", 30, 39),
    ("40s", 40, 49),
    ("50s", 50, 59),
    ("60s", 60, 69),
    ("70plus", 70, None),
]
AGE_BAND_CODES = [code for code, _lo, _hi in AGE_BANDS]


class SurveyState(enum.StrEnum):
    draft = "draft"
    scheduled = "scheduled"  # published, not yet open
    open = "open"
    closed = "closed"


class AnswerRefusal(enum.StrEnum):
    login = "login"
    account = "account"  # not verified, suspended
    minor = "minor"
    outside_sample = "outside_sample"
    not_open = "not_open"
    answered = "answered"


def _models():
    # Imported lazily: the policy package must not import feature packages at import time.
    from community.surveys import models

    return models


def age_on(birth_date: date, today: date | None = None) -> int:
    """Age in whole years on `today` (Japan time), counting the birthday itself."""
    today = today or today_in_japan()
    years = today.year - birth_date.year
    return years - 1 if _birthday(birth_date, years) > today else years


def age_band_of(birth_date: date | None, today: date | None = None) -> str:
    if birth_date is None:
        return ""
    age = age_on(birth_date, today)
    for code, low, high in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return code
    return ""


def _born_after_years_ago(today: date, years: int) -> date:
    """The birth date of someone who turns `years` today (their birthday is today)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # today is 29 February
        return date(today.year - years, 2, 28)


def latest_adult_birth_date(today: date | None = None) -> date:
    """The latest birth date that is no longer 中学生以下 on `today` (minor_until is monotonic)."""
    today = today or today_in_japan()
    low, high = today - timedelta(days=366 * 17), today - timedelta(days=365 * 13)
    while low < high:  # find the last b with minor_until(b) < today
        mid = low + (high - low + timedelta(days=1)) // 2
        if minor_until(mid) < today:
            low = mid
        else:
            high = mid - timedelta(days=1)
    return low


def survey_state(survey, now: datetime | None = None) -> SurveyState:
    if survey.status != "published":
        return SurveyState.draft
    now = now or utcnow()
    if now < survey.opens_at:
        return SurveyState.scheduled
    if now < survey.closes_at:
        return SurveyState.open
    return SurveyState.closed


# --- managing -------------------------------------------------------------------------------------

def can_manage_all_surveys(viewer) -> bool:
    return can(viewer, Capability.configure_site)


def can_manage_survey(viewer, survey) -> bool:
    """Edit, publish, close, read results and export: the department's staff, and admins."""
    if survey is None:
        return False
    return can_manage_all_surveys(viewer) or can_act_as_official(viewer, survey.account)


def can_create_survey(viewer, account=None) -> bool:
    if account is None:
        return can_manage_all_surveys(viewer) or can(viewer, Capability.publish_official)
    if not account.is_active:
        return False
    return can_manage_all_surveys(viewer) or can_act_as_official(viewer, account)


def survey_accounts_for(viewer) -> Select:
    """SQL: the active department accounts the viewer may publish surveys as."""
    from community.policy.official import official_accounts_for

    if can_manage_all_surveys(viewer):
        from community.official.models import OfficialAccount

        return select(OfficialAccount).where(OfficialAccount.deactivated_at.is_(None)).order_by(OfficialAccount.name)
    return official_accounts_for(viewer)


def managed_surveys(stmt: Select, viewer) -> Select:
    """SQL: the surveys the viewer manages (every survey for admins)."""
    m = _models()
    if can_manage_all_surveys(viewer):
        return stmt
    if not can(viewer, Capability.publish_official):
        return stmt.where(false())
    from community.official.models import OfficialAccount, OfficialAccountMember

    return stmt.where(
        m.Survey.official_account_id.in_(
            select(OfficialAccountMember.account_id)
            .join(OfficialAccount, OfficialAccount.id == OfficialAccountMember.account_id)
            .where(OfficialAccountMember.user_id == viewer.id, OfficialAccount.deactivated_at.is_(None))
        )
    )


def can_know_survey(viewer, survey) -> bool:
    """Whether the survey's existence may be shown (404 otherwise): published, or a manager."""
    return survey is not None and (survey.status == "published" or can_manage_survey(viewer, survey))


def can_view_survey_results(viewer, survey, response_count: int | None = None) -> bool:
    """Managers only; with a count, also only once at least PRIVACY_THRESHOLD people answered."""
    if survey is None or survey.status != "published" or not can_manage_survey(viewer, survey):
        return False
    return response_count is None or response_count >= PRIVACY_THRESHOLD


# --- answering ------------------------------------------------------------------------------------

def in_audience(viewer, survey, today: date | None = None) -> bool:
    """Is the person in the survey's audience (ignoring the account state and the dates)?"""
    today = today or today_in_japan()
    if viewer is None or getattr(viewer, "birth_date", None) is None:
        return False
    if not survey.include_minors and viewer.birth_date > latest_adult_birth_date(today):
        return False
    if survey.sample:
        districts = survey.district_ids
        if districts and viewer.district_id not in districts:
            return False
        bands = survey.age_band_codes
        if bands and age_band_of(viewer.birth_date, today) not in bands:
            return False
    return True


def _has_answered(viewer, survey) -> bool:
    from community.extensions import db

    m = _models()
    return bool(
        db.session.scalar(
            select(m.SurveyParticipation.id).where(
                m.SurveyParticipation.survey_id == survey.id, m.SurveyParticipation.user_id == viewer.id
            )
        )
    )


def answer_refusal(viewer, survey, now: datetime | None = None) -> AnswerRefusal | None:
    """Why the viewer may not answer (None when they may)."""
    now = now or utcnow()
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return AnswerRefusal.login
    if not can(viewer, Capability.read_members):
        return AnswerRefusal.account
    if not in_audience(viewer, survey):
        if not survey.include_minors and viewer.birth_date > latest_adult_birth_date():
            return AnswerRefusal.minor
        return AnswerRefusal.outside_sample
    if survey_state(survey, now) is not SurveyState.open:
        return AnswerRefusal.not_open
    if _has_answered(viewer, survey):
        return AnswerRefusal.answered
    return None


def can_answer_survey(viewer, survey, now: datetime | None = None) -> bool:
    return survey is not None and answer_refusal(viewer, survey, now) is None


def _audience_clause(viewer, today: date) -> ColumnElement[bool]:
    m = _models()
    survey = m.Survey
    band = age_band_of(viewer.birth_date, today)
    district_ok = or_(
        ~exists().where(m.SurveyDistrict.survey_id == survey.id),
        exists().where(m.SurveyDistrict.survey_id == survey.id, m.SurveyDistrict.district_id == viewer.district_id)
        if viewer.district_id is not None
        else false(),
    )
    band_ok = or_(
        ~exists().where(m.SurveyAgeBand.survey_id == survey.id),
        exists().where(m.SurveyAgeBand.survey_id == survey.id, m.SurveyAgeBand.band == band),
    )
    minor_ok = true() if viewer.birth_date <= latest_adult_birth_date(today) else survey.include_minors.is_(True)
    return and_(minor_ok, or_(survey.sample.is_(False), and_(district_ok, band_ok)))


def visible_surveys(stmt: Select, viewer, now: datetime | None = None) -> Select:
    """SQL: the open surveys the viewer is in the audience of (answered or not)."""
    if not can(viewer, Capability.read_members) or viewer.birth_date is None:
        return stmt.where(false())
    m = _models()
    now = now or utcnow()
    return stmt.where(
        m.Survey.status == "published",
        m.Survey.opens_at <= now,
        m.Survey.closes_at > now,
        _audience_clause(viewer, today_in_japan()),
    )


def eligible_members(survey, today: date | None = None) -> Select:
    """SQL: the ids of the verified members in the survey's audience (for the publish check)."""
    from community.accounts.models import AccountStatus, User

    today = today or today_in_japan()
    stmt = select(User.id).where(User.status == AccountStatus.verified.value)
    if not survey.include_minors:
        stmt = stmt.where(User.birth_date <= latest_adult_birth_date(today))
    if survey.sample:
        if survey.district_ids:
            stmt = stmt.where(User.district_id.in_(survey.district_ids))
        if survey.age_band_codes:
            ranges = []
            for code, low, high in AGE_BANDS:
                if code not in survey.age_band_codes:
                    continue
                # age >= low  <=>  born on or before the day `low` years ago
                clause = User.birth_date <= _born_after_years_ago(today, low)
                if high is not None:
                    clause = and_(clause, User.birth_date > _born_after_years_ago(today, high + 1))
                ranges.append(clause)
            stmt = stmt.where(or_(*ranges))
    return stmt
