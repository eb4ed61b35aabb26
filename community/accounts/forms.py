"""Forms for residents (apply, password reset) and for staff at the counter.

The verification and counter-registration forms deliberately have no field for a document
number, an image of the document or a My Number (tests/accounts/test_staff.py asserts it).
"""

from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from community.accounts.models import IdDocumentKind, Role
from community.accounts.passwords import MAX_LENGTH, MIN_LENGTH, password_problems
from community.accounts.services import AccountError, parse_birth_date
from community.core.forms import IdSelectField
from community.terms.forms import AgreementFields

LOGIN_ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,31}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

DOCUMENT_KINDS = [
    (IdDocumentKind.driving_licence.value, _l("Driving licence")),
    (IdDocumentKind.my_number_card.value, _l("My Number card")),
    (IdDocumentKind.health_insurance_card.value, _l("Health insurance card")),
    (IdDocumentKind.residence_card.value, _l("Residence card")),
    (IdDocumentKind.student_card.value, _l("Student ID card")),
    (IdDocumentKind.other.value, _l("Other")),
]
DOCUMENT_LABELS = dict(DOCUMENT_KINDS)
DOCUMENT_CHOICES = [SelectChoice(value, label) for value, label in DOCUMENT_KINDS]

ROLE_LABELS = {
    Role.member.value: _l("Member"),
    Role.supporter.value: _l("Supporter"),
    Role.staff.value: _l("Staff"),
    Role.admin.value: _l("Administrator"),
}

PASSWORD_HINT = _l(
    "At least 8 characters (up to 128). Any characters, spaces and Japanese are fine; a short sentence "
    "is easy to remember. Very common passwords and your login ID cannot be used. You may paste it."
)

_PASSWORD_MESSAGES = {
    "too_short": _l("The password must be at least 8 characters long."),
    "too_long": _l("The password can be at most 128 characters long."),
    "common": _l("This password is too common and easy to guess. Please choose another one."),
    "login_id": _l("The password must not be the same as your login ID."),
}


