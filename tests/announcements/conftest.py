"""Department accounts, staff and announcements for the announcement tests: real rows, real commits."""

from __future__ import annotations

from datetime import timedelta

import pytest

from community.accounts.models import AccountStatus, Role
from community.announcements.models import Announcement
from community.core.database import utcnow
from community.extensions import db
from community.official.models import OfficialAccount, OfficialAccountMember
from tests.conftest import PASSWORD


@pytest.fixture
def make_account(app):
    def make(name: str, slug: str, *, emergencies: bool = False, members=()) -> OfficialAccount:
        account = OfficialAccount(name=name, slug=slug, may_issue_emergencies=emergencies)
        db.session.add(account)
        db.session.flush()
        for user in members:
            db.session.add(OfficialAccountMember(account_id=account.id, user_id=user.id))
        db.session.commit()
        return account

    return make


@pytest.fixture
def city(make_user, make_account):
    """防災課 (may issue emergencies) with staff-suzuki, 子育て支援課 with staff-sato, and everyone else."""
    people = {
        "member": make_user("hanako", nickname="はなこ"),
        "supporter": make_user("yamada", role=Role.supporter),
        "staff_outside": make_user("staff-tanaka", role=Role.staff),
        "staff_kosodate": make_user("staff-sato", role=Role.staff),
        "staff_bousai": make_user("staff-suzuki", role=Role.staff, nickname="鈴木"),
        "admin_outside": make_user("admin", role=Role.admin),
        "suspended_staff": make_user("staff-old", role=Role.staff, status=AccountStatus.suspended),
    }
    bousai = make_account("防災課", "bousai", emergencies=True,
                          members=[people["staff_bousai"], people["suspended_staff"]])
    kosodate = make_account("子育て支援課", "kosodate", members=[people["staff_kosodate"]])
    return {"people": people, "bousai": bousai, "kosodate": kosodate}


@pytest.fixture
def make_announcement(app):
    def make(title="お知らせ", *, account=None, emergency=False, hours=24, **fields) -> Announcement:
        fields.setdefault("published_at", utcnow() - timedelta(minutes=5))
        if emergency:
            fields.setdefault("expires_at", utcnow() + timedelta(hours=hours))
        item = Announcement(
            title=title, body=fields.pop("body", "本文"), is_emergency=emergency,
            official_account_id=account.id if account else None,
            department=account.name if account else fields.pop("department", "市民協働課"), **fields,
        )
        db.session.add(item)
        db.session.commit()
        return item

    return make


def login(app, user):
    """A separate browser (test client) logged in as user; None logs nobody in."""
    client = app.test_client()
    if user is not None:
        client.post("/login", data={"login_id": user.login_id, "password": PASSWORD})
    return client


def local(dt) -> str:
    """An aware datetime as a datetime-local form value in Japan time."""
    from community.core.i18n import TOKYO

    return dt.astimezone(TOKYO).strftime("%Y-%m-%dT%H:%M")
