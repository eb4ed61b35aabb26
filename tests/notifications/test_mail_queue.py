"""The mail queue (`mail_message`): mail exists iff its transaction committed, is delivered once,
survives an SMTP outage, and two deliverers never send the same message twice."""

from __future__ import annotations

import re
import smtplib
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from community.core.database import utcnow
from community.core.mail import MAX_ATTEMPTS, MailMessage, _claim, deliver_all, queue_mail
from community.extensions import db
from community.notifications.services import notify, set_email_enabled
from tests.notifications.test_notifications import kind  # noqa: F401 - the stand-in notification kind


class FakeSMTP:
    """Stands in for smtplib.SMTP; `down` makes connecting fail, `refused` rejects addresses."""

    def __init__(self):
        self.sent: list = []
        self.down = False
        self.refused: set[str] = set()
        self.delay = 0.0
        self.lock = threading.Lock()

    def __call__(self, host, port, timeout):
        if self.down:
            raise ConnectionRefusedError(111, "Connection refused")
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        pass

    def login(self, user, password):
        pass

    def send_message(self, message):
        if message["To"] in self.refused:
            raise smtplib.SMTPRecipientsRefused({message["To"]: (550, b"no such user")})
        time.sleep(self.delay)
        with self.lock:
            self.sent.append(message)


@pytest.fixture
def smtp(app, monkeypatch):
    fake = FakeSMTP()
    monkeypatch.setattr(smtplib, "SMTP", fake)
    app.config["MAIL_SERVER"] = "smtp.example.jp"
    return fake


@pytest.fixture
def outbox(app):
    return app.extensions.setdefault("tsunagari.outbox", [])


def _rows():
    db.session.expire_all()
    return list(db.session.scalars(select(MailMessage).order_by(MailMessage.id)))


def _opted_in(make_user):
    alice, bob = make_user("alice", email="alice@example.jp", email_confirmed_at=utcnow()), make_user("bob")
    set_email_enabled(alice, True)
    db.session.commit()
    return alice, bob


def test_no_mail_when_the_notification_is_rolled_back(app, make_user, kind, outbox):  # noqa: F811
    alice, bob = _opted_in(make_user)
    with app.test_request_context():
        assert notify(alice, "test_kind", actor=bob, target_type="test_thing", target_id=1) is not None
        db.session.rollback()
    assert _rows() == [] and outbox == []


def test_notification_mail_is_queued_with_it_and_delivered_after_the_commit(app, make_user, kind, outbox):  # noqa: F811
    alice, bob = _opted_in(make_user)
    with app.test_request_context():
        notify(alice, "test_kind", actor=bob, target_type="test_thing", target_id=1)
        queued = db.session.scalars(select(MailMessage)).all()
        assert [m.recipient for m in queued] == ["alice@example.jp"] and queued[0].sent_at is None
        assert outbox == []  # nothing leaves before the commit
        db.session.commit()
    assert len(outbox) == 1 and outbox[0]["To"] == "alice@example.jp" and "テスト1" in outbox[0]["Subject"]
    [row] = _rows()
    assert row.sent_at is not None and row.attempts == 1 and row.last_error is None


def test_smtp_outage_keeps_the_mail_and_a_later_run_sends_it_once(app, runner, smtp):
    smtp.down = True
    queue_mail("alice@example.jp", "件名", "本文")
    db.session.commit()  # outside a request: tried at once, and the server is down
    [row] = _rows()
    assert row.sent_at is None and row.attempts == 1 and "ConnectionRefusedError" in row.last_error
    assert row.next_attempt_at > utcnow() + timedelta(seconds=50)

    smtp.down = False
    assert runner.invoke(args=["tsunagari", "mail", "send"]).output.startswith("0 sent")  # not due yet
    row.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert runner.invoke(args=["tsunagari", "mail", "send"]).output.startswith("1 sent")
    assert runner.invoke(args=["tsunagari", "mail", "send"]).output.startswith("0 sent")
    assert [m["To"] for m in smtp.sent] == ["alice@example.jp"]
    [row] = _rows()
    assert row.sent_at is not None and row.attempts == 2 and row.last_error is None


def test_backoff_grows_and_the_last_attempt_gives_up(app, runner, smtp):
    smtp.down = True
    for attempts, wait in ((1, timedelta(minutes=5)), (MAX_ATTEMPTS - 1, None)):
        db.session.add(MailMessage(recipient="a@example.jp", subject="s", body="b", attempts=attempts))
        db.session.commit()
        result = runner.invoke(args=["tsunagari", "mail", "send"])
        row = _rows()[-1]
        assert row.attempts == attempts + 1 and row.sent_at is None
        if wait:
            assert wait - timedelta(seconds=5) < row.next_attempt_at - utcnow() <= wait
        else:
            assert "1 given up" in result.output
    smtp.down = False
    for row in _rows():
        row.next_attempt_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert runner.invoke(args=["tsunagari", "mail", "send"]).output.startswith("1 sent")  # not the given-up one
    status = runner.invoke(args=["tsunagari", "mail", "status"]).output
    assert "failed permanently: 1" in status and "ConnectionRefusedError" in status
    assert "sent in the last 24 hours: 1" in status


def test_an_unreachable_server_stops_the_run_but_a_refused_address_does_not(app, runner, smtp):
    for n in range(3):
        db.session.add(MailMessage(recipient=f"m{n}@example.jp", subject="s", body="b"))
    db.session.commit()
    smtp.down = True
    runner.invoke(args=["tsunagari", "mail", "send"])
    assert [r.attempts for r in _rows()] == [1, 0, 0]  # no 10-second timeout per message

    smtp.down = False
    smtp.refused = {"m1@example.jp"}
    runner.invoke(args=["tsunagari", "mail", "send"])
    assert sorted(m["To"] for m in smtp.sent) == ["m2@example.jp"]
    assert "SMTPRecipientsRefused" in _rows()[1].last_error


