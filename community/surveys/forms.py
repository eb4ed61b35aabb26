"""Survey forms for staff (settings, questions) and the CSRF-only forms for actions and answers."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from community.core.forms import IdSelectField, choices
from community.core.urls import parse_id
from community.policy.surveys import AnswerRefusal

REQUIRED = _l("This field is required.")
DATE_MESSAGE = _l("Please enter a date and time.")

AGE_BAND_LABELS = {
    "u20": _l("Under 20"),
    "20s": _l("20s"),
    "30s": _l("30s"),
    "40s": _l("40s"),
    "50s": _l("50s"),
    "60s": _l("60s"),
    "70plus": _l("70 and over"),
}
REFUSAL_MESSAGES = {
    AnswerRefusal.login: _l("Please log in to do this."),
    AnswerRefusal.account: _l("Only verified members can answer surveys."),
    AnswerRefusal.minor: _l("This survey is not for members of junior-high-school age or younger."),
    AnswerRefusal.outside_sample: _l("This survey is for a sample of members, and you are not in it."),
    AnswerRefusal.not_open: _l("This survey is not accepting answers now."),
    AnswerRefusal.answered: _l("You have already answered. Thank you."),
}
AUDIENCE_LABELS = {
    "all": _l("All verified members"),
    "sample": _l("A sample: members in the districts and/or age bands chosen below"),
}
KIND_LABELS = {
    "single": _l("Single choice"),
    "multiple": _l("Multiple choice"),
    "text": _l("Free text"),
    "scale": _l("Scale of 1 to 5"),
}
STATE_LABELS = {
    "draft": _l("Draft"),
    "scheduled": _l("Scheduled"),
    "open": _l("Accepting answers"),
    "closed": _l("Closed for answers"),
}


def new_form_key() -> str:
    return secrets.token_hex(16)


class JapanDateTimeField(DateTimeLocalField):
    """A date and time typed in Japan time, with our message when it cannot be read."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format="%Y-%m-%dT%H:%M", **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(str(_l("Please enter the date and time as year-month-day and hour:minute."))) from None


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SurveyForm(FlaskForm):
    account_id = IdSelectField(_l("Department"), validators=[InputRequired(message=REQUIRED)])
    title = StringField(_l("Title"), validators=[DataRequired(message=REQUIRED), Length(max=120)])
    description = TextAreaField(_l("About this survey"), validators=[Length(max=4000)], render_kw={"rows": 5})
    audience = RadioField(_l("Who is asked"), choices=choices(AUDIENCE_LABELS.items()), default="all")
    districts = MultiCheckboxField(_l("Districts"), coerce=parse_id, validate_choice=True)
    age_bands = MultiCheckboxField(_l("Age bands"), choices=choices(AGE_BAND_LABELS.items()))
    include_minors = BooleanField(_l("Also ask members of junior-high-school age or younger"))
    opens_at = JapanDateTimeField(_l("Opens"), validators=[InputRequired(message=DATE_MESSAGE)])
    closes_at = JapanDateTimeField(_l("Closes"), validators=[InputRequired(message=DATE_MESSAGE)])
    version = HiddenField()
    form_key = HiddenField()

    def validate_closes_at(self, field):
        if self.opens_at.data and field.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("The closing date must be after the opening date."))

    def validate_audience(self, field):
        if field.data == "sample" and not self.districts.data and not self.age_bands.data:
            raise ValidationError(_l("For a sample, choose at least one district or age band."))


class PublishedSurveyForm(FlaskForm):
    """Once published: fix the description, extend the closing date."""

    description = TextAreaField(_l("About this survey"), validators=[Length(max=4000)], render_kw={"rows": 5})
    closes_at = JapanDateTimeField(_l("Closes"), validators=[InputRequired(message=DATE_MESSAGE)])
    version = HiddenField()


class QuestionForm(FlaskForm):
    kind = RadioField(_l("Kind of question"), choices=choices(KIND_LABELS.items()), default="single")
    text = TextAreaField(_l("Question"), validators=[DataRequired(message=REQUIRED), Length(max=500)], render_kw={"rows": 2})
    help_text = StringField(_l("Note for the person answering"), validators=[Length(max=500)])
    required = BooleanField(_l("An answer is required"), default=True)
    choices = TextAreaField(_l("Choices"), validators=[Length(max=4000)], render_kw={"rows": 5})
    scale_low_label = StringField(_l("Label for 1"), validators=[Length(max=40)])
    scale_high_label = StringField(_l("Label for 5"), validators=[Length(max=40)])
    version = HiddenField()
    form_key = HiddenField()

    def choice_list(self) -> list[str]:
        return [line for line in (self.choices.data or "").splitlines() if line.strip()]


class ActionForm(FlaskForm):
    """Publish, close, move, delete: a CSRF token and the version the button was shown with."""

    version = HiddenField()
    direction = IntegerField(validators=[Optional()])


class AnswerForm(FlaskForm):
    """The answers themselves are read by services.parse_answers; this carries the CSRF token."""


def version_of(form) -> int | None:
    try:
        return parse_id(form.version.data) if form.version.data else None
    except (TypeError, ValueError):
        return -1  # a tampered value is simply stale
