"""The audit log: every step is recorded, staff filter and export it, and nothing rewrites it."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from community import audit
from community.audit import AuditLog, AuditLogImmutable
from community.extensions import db
from moderation.models import Appeal, ModerationAction, ModerationCase

ROOT = Path(__file__).resolve().parents[2]


def _snapshot():
    db.session.expire_all()
    return {e.id: (e.at, e.actor_id, e.action, e.target_type, e.target_id, e.reason, e.detail)
            for e in db.session.scalars(select(AuditLog))}


def test_the_whole_loop_only_ever_appends(notes, make_user, login):
    author, reporter = make_user(), make_user(role="supporter")
    first, second = make_user(role="staff"), make_user(role="staff")
    note = notes.add(author)
    seen = _snapshot()
    steps = [
        lambda: login(reporter).post(f"/report/test_note/{note.id}", data={"reason": "spam"}),
        lambda: login(reporter).post(f"/report/test_note/{note.id}", data={"reason": "harassment"}),
        lambda: login(first).post(f"/moderation/cases/{_case().id}/claim"),
        lambda: login(first).post(f"/moderation/cases/{_case().id}/act",
                                  data={"version": _case().version, "action": "hide", "rule": "harassment"}),
        lambda: login(author).post(f"/moderation/actions/{_action().id}/appeal", data={"body": "見直して"}),
        lambda: login(second).post(f"/moderation/appeals/{_appeal().id}", data={"decision": "upheld", "note": "維持"}),
        lambda: login(second).get("/moderation/audit.csv"),
    ]
    expected = ["report.created", "report.updated", "moderation.claimed", "moderation.hide", "appeal.created",
                "appeal.decided", "audit.exported"]
    for step, action in zip(steps, expected, strict=True):
        assert step().status_code in (200, 302)
        now = _snapshot()
        for entry_id, row in seen.items():
            assert now[entry_id] == row  # no earlier row changed or vanished
        new = [now[i] for i in now if i not in seen]
        assert action in [row[2] for row in new], (action, new)
        seen = now
    actors = {row[2]: row[1] for row in seen.values()}
    assert actors["moderation.hide"] == first.id and actors["appeal.decided"] == second.id


def _case():
    db.session.expire_all()
    return db.session.scalar(select(ModerationCase))


def _action():
    return db.session.scalar(select(ModerationAction))


def _appeal():
    return db.session.scalar(select(Appeal))


def test_the_orm_refuses_to_change_or_delete_audit_rows(app, make_user):
    from community import audit

    entry = audit.record("test.entry", actor=make_user(), reason="x")
    db.session.commit()
    entry.reason = "changed"
    with pytest.raises(AuditLogImmutable):
        db.session.commit()
    db.session.rollback()
    db.session.delete(entry)
    with pytest.raises(AuditLogImmutable):
        db.session.commit()
    db.session.rollback()


WRITES = [
    re.compile(r"\b(update|delete)\(\s*AuditLog\b"),
    re.compile(r"AuditLog\.__table__\.(update|delete)"),
    re.compile(r"(?i)\b(update\s+audit_log|delete\s+from\s+audit_log)\b"),
    re.compile(r"select\(AuditLog\)[^\n]*\.(update|delete)\("),
]


def test_no_route_or_service_writes_to_audit_rows():
    """Every package's source: no bulk UPDATE or DELETE of the audit log anywhere."""
    offenders = []
    for package in ("community", "moderation", "search", "kiosk"):
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for pattern in WRITES:
                if pattern.search(text):
                    offenders.append(f"{path.relative_to(ROOT)}: {pattern.pattern}")
    assert offenders == []


def test_staff_filter_and_export_csv(notes, make_user, login):
    reporter = make_user(login_id="reporter1")
    note = notes.add(make_user())
    login(reporter).post(f"/report/test_note/{note.id}", data={"reason": "other", "note": "=HYPERLINK(\"x\")"})
    staff = make_user(role="staff")
    client = login(staff)
    page = client.get("/moderation/audit?action=report.").get_data(as_text=True)
    assert "report.created" in page and "reporter1" in page
    assert "report.created" not in client.get("/moderation/audit?action=moderation.").get_data(as_text=True)
    assert "report.created" in client.get("/moderation/audit?actor=reporter1").get_data(as_text=True)
    assert client.get("/moderation/audit?target_id=abc").status_code == 400
    response = client.get("/moderation/audit.csv?actor=reporter1")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:5] == ["id", "at", "actor_id", "actor_login_id", "action"]
    assert [r[4] for r in rows[1:]] == ["report.created"]
    export = db.session.scalar(select(AuditLog).where(AuditLog.action == "audit.exported"))
    assert export.actor_id == staff.id


def test_export_csv_guards_text_a_spreadsheet_would_run(make_user, login):
    staff = make_user(role="staff")
    with_reason = make_user()
    audit.record("account.suspended", actor=staff, target_type="user", target_id=with_reason.id,
                 reason='＝HYPERLINK("http://x","y")')
    audit.record("account.suspended", actor=staff, target_type="user", target_id=with_reason.id,
                 reason='=HYPERLINK("http://x","y")')
    db.session.commit()
    data = login(staff).get("/moderation/audit.csv?action=account.").data
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    reason = rows[0].index("reason")
    assert sorted(row[reason] for row in rows[1:]) == sorted(["'＝HYPERLINK(\"http://x\",\"y\")",
                                                              "'=HYPERLINK(\"http://x\",\"y\")"])
