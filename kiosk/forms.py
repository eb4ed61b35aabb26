from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, PasswordField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from community.core.forms import IdSelectField

# Shared PCs: the browser must neither offer nor keep what was typed.
_NO_AUTOFILL = {"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}


class KioskLoginForm(FlaskForm):
    """No "remember me" on a shared PC, and the login ID is never filled in for the next person."""

    login_id = StringField(
        _l("Login ID"),
        validators=[DataRequired(message=_l("Please enter your login ID.")), Length(max=64)],
        render_kw=_NO_AUTOFILL,
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Please enter your password.")), Length(max=128)],
        render_kw={"autocomplete": "off"},
    )


class EnrolForm(FlaskForm):
    facility_id = IdSelectField(_l("Facility"), validators=[DataRequired(message=_l("Choose the facility."))])
    name = StringField(
        _l("Name of this PC"),
        validators=[DataRequired(message=_l("Give this PC a name, for example \"2F corner PC 1\".")), Length(max=80)],
    )


class SettingsForm(FlaskForm):
    facility_id = IdSelectField(_l("Facility"), validators=[DataRequired(message=_l("Choose the facility."))])
    idle_minutes = IntegerField(
        _l("Minutes without use before the warning"),
        default=8,
        validators=[
            InputRequired(message=_l("Enter a number of minutes.")),
            NumberRange(min=2, max=60, message=_l("Enter a number from 2 to 60.")),
        ],
    )
    warning_minutes = IntegerField(
        _l("Minutes from the warning to automatic logout"),
        default=2,
        validators=[
            InputRequired(message=_l("Enter a number of minutes.")),
            NumberRange(min=1, max=10, message=_l("Enter a number from 1 to 10.")),
        ],
    )
    help_text = StringField(
        _l("How to ask staff for help (shown on every kiosk screen)"),
        validators=[Optional(), Length(max=200)],
    )


try:  # diaries: the kiosk's step-by-step form reuses the diary form's own fields, filters and messages
    from flask_wtf.file import FileField
    from wtforms import RadioField

    from community.diaries.forms import EntryForm, as_choices
    from community.diaries.models import Visibility
except ImportError:  # pragma: no cover - the diaries package is optional for the kiosk
    EntryForm = None

if EntryForm is not None:
    # Plain words for 公開範囲; `selected` (picking people one by one) stays on the ordinary site.
    KIOSK_VISIBILITY_LABELS = {
        Visibility.members.value: _l("All the members"),
        Visibility.friends.value: _l("Only my friends"),
        Visibility.private.value: _l("Only me, nobody else"),
        Visibility.public.value: _l("Anyone, also people who are not members"),
    }

    class DiaryTextForm(FlaskForm):
        title = EntryForm.title
        body = EntryForm.body

    class DiaryReadersForm(FlaskForm):
        visibility = RadioField(
            _l("Who can read it?"),
            choices=as_choices(KIOSK_VISIBILITY_LABELS.items()),
            validate_choice=False,  # checked below, with a message in plain Japanese
        )

        def validate_visibility(self, field):
            if field.data not in KIOSK_VISIBILITY_LABELS:
                raise ValidationError(_l("Please choose who can read it."))

    class DiaryPhotoForm(FlaskForm):
        photo = FileField(
            _l("Photo (you can skip this)"),
            render_kw={"accept": "image/*", "capture": "environment"},
        )
