"""Who may do what, from the account's state and role.

中学生以下 (junior-high age or younger) is derived from the birth date and the Japanese school
year: a child counts as a minor until the 31 March that ends the school year (1 April – 31 March)
in which they reach 15. By Japanese law an age is reached the day before the birthday, so a
child born on 1 April is a school year ahead of one born on 2 April.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

TOKYO = ZoneInfo("Asia/Tokyo")


class Capability(enum.StrEnum):
    read_public = "read_public"
    read_members = "read_members"
    write = "write"  # diaries, comments, circle posts, messages
    create_circle = "create_circle"
    report = "report"
    patrol = "patrol"  # supporters' patrol view
    verify_accounts = "verify_accounts"  # staff at the counter
    moderate = "moderate"
    publish_official = "publish_official"
    manage_kiosks = "manage_kiosks"
    grant_roles = "grant_roles"
    configure_site = "configure_site"


def today_in_japan() -> date:
    return datetime.now(TOKYO).date()


def _birthday(birth: date, years: int) -> date:
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:  # 29 February in a common year: the birthday falls on 1 March
        return date(birth.year + years, 3, 1)


def minor_until(birth_date: date) -> date:
    """The last day (31 March) on which a person born on birth_date is 中学生以下."""
    reaches_15 = _birthday(birth_date, 15) - timedelta(days=1)  # the law counts from the day before
    school_year = reaches_15.year if reaches_15.month >= 4 else reaches_15.year - 1
    return date(school_year + 1, 3, 31)


def is_minor(user, today: date | None = None) -> bool:
    if user is None or getattr(user, "birth_date", None) is None:
        return False
    return (today or today_in_japan()) <= minor_until(user.birth_date)


_STAFF_CAPS = {
    Capability.verify_accounts,
    Capability.moderate,
    Capability.publish_official,
    Capability.manage_kiosks,
}
_ADMIN_CAPS = _STAFF_CAPS | {Capability.grant_roles, Capability.configure_site}


def _active(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def can(user, capability: Capability, today: date | None = None) -> bool:
    """The answer for one capability; templates and views ask this, never the role directly."""
    cap = Capability(capability)
    if cap is Capability.read_public:
        return True
    if not _active(user) or user.is_suspended or user.status == "withdrawn":
        return False
    # A role counts only on a verified account: an unverified "staff" row can do nothing.
    if not user.is_verified:
        return False
    if cap in _ADMIN_CAPS:
        allowed = _ADMIN_CAPS if user.is_admin else _STAFF_CAPS if user.is_staff else set()
        return cap in allowed
    if cap is Capability.read_members:
        return True
    if cap is Capability.patrol:
        return user.is_supporter or user.is_staff
    if cap is Capability.report:
        # Children may report what worries them: that is a safety feature, not posting.
        return True
    if cap in (Capability.write, Capability.create_circle):
        # Minors read what members read but never write.
        return not is_minor(user, today)
    return False


def why_cannot(user, capability: Capability, today: date | None = None) -> str | None:
    """A plain-Japanese reason for the UI to show instead of a dead button (None when allowed)."""
    if can(user, capability, today):
        return None
    if not _active(user):
        return str(_l("Please log in to do this."))
    if user.is_suspended:
        return str(_l("Your account is suspended, so you cannot do this."))
    if not user.is_verified:
        return str(
            _l("Your identity has not been verified yet. Please bring your application slip to a city facility.")
        )
    if is_minor(user, today) and capability in (Capability.write, Capability.create_circle):
        until = minor_until(user.birth_date)
        return str(
            _l(
                "Members of junior-high-school age or younger can read but not post. "
                "You will be able to post from %(day)s.",
                day=f"{until.year + 0}年4月1日",
            )
        )
    return str(_l("You do not have permission to do this."))


class TextField(enum.StrEnum):
    """Free text a member types into a form, named so that one rule decides each field."""

    nickname = "nickname"  # 表示名: identity, not posting
    bio = "bio"  # 自己紹介: members read it
    join_request_message = "join_request_message"  # 参加申請のメッセージ: the circle's admins read it
    question = "question"  # 市への質問 (public or private): the department answers, members may read it
    circle_text = "circle_text"  # サークル名・紹介文: whoever sees the circle reads them (a pupil may be made its admin)
    audience_list_name = "audience_list_name"  # 日記の公開リスト名: only its owner sees it
    survey_answer = "survey_answer"  # アンケートの自由記述: anonymous, only the department's staff read it
    report_note = "report_note"  # 通報の内容: only staff read it
    appeal = "appeal"  # 異議申し立て: only staff read it
    page_feedback = "page_feedback"  # 「役に立ちましたか」のコメント: only staff read it


# Text that other members read is posting, whatever the form: it follows Capability.write.
_READ_BY_OTHERS = frozenset({TextField.bio, TextField.join_request_message, TextField.question, TextField.circle_text})


def can_publish_text(user, field: TextField, today: date | None = None) -> bool:
    """May `user` put text into `field` under the rule for posting?

    Text other members read needs `Capability.write` (so 中学生以下 read only). A nickname is how a
    member appears at all, and text that only staff or the member read is not posting: those stay
    open to children (reporting and appeals are safety features); each form still checks who may
    use it at all (can_edit_profile, can_report, can_appeal, ...).
    """
    field = TextField(field)
    if field in _READ_BY_OTHERS:
        return can(user, Capability.write, today)
    return True


def why_cannot_publish(user, field: TextField, today: date | None = None) -> str | None:
    """The reason to show next to a field the member may not fill (None when allowed)."""
    if can_publish_text(user, field, today):
        return None
    return why_cannot(user, Capability.write, today)


def can_manage_account(actor, target) -> bool:
    """May this staff member verify, suspend, reinstate or reset the password of `target`?

    Never their own account (nobody verifies themselves), and only an admin acts on staff or admins.
    """
    if target is None or not can(actor, Capability.verify_accounts):
        return False
    if actor.id == target.id:
        return False
    if target.role in ("staff", "admin") and not can(actor, Capability.grant_roles):
        return False
    return True


def can_grant_role(actor, target, role: str) -> bool:
    """Only admins grant roles, never to themselves, and never more than `member` to a minor."""
    if target is None or not can(actor, Capability.grant_roles) or actor.id == target.id:
        return False
    if role != "member" and is_minor(target):
        return False
    return target.is_verified