class LoginForm(FlaskForm):
    login_id = StringField(
        _l("Login ID"),
        validators=[DataRequired(message=_l("Please enter your login ID.")), Length(max=64)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Please enter your password.")), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )


def _login_id_field():
    return StringField(
        _l("Login ID"),
        validators=[DataRequired(message=_l("Please enter a login ID.")), Length(max=64)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )


def _check_login_id(field) -> None:
    value = unicodedata.normalize("NFKC", field.data or "").strip().casefold()
    if not LOGIN_ID_RE.match(value):
        raise ValidationError(
            _l("Use 3 to 32 letters (a–z), digits, dots, hyphens or underscores, starting with a letter or digit.")
        )


def _birth_date_field():
    return StringField(
        _l("Birth date"),
        validators=[InputRequired(message=_l("Please enter your birth date.")), Length(max=20)],
        render_kw={"autocomplete": "bday", "inputmode": "numeric"},
    )


def _validate_birth_date(form, field) -> None:
    try:
        form.birth_date_value = parse_birth_date(field.data)
    except AccountError as error:
        raise ValidationError(error.message) from None


def _validate_email(field) -> None:
    if field.data and not EMAIL_RE.match(field.data.strip()):
        raise ValidationError(_l("Please check the e-mail address (for example name@example.jp)."))


class _NewPasswordMixin:
    def check_new_password(self, field, login_id: str) -> None:
        for problem in password_problems(field.data or "", login_id):
            raise ValidationError(_PASSWORD_MESSAGES[problem])


class _PersonFields(FlaskForm):
    login_id = _login_id_field()
    nickname = StringField(
        _l("Nickname"),
        validators=[DataRequired(message=_l("Please enter a nickname.")), Length(max=20)],
        render_kw={"autocomplete": "nickname"},
    )
    birth_date = _birth_date_field()
    district_id = IdSelectField(_l("District"), validators=[InputRequired()])
    email = StringField(
        _l("E-mail address (optional)"),
        validators=[Optional(), Length(max=254)],
        render_kw={"autocomplete": "email", "type": "email"},
    )

    birth_date_value = None

    def set_districts(self, districts) -> None:
        self.district_id.choices = [SelectChoice(0, _l("Choose your district"))] + [
            SelectChoice(d.id, d.name) for d in districts
        ]

    def validate_login_id(self, field):
        _check_login_id(field)

    def validate_nickname(self, field):
        from community.official.names import nickname_problem  # only official accounts look official

        problem = nickname_problem(field.data or "")
        if problem:
            raise ValidationError(problem)

    def validate_birth_date(self, field):
        _validate_birth_date(self, field)

    def validate_district_id(self, field):
        if not field.data:
            raise ValidationError(_l("Please choose your district from the list."))

    def validate_email(self, field):
        _validate_email(field)


class ApplicationForm(_PersonFields, _NewPasswordMixin, AgreementFields):
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Please enter a password.")), Length(max=MAX_LENGTH * 4)],
        render_kw={"autocomplete": "new-password", "minlength": MIN_LENGTH},
    )
    password_again = PasswordField(
        _l("Password (again)"),
        validators=[DataRequired(message=_l("Please enter the password again."))],
        render_kw={"autocomplete": "new-password"},
    )

    def validate_password(self, field):
        self.check_new_password(field, self.login_id.data or "")

    def validate_password_again(self, field):
        if field.data != self.password.data:
            raise ValidationError(_l("The two passwords are different. Please type the same password twice."))


class _CounterDocumentFields:
    id_document_kind = SelectField(
        _l("Kind of identity document shown"),
        choices=[SelectChoice("", _l("Choose the kind of document"))] + DOCUMENT_CHOICES,
        validators=[DataRequired(message=_l("Please choose the kind of identity document."))],
    )
    facility_id = IdSelectField(_l("Facility"))
    birth_date_confirmed = BooleanField(
        _l("The birth date matches the identity document"),
        validators=[DataRequired(message=_l("Please confirm that the birth date matches the document."))],
    )

    def set_facilities(self, facilities) -> None:
        self.facility_id.choices = [SelectChoice(f.id, f.name) for f in facilities]


class VerificationForm(FlaskForm, _CounterDocumentFields):
    pass


class CounterRegistrationForm(_PersonFields, _CounterDocumentFields, AgreementFields):
    pass


class LookupCodeForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form

    code = StringField(_l("Application code"), validators=[DataRequired(), Length(max=30)],
                       render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"})


class LookupPersonForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField(_l("Nickname or login ID"), validators=[DataRequired(), Length(max=64)],
                       render_kw={"autocomplete": "off"})
    birth_date = _birth_date_field()
    birth_date_value = None

    def validate_birth_date(self, field):
        _validate_birth_date(self, field)


class PasswordResetForm(FlaskForm, _NewPasswordMixin):
    login_id = StringField(
        _l("Login ID"),
        validators=[DataRequired(message=_l("Please enter your login ID.")), Length(max=64)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    code = StringField(
        _l("One-time code"),
        validators=[DataRequired(message=_l("Please enter the code from your slip or e-mail.")), Length(max=30)],
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "characters", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(message=_l("Please enter a password.")), Length(max=MAX_LENGTH * 4)],
        render_kw={"autocomplete": "new-password"},
    )
    password_again = PasswordField(
        _l("New password (again)"),
        validators=[DataRequired(message=_l("Please enter the password again."))],
        render_kw={"autocomplete": "new-password"},
    )

    def validate_password(self, field):
        self.check_new_password(field, self.login_id.data or "")

    def validate_password_again(self, field):
        if field.data != self.password.data:
            raise ValidationError(_l("The two passwords are different. Please type the same password twice."))


class EmailResetForm(FlaskForm):
    login_id = StringField(
        _l("Login ID"),
        validators=[DataRequired(message=_l("Please enter your login ID.")), Length(max=64)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )


class SuspendForm(FlaskForm):
    until = DateField(_l("Suspended until (leave empty for no end date)"), validators=[Optional()])
    reason = TextAreaField(
        _l("Reason (the member will see this)"),
        validators=[DataRequired(message=_l("Please write the reason. The member will see it.")), Length(max=1000)],
    )


class RoleForm(FlaskForm):
    role = SelectField(
        _l("Role"), choices=[SelectChoice(value, label) for value, label in ROLE_LABELS.items()],
        validators=[DataRequired()],
    )


def _current_password_field():
    return PasswordField(
        _l("Current password"),
        validators=[DataRequired(message=_l("Please enter your current password.")), Length(max=MAX_LENGTH * 4)],
        render_kw={"autocomplete": "current-password"},
    )


class ChangePasswordForm(FlaskForm, _NewPasswordMixin):
    current_password = _current_password_field()
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(message=_l("Please enter a password.")), Length(max=MAX_LENGTH * 4)],
        render_kw={"autocomplete": "new-password", "minlength": MIN_LENGTH},
    )
    password_again = PasswordField(
        _l("New password (again)"),
        validators=[DataRequired(message=_l("Please enter the password again."))],
        render_kw={"autocomplete": "new-password"},
    )

    login_id = ""  # set by the view: the password must not be the login ID

    def validate_password(self, field):
        self.check_new_password(field, self.login_id)

    def validate_password_again(self, field):
        if field.data != self.password.data:
            raise ValidationError(_l("The two passwords are different. Please type the same password twice."))


class EmailChangeForm(FlaskForm):
    email = StringField(
        _l("New e-mail address"),
        validators=[DataRequired(message=_l("Please enter the e-mail address.")), Length(max=254)],
        render_kw={"autocomplete": "email", "type": "email", "spellcheck": "false"},
    )
    current_password = _current_password_field()

    def validate_email(self, field):
        _validate_email(field)


class EmailRemoveForm(FlaskForm):
    current_password = _current_password_field()


class EmailConfirmForm(FlaskForm):
    """Only a button: opening the link (a mail scanner may) must not confirm by itself."""


class SecondFactorForm(FlaskForm):
    code = StringField(
        _l("Code from your authenticator app, or a recovery code"),
        validators=[DataRequired(message=_l("Please enter the code.")), Length(max=30)],
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "characters", "spellcheck": "false"},
    )


class TwoFactorEnrolForm(FlaskForm):
    code = StringField(
        _l("The 6-digit code your app shows now"),
        validators=[DataRequired(message=_l("Please enter the code.")), Length(max=30)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"},
    )


class TwoFactorOffForm(FlaskForm):
    current_password = _current_password_field()


class StaffAccountForm(FlaskForm):
    """An administrator creates a staff account: the login ID and nickname; the owner sets the password."""

    login_id = _login_id_field()
    nickname = StringField(
        _l("Nickname"), validators=[DataRequired(message=_l("Please enter a nickname.")), Length(max=20)],
    )

    def validate_login_id(self, field):
        _check_login_id(field)

    validate_nickname = _PersonFields.validate_nickname
