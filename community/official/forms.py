"""Forms for official accounts and posts. Text is cleaned (invisible characters removed) first."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import ValidationError
from wtforms.widgets import HiddenInput

from community.core.forms import IdField, IdSelectField
from community.diaries.text import clean_text
from community.official.models import BODY_MAX, NOTE_MAX, TITLE_MAX
from community.official.services import SLUG_RE


def _line(value):
    return clean_text(value, multiline=False)


def _required(message):
    def check(form, field):
        if not field.data:
            raise ValidationError(message)

    return check


def _max_chars(limit: int):
    def check(form, field):
        if field.data and len(field.data) > limit:
            raise ValidationError(
                _l("This can be up to %(limit)s characters (it now has %(count)s).",
                   limit=f"{limit:,}", count=f"{len(field.data):,}")
            )

    return check


class AccountForm(FlaskForm):
    name = StringField(_l("Department name"), filters=[_line],
                       validators=[_required(_l("Please enter the department's name.")), _max_chars(80)])
    slug = StringField(_l("URL name"), filters=[lambda v: (v or "").strip().lower()],
                       validators=[_required(_l("Please enter a URL name."))])
    description = TextAreaField(_l("Description"), filters=[clean_text], validators=[_max_chars(2000)])
    may_issue_emergencies = BooleanField(_l("May publish emergency notices (緊急情報)"))

    def validate_slug(self, field):
        if not SLUG_RE.match(field.data or ""):
            raise ValidationError(_l("Use 2 to 40 lower-case letters, digits or hyphens, starting with a letter "
                                     "(for example bousai)."))


class MemberForm(FlaskForm):
    login_id = StringField(_l("Staff login ID"), filters=[_line],
                           validators=[_required(_l("Please enter the staff member's login ID."))])


class ReasonForm(FlaskForm):
    """Deactivating an account, removing a member: a confirmation with an optional reason."""

    reason = StringField(_l("Reason (optional)"), filters=[_line], validators=[_max_chars(200)])


class ActionForm(FlaskForm):
    """Buttons that change something (follow, 参考になった): only the CSRF token."""


class PostForm(FlaskForm):
    account_id = IdSelectField(_l("Post as"), validate_choice=False)
    title = StringField(_l("Title"), filters=[_line],
                        validators=[_required(_l("Please write a title.")), _max_chars(TITLE_MAX)])
    body = TextAreaField(_l("Body"), filters=[clean_text],
                         validators=[_required(_l("Please write something in the body. Spaces alone cannot be posted.")),
                                     _max_chars(BODY_MAX)], render_kw={"rows": 12})
    submission_key = HiddenField()


class CorrectionForm(FlaskForm):
    title = StringField(_l("Title"), filters=[_line],
                        validators=[_required(_l("Please write a title.")), _max_chars(TITLE_MAX)])
    body = TextAreaField(_l("Body"), filters=[clean_text],
                         validators=[_required(_l("Please write something in the body. Spaces alone cannot be posted.")),
                                     _max_chars(BODY_MAX)], render_kw={"rows": 12})
    note = TextAreaField(_l("Correction note (訂正の内容)"), filters=[clean_text],
                         validators=[_required(_l("Please write what was corrected and why (訂正の内容).")),
                                     _max_chars(NOTE_MAX)], render_kw={"rows": 3})
    version = IdField(widget=HiddenInput())


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Reason for withdrawal"), filters=[clean_text],
                           validators=[_required(_l("Please write why the post is withdrawn. Readers will see it.")),
                                       _max_chars(NOTE_MAX)], render_kw={"rows": 3})
