"""Diary forms. Text is cleaned (invisible characters removed) before it is checked."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from community.core.forms import IdSelectMultipleField
from community.diaries.models import BODY_MAX, COMMENT_MAX, TITLE_MAX, Visibility
from community.diaries.text import clean_text

VISIBILITY_LABELS = {
    Visibility.public.value: _l("Everyone (全体公開)"),
    Visibility.members.value: _l("Members (会員に公開)"),
    Visibility.friends.value: _l("Friends (友達まで)"),
    Visibility.selected.value: _l("Selected people (指定したユーザー)"),
    Visibility.private.value: _l("Only me (自分のみ)"),
}


def as_choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class MultiCheckboxField(IdSelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _line(value):
    return clean_text(value, multiline=False)


def _required_text(message):
    def check(form, field):
        if not field.data:
            raise ValidationError(message)

    return check


def _max_chars(limit: int, message):
    def check(form, field):
        if field.data and len(field.data) > limit:
            raise ValidationError(str(message) % {"limit": f"{limit:,}", "count": f"{len(field.data):,}"})

    return check


class EntryForm(FlaskForm):
    title = StringField(
        _l("Title"),
        filters=[_line],
        validators=[
            _required_text(_l("Please write a title.")),
            _max_chars(TITLE_MAX, _l("The title can be up to %(limit)s characters (it now has %(count)s).")),
        ],
    )
    body = TextAreaField(
        _l("Body"),
        filters=[clean_text],
        validators=[
            _required_text(_l("Please write something in the body. Spaces alone cannot be posted.")),
            _max_chars(BODY_MAX, _l("The body can be up to %(limit)s characters (it now has %(count)s).")),
        ],
    )
    visibility = RadioField(
        _l("Who can read this"),
        choices=as_choices(VISIBILITY_LABELS.items()),
        default=Visibility.members.value,
        validate_choice=True,
    )
    audience_members = MultiCheckboxField(_l("Friends who can read it"), validate_choice=False)
    audience_lists = MultiCheckboxField(_l("Saved lists who can read it"), validate_choice=False)
    photos = MultipleFileField(_l("Photos (up to 4)"))
    remove_photos = MultiCheckboxField(_l("Remove these photos"), validate_choice=False)

    def validate_audience_members(self, field):
        allowed = {choice.value for choice in field.choices}
        if any(v not in allowed for v in field.data or []):
            raise ValidationError(_l("Some of the chosen people cannot be picked (only your friends can). Please choose again."))

    def validate_audience_lists(self, field):
        allowed = {choice.value for choice in field.choices}
        if any(v not in allowed for v in field.data or []):
            raise ValidationError(_l("That list no longer exists. Please choose again."))

    def validate_visibility(self, field):
        if field.data == Visibility.selected.value and not (self.audience_members.data or self.audience_lists.data):
            raise ValidationError(_l("Please choose at least one person or list who can read it."))


class CommentForm(FlaskForm):
    body = TextAreaField(
        _l("Comment"),
        filters=[clean_text],
        validators=[
            _required_text(_l("Please write a comment. Spaces alone cannot be posted.")),
            _max_chars(COMMENT_MAX, _l("A comment can be up to %(limit)s characters (it now has %(count)s).")),
        ],
    )


class SettingsForm(FlaskForm):
    default_visibility = SelectField(_l("Who can read new entries at first"), choices=as_choices(VISIBILITY_LABELS.items()))


class AudienceListForm(FlaskForm):
    name = StringField(
        _l("List name"),
        filters=[_line],
        validators=[
            _required_text(_l("Please give the list a name.")),
            _max_chars(40, _l("The name can be up to %(limit)s characters (it now has %(count)s).")),
        ],
    )
    members = MultiCheckboxField(_l("Friends in this list"), validate_choice=False)

    def validate_members(self, field):
        allowed = {choice.value for choice in field.choices}
        if any(v not in allowed for v in field.data or []):
            raise ValidationError(_l("Some of the chosen people cannot be picked (only your friends can). Please choose again."))
