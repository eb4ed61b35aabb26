"""Forms for questions, answers, FAQ entries and page feedback (CSRF through Flask-WTF)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from community.core.forms import IdField, IdSelectField, choices
from community.questions.services import ANSWER_MAX, BODY_MAX, COMMENT_MAX, NOTE_MAX, TITLE_MAX

REQUIRED = _l("This field is required.")

VISIBILITY_LABELS = {
    "public": _l("Public: anyone can read the question and the answer"),
    "private": _l("Private: only you and the department's staff"),
}
VISIBILITY_SHORT = {"public": _l("Public"), "private": _l("Private")}
STATUS_LABELS = {"open": _l("Not answered yet"), "answered": _l("Answered"), "closed": _l("Closed for answers")}
CATEGORY_LABELS = {
    "procedures": _l("Procedures and registration"),
    "childcare": _l("Childcare and education"),
    "welfare": _l("Health and welfare"),
    "disaster": _l("Disaster prevention and safety"),
    "environment": _l("Waste and environment"),
    "facilities": _l("Facilities and events"),
    "other": _l("Other"),
}


def _too_long(limit: int):
    return Length(max=limit, message=_l("Please keep this within %(max)d characters.", max=limit))


class AskForm(FlaskForm):
    account_id = IdSelectField(_l("Department"), validators=[InputRequired(message=REQUIRED)])
    title = StringField(_l("Title"), validators=[DataRequired(message=REQUIRED), _too_long(TITLE_MAX)],
                        render_kw={"autocomplete": "off", "data-faq-suggest": "1"})
    body = TextAreaField(_l("Your question"), validators=[DataRequired(message=REQUIRED), _too_long(BODY_MAX)],
                         render_kw={"rows": 8})
    visibility = RadioField(_l("Who can read it"), choices=choices(VISIBILITY_LABELS.items()), default="public",
                            validators=[InputRequired(message=REQUIRED)])


class AnswerForm(FlaskForm):
    body = TextAreaField(_l("Answer"), validators=[DataRequired(message=REQUIRED), _too_long(ANSWER_MAX)],
                         render_kw={"rows": 8})
    note = TextAreaField(_l("What is corrected"), validators=[Optional(), _too_long(NOTE_MAX)],
                         render_kw={"rows": 2})
    # How many answers the staff member saw: the version check against a second answer.
    seen_answers = IdField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=0)])


class CloseForm(FlaskForm):
    expected_status = HiddenField()


class FaqForm(FlaskForm):
    account_id = IdSelectField(_l("Department"), validators=[Optional()])
    title = StringField(_l("Question"), validators=[DataRequired(message=REQUIRED), _too_long(TITLE_MAX)])
    answer = TextAreaField(_l("Answer"), validators=[DataRequired(message=REQUIRED), _too_long(ANSWER_MAX)],
                           render_kw={"rows": 10})
    category = SelectField(_l("Category"), choices=choices(CATEGORY_LABELS.items()), default="other")
    seen_updated_at = HiddenField()


class WithdrawFaqForm(FlaskForm):
    pass


class FeedbackForm(FlaskForm):
    helpful = RadioField(_l("Was this page helpful?"), choices=choices([("yes", _l("Yes")), ("no", _l("No"))]),
                         validators=[InputRequired(message=_l("Please choose yes or no."))])
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), _too_long(COMMENT_MAX)],
                            render_kw={"rows": 3, "maxlength": COMMENT_MAX})
    next = HiddenField()