def test_status_counts_and_old_rows_are_purged(app, runner):
    now = utcnow()
    db.session.add_all([
        MailMessage(recipient="a@example.jp", subject="s", body="b", next_attempt_at=now + timedelta(hours=1)),
        MailMessage(recipient="b@example.jp", subject="s", body="b", created_at=now - timedelta(days=40),
                    sent_at=now - timedelta(days=31)),
        MailMessage(recipient="c@example.jp", subject="s", body="b", sent_at=now - timedelta(days=29)),
        MailMessage(recipient="d@example.jp", subject="s", body="b", sent_at=now - timedelta(hours=2)),
    ])
    db.session.commit()
    status = runner.invoke(args=["tsunagari", "mail", "status"]).output
    assert "queued: 1\ndue now: 0\nfailed permanently: 0\nsent in the last 24 hours: 1\n" in status
    assert "1 purged" in runner.invoke(args=["tsunagari", "mail", "send"]).output
    assert sorted(r.recipient for r in _rows()) == ["a@example.jp", "c@example.jp", "d@example.jp"]


def test_reset_code_mail_arrives_after_the_response(app, client, make_user, outbox):
    make_user("mailer", email="mailer@example.jp", email_confirmed_at=utcnow())
    response = client.post("/password/forgot", data={"login_id": "mailer"})
    assert response.status_code == 302
    assert outbox == []  # the answer does not wait on (or reveal) the mail
    response.close()  # what the server does once the response has been sent
    assert len(outbox) == 1 and outbox[0]["To"] == "mailer@example.jp"
    assert re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}", outbox[0].get_content())
    [row] = _rows()
    assert row.sent_at is not None


def _postgres(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time and no FOR UPDATE SKIP LOCKED; the race is PostgreSQL's")


def test_a_message_being_claimed_is_skipped_not_waited_for(app):
    _postgres(app)
    db.session.add_all([MailMessage(recipient=f"m{n}@example.jp", subject="s", body="b") for n in range(2)])
    db.session.commit()
    now = utcnow()
    with db.engine.connect() as first, db.engine.connect() as second:
        first.begin()
        second.begin()
        second.execute(text("SET LOCAL lock_timeout = '2s'"))  # without SKIP LOCKED this would fail
        one, two = _claim(first, now), _claim(second, now)
        assert {one.recipient, two.recipient} == {"m0@example.jp", "m1@example.jp"}
        assert _claim(second, now) is None
        first.rollback()
        second.rollback()


def test_two_deliverers_never_send_a_message_twice(app, smtp):
    _postgres(app)
    db.session.add_all([MailMessage(recipient=f"m{n}@example.jp", subject="s", body="b") for n in range(40)])
    db.session.commit()
    smtp.delay = 0.005
    start = threading.Barrier(2)
    results = []

    def worker():
        with app.app_context():
            start.wait()
            results.append(deliver_all())

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    sent = sorted(m["To"] for m in smtp.sent)
    assert sent == sorted(f"m{n}@example.jp" for n in range(40))  # each once
    assert all(r.sent > 0 for r in results)  # both really worked
    assert all(r.sent_at is not None and r.attempts == 1 for r in _rows())


def test_notify_all_queues_one_mail_per_opted_in_recipient_in_one_statement(app, runner, make_user, kind):  # noqa: F811
    import sqlalchemy as sa

    from community.accounts.models import User
    from community.notifications.services import notify_all

    def people(prefix: str, n: int) -> list[int]:
        users = [make_user(f"{prefix}{i}", email=f"{prefix}{i}@example.jp", email_confirmed_at=utcnow()) for i in range(n)]
        for user in users:
            set_email_enabled(user, True)
        quiet = make_user(f"{prefix}-quiet", email=f"{prefix}-quiet@example.jp", email_confirmed_at=utcnow())  # e-mail not turned on
        no_address = make_user(f"{prefix}-noaddr")
        set_email_enabled(no_address, True)
        gone = make_user(f"{prefix}-gone", email=f"{prefix}-gone@example.jp", email_confirmed_at=utcnow())
        set_email_enabled(gone, True)
        gone.status = "withdrawn"
        db.session.commit()
        return [u.id for u in users] + [quiet.id, no_address.id, gone.id]

    def tell(ids: list[int]) -> list[str]:
        seen: list[str] = []

        def listen(conn, cursor, statement, *args):
            seen.append(statement)

        with app.test_request_context():
            sa.event.listen(db.engine, "before_cursor_execute", listen)
            try:
                notify_all(select(User.id).where(User.id.in_(ids)), "test_kind", target_type="test_thing",
                           target_id=1)
            finally:
                sa.event.remove(db.engine, "before_cursor_execute", listen)
            db.session.commit()
        return seen

    few = tell(people("few", 2))
    many = tell(people("many", 25))
    assert len(few) == len(many)
    assert sum(s.lstrip().upper().startswith("INSERT INTO MAIL_MESSAGE") for s in many) == 1
    rows = _rows()
    assert sorted(r.recipient for r in rows) == sorted(
        [f"few{i}@example.jp" for i in range(2)] + [f"many{i}@example.jp" for i in range(25)])
    assert all("テスト1" in r.subject and "/thing/1" in r.body and r.sent_at is None for r in rows)
    outbox = app.extensions.setdefault("tsunagari.outbox", [])
    assert outbox == []  # bulk mail waits for the timer, not the request
    assert runner.invoke(args=["tsunagari", "mail", "send"]).output.startswith("27 sent")
    assert len(outbox) == 27
