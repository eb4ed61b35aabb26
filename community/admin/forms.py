"""Forms for facilities, districts and circle categories. Text is cleaned (invisible characters removed) first."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from community.accounts.forms import EMAIL_RE
from community.accounts.models import FACILITY_KINDS
from community.diaries.text import clean_text

CATEGORY_KEY_RE = re.compile(r"[a-z0-9_-]+")


def _line(value):
    return clean_text(value, multiline=False)


def _too_long(limit: int) -> Length:
    return Length(max=limit, message=_l("This can be up to %(max)d characters."))


def _number_text(value) -> str:
    # A stored row's order is an int (an edit page's first load), a sent form's is text.
    return "" if value is None else str(value).strip()


def _district_id(value) -> int | None:
    """None for "no district"; a value that is not a number becomes -1, which no district has."""
    if value in (None, "", "0"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


class FacilityForm(FlaskForm):
    name = StringField(_l("Facility name"), filters=[_line],
                       validators=[DataRequired(message=_l("Please enter the facility's name.")), _too_long(80)])
    kind = SelectField(_l("Kind"), choices=[SelectChoice(kind, kind) for kind in FACILITY_KINDS],
                       validate_choice=False)
    district_id = SelectField(_l("District"), coerce=_district_id, validate_choice=False)
    address = StringField(_l("Street address"), filters=[_line], validators=[_too_long(200)])
    hours = StringField(_l("Opening hours"), filters=[_line], validators=[_too_long(200)])
    phone = StringField(_l("Phone"), filters=[_line], validators=[_too_long(40)])
    verifies_identity = BooleanField(_l("Staff here check identity (本人確認)"))
    hosts_kiosks = BooleanField(_l("Kiosks stand here"))

    def set_districts(self, districts) -> None:
        self.district_id.choices = [SelectChoice("", _l("No district"))] + [
            SelectChoice(d.id, d.name) for d in districts
        ]

    def values(self) -> dict:
        texts = {name: getattr(self, name).data or "" for name in ("name", "kind", "address", "hours", "phone")}
        return texts | {"district_id": self.district_id.data, "verifies_identity": bool(self.verifies_identity.data),
                        "hosts_kiosks": bool(self.hosts_kiosks.data)}


class DistrictForm(FlaskForm):
    name = StringField(_l("District name"), filters=[_line],
                       validators=[DataRequired(message=_l("Please enter the district's name.")), _too_long(40)])
    sort_order = StringField(_l("Order in lists"), default="0", filters=[_number_text],
                             description=_l("Smaller numbers come first."))

    def validate_sort_order(self, field):
        if field.data and not (field.data.isascii() and field.data.isdigit() and int(field.data) <= 9999):
            raise ValidationError(_l("Use a number from 0 to 9999."))

    @property
    def sort_order_value(self) -> int:
        return int(self.sort_order.data or 0)


def _sort_order(form, field):
    if field.data and not (field.data.isascii() and field.data.isdigit() and int(field.data) <= 9999):
        raise ValidationError(_l("Use a number from 0 to 9999."))


def _category_key(form, field):
    if field.data and not CATEGORY_KEY_RE.fullmatch(field.data):
        raise ValidationError(_l("Use only lower-case letters a-z, digits, \"-\" and \"_\"."))


class CategoryForm(FlaskForm):
    # The key is what circles store: set once, when the category is added (not shown afterwards).
    key = StringField(_l("Key"), filters=[lambda v: (v or "").strip()],
                      validators=[DataRequired(message=_l("Please enter the key.")), _too_long(20), _category_key],
                      render_kw={"autocapitalize": "none", "spellcheck": "false"})
    label = StringField(_l("Name (Japanese)"), filters=[_line],
                        validators=[DataRequired(message=_l("Please enter the category's name.")), _too_long(40)])
    label_en = StringField(_l("Name in English"), filters=[_line], validators=[_too_long(40)])
    sort_order = StringField(_l("Order in lists"), default="0", filters=[_number_text],
                             validators=[_sort_order])
    active = BooleanField(_l("Offered for new circles and in the circle list"), default=True)

    def values(self) -> dict:
        return {"label": self.label.data, "label_en": self.label_en.data or "",
                "sort_order": int(self.sort_order.data or 0), "active": bool(self.active.data)}


class ConfirmForm(FlaskForm):
    """Delete, revoke: a button with its CSRF token."""


def _web_address(form, field):
    parts = urlsplit(field.data or "")
    if field.data and (parts.scheme not in ("http", "https") or not parts.netloc):
        raise ValidationError(_l("The city's web site must be an address starting with https:// or http://."))


def _email(form, field):
    if field.data and not EMAIL_RE.match(field.data):
        raise ValidationError(_l("Please check the e-mail address (for example name@example.jp)."))


class SettingsForm(FlaskForm):
    city_name = StringField(_l("City name"), filters=[_line],
                            validators=[DataRequired(message=_l("Please enter the city's name.")), _too_long(40)])
    city_website = StringField(_l("City web site"), filters=[_line], validators=[_too_long(500), _web_address])
    contact_email = StringField(_l("Contact e-mail"), filters=[_line], validators=[_too_long(254), _email])
    contact_phone = StringField(_l("Contact telephone"), filters=[_line], validators=[_too_long(40)])
    help_text = TextAreaField(_l("Text at the top of the help page"), filters=[clean_text],
                              validators=[_too_long(2000)])
