"""Circle forms: every label and message is an English msgid with a Japanese translation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from community.core.forms import IdSelectField, choices

VISIBILITY_LABELS = {
    "public": _l("Public: anyone can read"),
    "private": _l("Private: listed, only members can read"),
    "secret": _l("Secret: not listed, invited members only"),
}
VISIBILITY_SHORT = {"public": _l("Public"), "private": _l("Private"), "secret": _l("Secret")}
JOIN_LABELS = {
    "open": _l("Anyone can join"),
    "approval": _l("Admins approve requests to join"),
    "invitation": _l("By invitation only"),
}
WHO_LABELS = {"members": _l("All members"), "admins": _l("Admins only")}
ROLE_LABELS = {"owner": _l("Owner"), "admin": _l("Admin"), "member": _l("Circle member")}
STATUS_LABELS = {"open": _l("Active"), "closed": _l("Closed"), "archived": _l("Archived")}

MAX_PHOTOS = 4
REQUIRED = _l("This field is required.")


class CircleForm(FlaskForm):
    name = StringField(_l("Circle name"), validators=[DataRequired(message=REQUIRED), Length(max=80)])
    description = TextAreaField(_l("Description"), validators=[Length(max=4000)])
    category = SelectField(_l("Category"), default="other")  # choices: categories(), set per request
    district_id = IdSelectField(_l("District"), default=0)
    visibility = RadioField(_l("Who can see the circle"), choices=choices(VISIBILITY_LABELS.items()), default="public")
    join_mode = RadioField(_l("How to join"), choices=choices(JOIN_LABELS.items()), default="open")
    topic_policy = RadioField(_l("Who can start topics"), choices=choices(WHO_LABELS.items()), default="members")
    comment_policy = RadioField(_l("Who can comment"), choices=choices(WHO_LABELS.items()), default="members")
    cover = MultipleFileField(_l("Cover photo"), render_kw={"accept": "image/jpeg,image/png,image/webp"})
    # Staff only: an official circle run by the members named here.
    official = BooleanField(_l("Official circle (created by the city)"))
    admins = StringField(
        _l("Admins' login IDs"),
        validators=[Length(max=400)],
        render_kw={"autocapitalize": "none", "spellcheck": "false"},
    )
    confirm_duplicate = BooleanField(_l("Create it anyway"))


class CircleSettingsForm(FlaskForm):
    name = StringField(_l("Circle name"), validators=[DataRequired(message=REQUIRED), Length(max=80)])
    description = TextAreaField(_l("Description"), validators=[Length(max=4000)])
    category = SelectField(_l("Category"))  # choices: categories(keep=the circle's), set per request
    district_id = IdSelectField(_l("District"), default=0)
    visibility = RadioField(_l("Who can see the circle"), choices=choices(VISIBILITY_LABELS.items()))
    join_mode = RadioField(_l("How to join"), choices=choices(JOIN_LABELS.items()))
    topic_policy = RadioField(_l("Who can start topics"), choices=choices(WHO_LABELS.items()))
    comment_policy = RadioField(_l("Who can comment"), choices=choices(WHO_LABELS.items()))


class JoinRequestForm(FlaskForm):
    message = TextAreaField(
        _l("Message to the admins"), validators=[Length(max=1000)], render_kw={"rows": 4}
    )


class MemberSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField(_l("Login ID or nickname"), validators=[DataRequired(message=REQUIRED), Length(max=64)])


class InviteCodeForm(FlaskForm):
    max_uses = IntegerField(
        _l("How many people may use it"),
        default=30,
        validators=[InputRequired(message=REQUIRED), NumberRange(min=1, max=500, message=_l("Please enter 1 to 500."))],
    )
    days = IntegerField(
        _l("Valid for (days)"),
        default=14,
        validators=[InputRequired(message=REQUIRED), NumberRange(min=1, max=90, message=_l("Please enter 1 to 90."))],
    )


class CodeForm(FlaskForm):
    code = StringField(
        _l("Invitation code"),
        validators=[DataRequired(message=REQUIRED), Length(max=32)],
        render_kw={"autocapitalize": "characters", "spellcheck": "false", "autocomplete": "off"},
    )


def _max_photos(form, field):
    files = [f for f in (field.data or []) if getattr(f, "filename", "")]
    if len(files) > MAX_PHOTOS:
        raise ValidationError(_l("You can attach up to %(n)d photos.", n=MAX_PHOTOS))


class TopicForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(message=REQUIRED), Length(max=120)])
    body = TextAreaField(
        _l("Text"), validators=[DataRequired(message=REQUIRED), Length(max=10000)], render_kw={"rows": 8}
    )
    photos = MultipleFileField(
        _l("Photos (up to 4)"), validators=[_max_photos], render_kw={"accept": "image/jpeg,image/png,image/webp"}
    )
    photo_alt = StringField(_l("What the photos show"), validators=[Length(max=150)])
    pinned = BooleanField(_l("Pin as an announcement at the top"))


class ReplyForm(FlaskForm):
    body = TextAreaField(
        _l("Your comment"), validators=[DataRequired(message=REQUIRED), Length(max=5000)], render_kw={"rows": 4}
    )
    photos = MultipleFileField(
        _l("Photos (up to 4)"), validators=[_max_photos], render_kw={"accept": "image/jpeg,image/png,image/webp"}
    )
    photo_alt = StringField(_l("What the photos show"), validators=[Length(max=150)])


class EventForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(message=REQUIRED), Length(max=120)])
    starts_at = DateTimeLocalField(
        _l("Starts"), format="%Y-%m-%dT%H:%M", validators=[InputRequired(message=_l("Please enter a date and time."))]
    )
    ends_at = DateTimeLocalField(
        _l("Ends"), format="%Y-%m-%dT%H:%M", validators=[InputRequired(message=_l("Please enter a date and time."))]
    )
    place = StringField(_l("Place"), validators=[Length(max=200)])
    capacity = IntegerField(
        _l("Capacity"),
        validators=[Optional(), NumberRange(min=1, max=10000, message=_l("The capacity must be at least 1 (leave it empty for no limit)."))],
    )
    description = TextAreaField(_l("Details"), validators=[Length(max=5000)], render_kw={"rows": 5})

    def validate_ends_at(self, field):
        if self.starts_at.data and field.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("The end must be after the start."))
