"""Create, list and mark notifications; their e-mail is queued in the same transaction
(`community.core.mail`), so it goes out if and only if the notification was committed."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _
from sqlalchemy import Select, delete, func, insert, literal, select, update
from sqlalchemy.orm import selectinload

from community.core.database import utcnow
from community.core.mail import queue_mail, queue_mail_to_all
from community.extensions import db
from community.notifications.models import Notification, NotificationPreference
from community.policy import can_view_notification, visible_notifications

PER_PAGE = 30


@dataclass
class Shown:
    notification: Notification
    text: str
    url: str


def _kinds() -> dict:
    return current_app.extensions.get("tsunagari.notification_kinds", {})


def preference(user) -> NotificationPreference:
    row = db.session.get(NotificationPreference, user.id)
    return row if row is not None else NotificationPreference(user_id=user.id, email_enabled=False)


def set_email_enabled(user, enabled: bool) -> None:
    row = db.session.get(NotificationPreference, user.id)
    if row is None:
        row = NotificationPreference(user_id=user.id)
        db.session.add(row)
    row.email_enabled = bool(enabled)
    db.session.flush()


def notify(recipient, kind: str, *, actor=None, target_type: str, target_id: int,
           email: bool = True) -> Notification | None:
    """Tell `recipient` about something; nothing happens if they could not open the target.

    `email=False` for callers that send their own mail (security notices go out whatever the setting).
    """
    if recipient is None or recipient.status == "withdrawn":
        return None
    if actor is not None and actor.id == recipient.id:
        return None
    notification = Notification(
        recipient_id=recipient.id, kind=kind, actor_id=getattr(actor, "id", None),
        target_type=target_type, target_id=target_id,
    )
    db.session.add(notification)
    db.session.flush()
    if not can_view_notification(recipient, notification):
        db.session.delete(notification)
        db.session.flush()
        return None
    # Only a confirmed address: an unconfirmed one may be a typo or someone else's.
    if email and has_request_context() and recipient.confirmed_email and preference(recipient).email_enabled:
        shown = describe([notification])
        if shown:
            url = urljoin(url_for("core.home", _external=True), shown[0].url)
            queue_mail(recipient.confirmed_email, *_email_text(shown[0].text, url))
    return notification


def notify_all(recipient_ids: Select, kind: str, *, actor=None, skip=None, target_type: str, target_id: int) -> None:
    """Tell many members at once in ONE statement (INSERT ... SELECT): `recipient_ids` is a SELECT of
    user ids (e.g. an account's followers). The caller's SELECT must already leave out whoever may
    not open the target; withdrawn members, the actor and `skip` (a user) are left out here.

    E-mail for those who turned it on is queued with one more INSERT ... SELECT (the same text for
    everyone); `flask tsunagari mail send` delivers it, so the request never waits on thousands.
    """
    from community.accounts.models import User

    ids = recipient_ids.subquery()
    now = utcnow()
    recipients = [User.id.in_(select(ids.c[0])), User.status != "withdrawn"]
    recipients += [User.id != left_out.id for left_out in (actor, skip) if left_out is not None]
    source = select(
        User.id, literal(kind, type_=Notification.kind.type),
        literal(getattr(actor, "id", None), type_=Notification.actor_id.type),
        literal(target_type, type_=Notification.target_type.type), literal(target_id, type_=Notification.target_id.type),
        literal(now, type_=Notification.created_at.type),
    ).where(*recipients)
    db.session.execute(
        insert(Notification).from_select(
            ["recipient_id", "kind", "actor_id", "target_type", "target_id", "created_at"], source
        )
    )
    if has_request_context():
        # Not added to the session: only describes the target, as every recipient's row would.
        sample = Notification(kind=kind, actor_id=getattr(actor, "id", None), target_type=target_type,
                              target_id=target_id, created_at=now)
        shown = describe([sample])
        if shown:
            url = urljoin(url_for("core.home", _external=True), shown[0].url)
            subject, body = _email_text(shown[0].text, url)
            mailed = (select(User.email).join(NotificationPreference, NotificationPreference.user_id == User.id)
                      .where(*recipients, NotificationPreference.email_enabled.is_(True), User.email.is_not(None),
                             User.email != "", User.email_confirmed_at.is_not(None)))
            queue_mail_to_all(mailed, subject, body, now=now)


def visible_query(user):
    return visible_notifications(select(Notification), user)


def unread_count(user) -> int:
    """The header's badge on every page: first the kinds of unread rows (one small indexed query;
    usually none), then the policy's rule for just those kinds (issue 9: building the rule for
    every kind cost about half of a signed-in page)."""
    unread = select(Notification.target_type).where(
        Notification.recipient_id == user.id, Notification.read_at.is_(None)).distinct()
    kinds = list(db.session.scalars(unread))
    if not kinds:
        return 0
    stmt = visible_notifications(select(func.count(Notification.id)).where(Notification.read_at.is_(None)), user,
                                 kinds=kinds)
    return db.session.scalar(stmt) or 0


def page_for(user, page: int):
    stmt = visible_query(user).options(selectinload(Notification.actor)).order_by(
        Notification.created_at.desc(), Notification.id.desc()
    )
    return db.paginate(stmt, page=page, per_page=PER_PAGE, error_out=False)


def describe(notifications) -> list[Shown]:
    """Texts and links, one bulk call per kind; kinds nobody registered are left out."""
    by_kind: dict[str, list[Notification]] = {}
    for n in notifications:
        by_kind.setdefault(n.kind, []).append(n)
    texts: dict[int, tuple[str, str]] = {}
    for kind, items in by_kind.items():
        describe_many = _kinds().get(kind)
        if describe_many:
            texts.update(describe_many(items))
    return [Shown(n, *texts[n.id]) for n in notifications if n.id in texts]


def get_visible(user, notification_id: int) -> Notification | None:
    return db.session.scalar(visible_query(user).where(Notification.id == notification_id))


def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()


def mark_all_read(user) -> None:
    ids = visible_notifications(select(Notification.id).where(Notification.read_at.is_(None)), user)
    db.session.execute(
        update(Notification).where(Notification.id.in_(ids.scalar_subquery())).values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.flush()


def delete_for_targets(target_type: str, target_ids) -> None:
    ids = list(target_ids)
    if ids:
        db.session.execute(
            delete(Notification).where(Notification.target_type == target_type, Notification.target_id.in_(ids))
        )


def _email_text(text: str, url: str) -> tuple[str, str]:
    site = current_app.config["SITE_NAME"]
    body = _("%(text)s\n\nOpen it here: %(url)s\n\nYou can stop these e-mails in your notification settings.",
             text=text, url=url)
    return _("[%(site)s] %(text)s", site=site, text=text), body
