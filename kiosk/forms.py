from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

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
    facility_id = SelectField(_l("Facility"), coerce=int, validators=[DataRequired(message=_l("Choose the facility."))])
    name = StringField(
        _l("Name of this PC"),
        validators=[DataRequired(message=_l("Give this PC a name, for example \"2F corner PC 1\".")), Length(max=80)],
    )


class SettingsForm(FlaskForm):
    facility_id = SelectField(_l("Facility"), coerce=int, validators=[DataRequired(message=_l("Choose the facility."))])
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
