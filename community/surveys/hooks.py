"""Withdrawal and "download my data" for surveys."""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _
from sqlalchemy import select

from community.extensions import db
from community.surveys.models import Survey, SurveyParticipation
from community.surveys.services import withdraw_member


def export(user):
    """Which surveys the member answered and when. The answers themselves are stored without the
    member's name, so they cannot be found again (and are not in the download)."""
    rows = [
        {"survey": title, "answered_at": at.isoformat(),
         "note": _("Answers are stored without your name, so they cannot be included.")}
        for title, at in db.session.execute(
            select(Survey.title, SurveyParticipation.answered_at)
            .join(Survey, Survey.id == SurveyParticipation.survey_id)
            .where(SurveyParticipation.user_id == user.id)
            .order_by(SurveyParticipation.answered_at)
        )
    ]
    return _("Surveys"), rows


def register(app: Flask) -> None:
    try:
        from community.social.hooks import register_export_section, register_withdraw_hook
    except ImportError:  # pragma: no cover - the social package provides these registries
        return
    register_withdraw_hook(app, withdraw_member)
    register_export_section(app, export)
