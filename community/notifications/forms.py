from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField


class PreferenceForm(FlaskForm):
    email_enabled = BooleanField(_l("Also tell me by e-mail"))
