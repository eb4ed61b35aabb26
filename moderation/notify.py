"""Moderation notices also appear in the site's notifications (community/notifications).

The notice row (moderation_notice) holds what was done and why; the notification points at it,
and only its recipient may open it.
"""

from __future__ import annotations

from flask import Flask, url_for
from flask_babel import gettext as _
from sqlalchemy import false, select

from community.policy import register_notification_target

TARGET = "moderation_notice"


def _own_notice_ids(viewer):
    from moderation.models import ModerationNotice

    uid = getattr(viewer, "id", None)
    if uid is None:
        return select(ModerationNotice.id).where(false())
    return select(ModerationNotice.id).where(ModerationNotice.user_id == uid)


def _describe_many(notifications) -> dict[int, tuple[str, str]]:
    from community.extensions import db
    from moderation.models import ModerationNotice
    from moderation.registry import kind_label

    notices = {
        n.id: n for n in db.session.scalars(
            select(ModerationNotice).where(ModerationNotice.id.in_([x.target_id for x in notifications]))
        )
    }
    result = {}
    for notification in notifications:
        notice = notices.get(notification.target_id)
        if notice is None:
            continue
        if notice.kind == "report_closed":
            text = _("Staff have finished handling your report about a %(kind)s.", kind=kind_label(notice.item_kind))
            url = url_for("moderation.mine")
        elif notice.kind == "appeal_decision":
            text = _("A decision was made on your appeal about your %(kind)s.", kind=kind_label(notice.item_kind))
            url = url_for("moderation.notices", _anchor=f"notice-{notice.id}")
        elif notice.kind == "under_review":
            text = _("Your %(kind)s is hidden while staff review it.", kind=kind_label(notice.item_kind))
            url = url_for("moderation.notices", _anchor=f"notice-{notice.id}")
        else:
            text = _("Staff took action on your %(kind)s.", kind=kind_label(notice.item_kind))
            url = url_for("moderation.notices", _anchor=f"notice-{notice.id}")
        result[notification.id] = (text, url)
    return result


def send(notice) -> None:
    """Called after the notice row is flushed; a missing notifications package is not an error."""
    try:
        from community.notifications.services import notify
    except ImportError:  # pragma: no cover - the notices page still shows everything
        return
    from community.accounts.models import User
    from community.extensions import db

    recipient = db.session.get(User, notice.user_id)
    notify(recipient, TARGET, actor=None, target_type=TARGET, target_id=notice.id)


def init_app(app: Flask) -> None:
    register_notification_target(TARGET, _own_notice_ids)
    try:
        from community.notifications import register_kind
    except ImportError:  # pragma: no cover
        return
    register_kind(app, TARGET, _describe_many)
