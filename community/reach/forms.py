"""The report's period and audience selector (a GET form: it changes nothing, so no CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField

from community.core.forms import choices
from community.reach.services import AGE_BANDS, PERIODS


class ReportForm(FlaskForm):
    class Meta:
        csrf = False

    days = SelectField(
        _l("Period"),
        choices=choices([(str(d), _l("Last %(n)d days", n=d)) for d in PERIODS]),
        default="30",
    )
    audience = SelectField(
        _l("Audience for the posting-time suggestion"),
        choices=choices([("all", _l("All readers"))] + AGE_BANDS),
        default="all",
    )
