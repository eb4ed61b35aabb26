"""`flask tsunagari expire-applications`: unverified applications are deleted after the period."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from community.accounts.models import User
from community.audit import AuditLog
from community.core.database import utcnow
from community.extensions import db


@pytest.mark.parametrize(("days", "kept"), [(29, True), (31, False)])
def test_applications_expire_after_30_days(runner, make_user, days, kept):
    make_user("waiting", status="applied", applied_at=utcnow() - timedelta(days=days), email="w@example.jp")
    verified = make_user("old-member", applied_at=utcnow() - timedelta(days=400))
    result = runner.invoke(args=["tsunagari", "expire-applications"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert (db.session.scalar(select(User).where(User.login_key == "waiting")) is not None) is kept
    assert db.session.get(User, verified.id) is not None  # verified members never expire
    entries = list(db.session.scalars(select(AuditLog).where(AuditLog.action == "account.application_expired")))
    assert len(entries) == (0 if kept else 1)
    assert "waiting" not in "".join(e.detail for e in entries)  # the log keeps no personal data


def test_expiry_period_is_configurable(app, runner, make_user):
    app.config["APPLICATION_EXPIRY_DAYS"] = 7
    make_user("week", status="applied", applied_at=utcnow() - timedelta(days=8))
    assert "1 expired" in runner.invoke(args=["tsunagari", "expire-applications"]).output
