"""Outgoing e-mail: a queue in the database (`mail_message`), delivered through SMTP (issue 9).

`queue_mail(to, subject, body)` adds a row to the caller's transaction, so a mail exists if and
only if what it tells about was committed. Once that commit is done, the messages it queued are
tried at once (in a request: after the response has gone out, so the page never waits on SMTP);
mail queued in bulk (`queue_mail_to_all`), and whatever failed, is delivered by
`flask tsunagari mail send` (a timer every minute), with back-off on failure.

Claiming: a deliverer takes one due row per short transaction, counting the attempt and pushing
`next_attempt_at` a lease ahead in the same UPDATE (on PostgreSQL the row is picked with FOR UPDATE
SKIP LOCKED, so several workers and machines never take the same one). It sends with no
transaction open, then records the outcome. A crash between sending and recording re-sends only
that one message, once the lease has run out.

Without TSUNAGARI_MAIL_SERVER (development, tests) delivery appends to
`app.extensions["tsunagari.outbox"]` instead. Never log bodies: reset codes are in them.
Settings: TSUNAGARI_MAIL_SERVER, TSUNAGARI_MAIL_PORT (587), TSUNAGARI_MAIL_USE_TLS (true),
TSUNAGARI_MAIL_USERNAME, TSUNAGARI_MAIL_PASSWORD, TSUNAGARI_MAIL_SENDER.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage

import click
from flask import Flask, current_app, g, has_request_context
from flask.cli import AppGroup
from sqlalchemy import Index, Select, String, Text, delete, event, func, insert, literal, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from community.core.database import UTCDateTime, utcnow
from community.extensions import db

# Wait before attempt n+1 after n failures; after MAX_ATTEMPTS the message is given up (kept for staff).
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
           timedelta(hours=6), timedelta(hours=12), timedelta(hours=24))
MAX_ATTEMPTS = len(BACKOFF) + 1
LEASE = timedelta(minutes=5)  # far longer than one SMTP conversation (timeouts of 10 s per step)
KEEP = timedelta(days=30)
SMTP_TIMEOUT = 10
AFTER_COMMIT_TIMEOUT = 5  # the immediate try is best effort; the timer retries

_QUEUED = "tsunagari.mail.queued"
_PENDING = "mail_to_deliver"  # on flask.g: committed in this request, not yet tried


class MailMessage(db.Model):
    __tablename__ = "mail_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    last_error: Mapped[str | None] = mapped_column(String(300), default=None)

    # sent_at first: "due" is sent_at IS NULL AND next_attempt_at <= now, and must not walk the
    # 30 days of sent rows that a plain index on next_attempt_at would put in front of it.
    __table_args__ = (Index("ix_mail_message_due", "sent_at", "next_attempt_at"),)


def _fit(subject: str) -> str:
    return subject if len(subject) <= 500 else subject[:499] + "…"


def queue_mail(to: str, subject: str, body: str) -> MailMessage:
    """Add a message to the current transaction; it is sent after the commit, never on rollback."""
    message = MailMessage(recipient=to, subject=_fit(subject), body=body)
    db.session.add(message)
    db.session.flush()
    db.session.info.setdefault(_QUEUED, []).append(message.id)
    return message


def queue_mail_to_all(addresses: Select, subject: str, body: str, *, now: datetime | None = None) -> None:
    """The same message to every address a SELECT yields, in one INSERT ... SELECT (current
    transaction). Left to `mail send`: a request must not hand thousands to SMTP itself."""
    now = now or utcnow()
    rows = select(
        addresses.subquery().c[0], literal(_fit(subject), type_=MailMessage.subject.type),
        literal(body, type_=MailMessage.body.type), literal(now, type_=MailMessage.created_at.type),
        literal(0, type_=MailMessage.attempts.type), literal(now, type_=MailMessage.next_attempt_at.type),
    )
    db.session.execute(insert(MailMessage).from_select(
        ["recipient", "subject", "body", "created_at", "attempts", "next_attempt_at"], rows))


# --- delivery ---------------------------------------------------------------------------------


@dataclass
class Delivery:
    sent: int = 0
    failed: int = 0
    gave_up: list[int] = field(default_factory=list)
    stopped: bool = False  # the mail server could not be reached; the rest waits for the next run


def _queued():
    return MailMessage.sent_at.is_(None) & (MailMessage.attempts < MAX_ATTEMPTS)


def _claim(conn, now: datetime, ids=None):
    """Take one due message: count the attempt and lease it, in one statement."""
    pick = select(MailMessage.id).where(_queued(), MailMessage.next_attempt_at <= now)
    if ids is not None:
        pick = pick.where(MailMessage.id.in_(ids))
    pick = pick.order_by(MailMessage.next_attempt_at, MailMessage.id).limit(1)
    if conn.dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    stmt = (
        update(MailMessage)
        .where(MailMessage.id == pick.scalar_subquery(), MailMessage.sent_at.is_(None))
        .values(attempts=MailMessage.attempts + 1, next_attempt_at=now + LEASE)
        .returning(MailMessage.id, MailMessage.recipient, MailMessage.subject, MailMessage.body,
                   MailMessage.attempts)
    )
    return conn.execute(stmt).first()


def _email(to: str, subject: str, body: str) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config.get("MAIL_SENDER") or config["CONTACT_EMAIL"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    return message


def _transport(message: EmailMessage, timeout: float) -> None:
    config = current_app.config
    server = config.get("MAIL_SERVER")
    if not server:
        current_app.extensions.setdefault("tsunagari.outbox", []).append(message)
        current_app.logger.info("mail (not sent, no MAIL_SERVER) to=%s subject=%s", message["To"], message["Subject"])
        return
    with smtplib.SMTP(server, int(config.get("MAIL_PORT", 587)), timeout=timeout) as smtp:
        if config.get("MAIL_USE_TLS", True):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
        smtp.send_message(message)


def _server_down(error: Exception) -> bool:
    """Refused recipients or data concern one message; anything else (no connection, timeout,
    TLS, login) will fail for every message, so the run stops instead of waiting on each."""
    return not isinstance(error, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError | ValueError)


def deliver_due(limit: int = 50, *, ids=None, timeout: float = SMTP_TIMEOUT) -> Delivery:
    """Send up to `limit` due messages (only those in `ids` if given), each committed on its own."""
    result = Delivery()
    engine = db.engine
    for _ in range(limit):
        now = utcnow()
        with engine.begin() as conn:
            row = _claim(conn, now, ids)
        if row is None:
            break
        try:
            _transport(_email(row.recipient, row.subject, row.body), timeout)
        except Exception as error:  # noqa: BLE001 - any failure is recorded on the row and retried
            result.failed += 1
            attempts = row.attempts
            wait = BACKOFF[min(attempts, len(BACKOFF)) - 1]
            with engine.begin() as conn:
                conn.execute(update(MailMessage).where(MailMessage.id == row.id).values(
                    next_attempt_at=utcnow() + wait, last_error=f"{type(error).__name__}: {error}"[:300]))
            if attempts >= MAX_ATTEMPTS:
                result.gave_up.append(row.id)
                current_app.logger.error("mail %s given up after %s attempts: %s", row.id, attempts,
                                         type(error).__name__)
            else:
                current_app.logger.warning("mail %s not sent (attempt %s), retry in %s: %s", row.id, attempts,
                                           wait, type(error).__name__)
            if _server_down(error):
                result.stopped = True
                break
            continue
        with engine.begin() as conn:
            conn.execute(update(MailMessage).where(MailMessage.id == row.id).values(sent_at=utcnow(), last_error=None))
        result.sent += 1
    return result


def deliver_all() -> Delivery:
    """Everything due now, in rounds of 50 (failed messages are rescheduled, so this ends)."""
    total = Delivery()
    while True:
        batch = deliver_due(50)
        total.sent += batch.sent
        total.failed += batch.failed
        total.gave_up += batch.gave_up
        if batch.stopped or batch.sent + batch.failed < 50:
            total.stopped = batch.stopped
            return total


def purge_old(now: datetime | None = None) -> int:
    """Sent messages, and given-up ones, leave after 30 days (they hold addresses and codes)."""
    cutoff = (now or utcnow()) - KEEP
    with db.engine.begin() as conn:
        result = conn.execute(delete(MailMessage).where(or_(
            MailMessage.sent_at < cutoff,
            MailMessage.sent_at.is_(None) & (MailMessage.attempts >= MAX_ATTEMPTS) & (MailMessage.created_at < cutoff),
        )))
    return max(result.rowcount or 0, 0)


def status(now: datetime | None = None) -> dict[str, int]:
    now = now or utcnow()
    count = func.count(MailMessage.id)
    with db.engine.connect() as conn:
        return {
            "queued": conn.scalar(select(count).where(_queued())),
            "due": conn.scalar(select(count).where(_queued(), MailMessage.next_attempt_at <= now)),
            "failed": conn.scalar(select(count).where(MailMessage.sent_at.is_(None),
                                                      MailMessage.attempts >= MAX_ATTEMPTS)),
            "sent_24h": conn.scalar(select(count).where(MailMessage.sent_at >= now - timedelta(hours=24))),
        }


# --- after the commit -------------------------------------------------------------------------


def _deliver_quietly(ids: list[int]) -> None:
    try:
        deliver_due(len(ids), ids=ids, timeout=AFTER_COMMIT_TIMEOUT)
    except Exception:  # noqa: BLE001 - the rows are committed; `mail send` delivers them later
        current_app.logger.exception("immediate mail delivery failed; left for `flask tsunagari mail send`")


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the rows are not committed yet
    ids = session.info.pop(_QUEUED, None)
    if not ids:
        return
    if has_request_context():
        g.setdefault(_PENDING, []).extend(ids)  # tried once the response has been sent
    else:
        _deliver_quietly(ids)


def _after_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_QUEUED, None)


def _send_after_response(response):
    ids = g.pop(_PENDING, None)
    if ids:
        app = current_app._get_current_object()

        def deliver() -> None:
            with app.app_context():
                _deliver_quietly(ids)

        response.call_on_close(deliver)
    return response


def _send_leftovers(error=None) -> None:
    """A commit after the response was made, or a request context without a response."""
    ids = g.pop(_PENDING, None)
    if ids:
        _deliver_quietly(ids)


# --- flask tsunagari mail ... -----------------------------------------------------------------

mail_cli = AppGroup("mail", help="The outgoing mail queue.")


@mail_cli.command("send")
def send_command() -> None:
    """Deliver every due message and purge old ones (run every minute from a timer)."""
    result = deliver_all()
    purged = purge_old()
    click.echo(f"{result.sent} sent, {result.failed} failed, {len(result.gave_up)} given up, {purged} purged.")
    if result.stopped:
        click.echo("The mail server could not be reached; the rest waits for the next run.")


@mail_cli.command("status")
def status_command() -> None:
    """Counts: queued, due now, given up, sent in the last 24 hours; and the given-up messages."""
    counts = status()
    click.echo(f"queued: {counts['queued']}")
    click.echo(f"due now: {counts['due']}")
    click.echo(f"failed permanently: {counts['failed']}")
    click.echo(f"sent in the last 24 hours: {counts['sent_24h']}")
    failed = db.session.execute(
        select(MailMessage.id, MailMessage.created_at, MailMessage.recipient, MailMessage.last_error)
        .where(MailMessage.sent_at.is_(None), MailMessage.attempts >= MAX_ATTEMPTS)
        .order_by(MailMessage.created_at.desc()).limit(20)
    )
    for row in failed:
        click.echo(f"  #{row.id} {row.created_at:%Y-%m-%d %H:%M} UTC to {row.recipient}: {row.last_error}")


def init_app(app: Flask) -> None:
    from community.core.cli import tsunagari_cli

    app.config.setdefault("MAIL_SERVER", "")  # empty: mail goes to the log and the outbox list
    tsunagari_cli.add_command(mail_cli)
    app.after_request(_send_after_response)
    app.teardown_request(_send_leftovers)
    if not event.contains(Session, "after_commit", _after_commit):  # once per process, not per app
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)
