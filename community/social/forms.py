from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from community.social.services import BIO_MAX, NICKNAME_MAX

VISIBILITY_CHOICES = [
    SelectChoice("members", _l("Members (verified residents)")),
    SelectChoice("friends", _l("Friends only")),
    SelectChoice("private", _l("Only me")),
]


class ProfileForm(FlaskForm):
    # Lengths are checked again after cleaning in the service; these limits stop absurd input early.
    nickname = StringField(
        _l("Nickname"),
        validators=[DataRequired(message=_l("Please enter a nickname.")),
                    Length(max=NICKNAME_MAX * 2, message=_l("The nickname is too long."))],
        render_kw={"autocomplete": "nickname"},
    )
    bio = TextAreaField(
        _l("Self-introduction"),
        validators=[Length(max=BIO_MAX * 2, message=_l("The self-introduction is too long."))],
        render_kw={"rows": 6},
    )
    district_id = SelectField(_l("District"), coerce=str, validate_choice=False)
    public_nickname = BooleanField(_l("Show my nickname to people who are not logged in"))
    bio_visibility = SelectField(_l("Who can see my self-introduction"), choices=VISIBILITY_CHOICES)
    district_visibility = SelectField(_l("Who can see my district"), choices=VISIBILITY_CHOICES)
    avatar = FileField(_l("Profile photo"), render_kw={"accept": "image/jpeg,image/png,image/webp,image/heic"})
    remove_avatar = BooleanField(_l("Remove my profile photo"))
    avatar_visibility = SelectField(_l("Who can see my profile photo"), choices=VISIBILITY_CHOICES)

    def validate_nickname(self, field):
        from wtforms.validators import ValidationError

        from community.official.names import nickname_problem  # only official accounts look official

        problem = nickname_problem(field.data or "")
        if problem:
            raise ValidationError(problem)


class WithdrawForm(FlaskForm):
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Please enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )
    confirm = BooleanField(
        _l("I understand that this cannot be undone"),
        validators=[DataRequired(message=_l("Please tick the box to confirm."))],
    )
