"""Forms for publishing, renewing and withdrawing: English msgids, Japanese translations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from community.core.forms import choices
from community.core.urls import parse_id

REQUIRED = _l("This field is required.")
BAD_TIME = _l("Please enter a date and time.")
KIND_LABELS = {
    "notice": _l("Announcement (お知らせ)"),
    "emergency": _l("Emergency notice (緊急情報): shown at the top of every page"),
}
STATE_LABELS = {
    "scheduled": _l("Scheduled"),
    "current": _l("Showing"),
    "expired": _l("Ended"),
    "withdrawn": _l("Withdrawn"),
}


class LocalTimeField(DateTimeLocalField):
    """A date and time typed in Japan time; an unreadable value gets a Japanese message."""

    def __init__(self, label, validators=None, **kwargs):
        super().__init__(label, validators, format="%Y-%m-%dT%H:%M", **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(BAD_TIME)) from None


def _too_long(limit: int):
    return Length(max=limit, message=_l("Please keep this within %(max)d characters.", max=limit))


def _account_id(value) -> int:
    """A tampered or missing choice becomes 0, which the service refuses in Japanese."""
    try:
        return parse_id(value)
    except (TypeError, ValueError):
        return 0


def _when(label):
    return LocalTimeField(label, validators=[Optional()])


class AnnouncementForm(FlaskForm):
    account_id = SelectField(_l("Publish as"), coerce=_account_id, validate_choice=False)
    # Anything but "emergency" is an ordinary announcement; the service checks the right to either.
    kind = RadioField(_l("Kind"), choices=choices(KIND_LABELS.items()), default="notice", validate_choice=False)
    title = StringField(_l("Title"), validators=[DataRequired(message=REQUIRED), _too_long(200)])
    body = TextAreaField(_l("Text"), validators=[_too_long(10000)], render_kw={"rows": 8})
    starts_at = _when(_l("Show from (optional)"))
    expires_at = _when(_l("Show until"))
    submission_key = HiddenField()


class RenewForm(FlaskForm):
    expires_at = LocalTimeField(_l("New end time"), validators=[DataRequired(message=BAD_TIME)])
    seen = HiddenField()


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for withdrawing"), validators=[DataRequired(message=REQUIRED), _too_long(1000)],
        render_kw={"rows": 3},
    )
