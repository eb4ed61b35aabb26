"""Forms for reporting, staff actions, appeals and filters."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from community.core.forms import IdField, choices
from moderation.reasons import (
    ACTION_LABELS,
    APPEAL_MAX,
    NOTE_MAX,
    NOTE_REQUIRED_REASONS,
    REPORT_REASONS,
)


class ReportForm(FlaskForm):
    reason = RadioField(_l("Reason"), choices=choices(REPORT_REASONS), validators=[InputRequired(_l("Please choose a reason."))])
    note = TextAreaField(
        _l("Details"),
        validators=[Optional(), Length(max=NOTE_MAX, message=_l("Please keep the note to %(max)s characters or fewer.", max=NOTE_MAX))],
    )
    next = HiddenField()

    def validate_note(self, field):
        if self.reason.data in NOTE_REQUIRED_REASONS and not (field.data or "").strip():
            raise ValidationError(_l("For this reason, please describe the problem."))


class ActionForm(FlaskForm):
    version = IdField(validators=[InputRequired()])
    action = RadioField(_l("Action"), choices=choices(ACTION_LABELS.items()), validators=[InputRequired(_l("Please choose an action."))])
    rule = SelectField(_l("Rule the action is based on"), validators=[InputRequired(_l("Please choose the rule this action is based on."))])
    note = TextAreaField(
        _l("Note to the author"),
        validators=[Optional(), Length(max=NOTE_MAX, message=_l("Please keep the note to %(max)s characters or fewer.", max=NOTE_MAX))],
    )
    suspend_until = DateField(_l("Last day of the suspension"), validators=[Optional()])
    indefinite = BooleanField(_l("Suspend indefinitely"))
    hide_all = BooleanField(_l("Also hide all of this author's other content"))


class AppealForm(FlaskForm):
    body = TextAreaField(
        _l("Why the decision should change"),
        validators=[
            InputRequired(_l("Please write why you think the decision should change.")),
            Length(max=APPEAL_MAX, message=_l("Please keep the appeal to %(max)s characters or fewer.", max=APPEAL_MAX)),
        ],
    )


class DecisionForm(FlaskForm):
    decision = RadioField(
        _l("Decision"),
        choices=choices([("upheld", _l("Keep the action")), ("overturned", _l("Overturn the action"))]),
        validators=[InputRequired(_l("Please choose a decision."))],
    )
    note = TextAreaField(
        _l("Reason for the decision (shown to the member)"),
        validators=[
            InputRequired(_l("Please write the reason for the decision. The member will see it.")),
            Length(max=NOTE_MAX, message=_l("Please keep the note to %(max)s characters or fewer.", max=NOTE_MAX)),
        ],
    )


class QueueFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(
        _l("Status"),
        choices=choices([("open", _l("Waiting")), ("closed", _l("Handled")), ("all", _l("All"))]),
        default="open",
        validators=[Optional()],
    )
    reason = SelectField(_l("Reason"), choices=choices([("", _l("All")), *REPORT_REASONS]), default="", validators=[Optional()])
    source = SelectField(
        _l("Reported by"),
        choices=choices([("", _l("All")), ("supporter", _l("Supporters")), ("member", _l("Members"))]),
        default="",
        validators=[Optional()],
    )
    district = SelectField(_l("District"), coerce=str, default="", validators=[Optional()])


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    action = StringField(_l("Action (beginning)"), validators=[Optional(), Length(max=60)])
    actor = StringField(_l("Actor's login ID"), validators=[Optional(), Length(max=64)])
    target_type = StringField(_l("Target type"), validators=[Optional(), Length(max=40)])
    target_id = IdField(_l("Target ID"), validators=[Optional()])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])

