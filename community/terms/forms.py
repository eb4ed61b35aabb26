"""The agreement checkbox every application form carries, and the administrators' editing form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from community.terms.services import BODY_MAX, TITLE_MAX, current_versions


def _agreed_if_published(form, field):
    # A fresh city with no terms published yet asks for nothing (docs/deploy.md).
    if current_versions() and not field.data:
        raise ValidationError(_l("Please read the terms of use and the privacy policy and tick the box to agree."))


class AgreementFields:
    """Mixed into the online, counter and kiosk application forms."""

    agree_terms = BooleanField(_l("I agree to the terms of use and the privacy policy"),
                               validators=[_agreed_if_published])


class AgreeForm(FlaskForm, AgreementFields):
    pass


class TermsEditForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Please enter a title and the text.")),
                                                 Length(max=TITLE_MAX)])
    body = TextAreaField(_l("Text"), validators=[DataRequired(_l("Please enter a title and the text.")),
                                                 Length(max=BODY_MAX)], render_kw={"rows": 24})


class PublishForm(FlaskForm):
    pass
