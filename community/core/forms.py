"""Small helpers shared by every package's forms."""

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice

from community.core.urls import parse_id

NOT_FROM_LIST = _l("Please choose from the list.")
NOT_A_NUMBER = _l("Please enter a valid number in half-width digits.")


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices (tuples are deprecated from WTForms 3.3)."""
    return [SelectChoice(value, label) for value, label in pairs]


class IdChoices:
    """For choice fields whose values are ids: bounded like ids in URLs, and a plain message.

    An id beyond the database's range would otherwise reach a query and overflow it (a 500).
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("coerce", parse_id)
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(str(NOT_FROM_LIST)) from error


class IdSelectField(IdChoices, SelectField):
    pass


class IdSelectMultipleField(IdChoices, SelectMultipleField):
    pass


class IdField(IntegerField):
    """A number carried by a form (an id, a version): half-width digits within the id range."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            self.data = parse_id(valuelist[0])
        except (TypeError, ValueError) as error:
            self.data = None
            raise ValueError(str(NOT_A_NUMBER)) from error
