"""The search form: a GET form (bookmarkable result pages), so no CSRF token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import NumberRange, Optional, ValidationError

from community.core.forms import choices
from search.analysis import MAX_QUERY_CHARS
from search.sources import SOURCE_LABELS


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Words to search for"), filters=[lambda v: (v or "")[: MAX_QUERY_CHARS * 25]])
    source = SelectField(_l("Source"), choices=[], default="", validate_choice=True)
    district = SelectField(_l("District"), choices=[], default="", validate_choice=True)
    category = SelectField(_l("Circle category"), choices=[], default="", validate_choice=True)
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("Up to date"), validators=[Optional()])
    sort = SelectField(
        _l("Order"),
        choices=choices([("relevance", _l("Best match")), ("date", _l("Newest first"))]),
        default="relevance",
        validate_choice=True,
    )
    page = IntegerField(_l("Page"), default=1, validators=[Optional(), NumberRange(min=1, max=50)])

    def set_choices(self, districts, categories) -> None:
        self.source.choices = choices([("", _l("All sources")), *SOURCE_LABELS.items()])
        self.district.choices = choices([("", _l("All districts"))] + [(str(d.id), d.name) for d in districts])
        self.category.choices = choices([("", _l("All categories")), *categories])

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date must be on or after the start date."))
