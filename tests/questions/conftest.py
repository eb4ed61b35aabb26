"""Factories for questions tests: department accounts with their staff, questions, FAQ entries."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from community.core.database import utcnow
from community.extensions import db
from community.official.models import OfficialAccount, OfficialAccountMember
from community.questions.models import Answer, FaqEntry, Question

_counter = itertools.count(1)


@pytest.fixture
def search_index(app):
    from search import indexing

    indexing.reindex()
    return indexing


@pytest.fixture
def make_account(app):
    def make(name: str | None = None, *, staff=(), slug: str | None = None, active: bool = True) -> OfficialAccount:
        n = next(_counter)
        account = OfficialAccount(slug=slug or f"dept{n}", name=name or f"課{n}",
                                  deactivated_at=None if active else utcnow())
        db.session.add(account)
        db.session.flush()
        for user in staff:
            db.session.add(OfficialAccountMember(account_id=account.id, user_id=user.id))
        db.session.commit()
        return account

    return make


@pytest.fixture
def make_question(app):
    def make(account, asker, *, title="質問", body="本文", visibility="public", answer=None, days_ago=0,
             status=None) -> Question:
        q = Question(account_id=account.id, asker_id=asker.id if asker else None, title=title, body=body,
                     visibility=visibility, created_at=utcnow() - timedelta(days=days_ago))
        db.session.add(q)
        db.session.flush()
        if answer:
            db.session.add(Answer(question_id=q.id, account_id=account.id, sequence=1, body=answer))
            q.answer_count, q.status, q.answered_at = 1, "answered", utcnow()
        if status:
            q.status = status
        db.session.commit()
        return q

    return make


@pytest.fixture
def make_faq(app):
    def make(account, *, title="よくある質問", answer="回答です", category="other", question=None) -> FaqEntry:
        entry = FaqEntry(account_id=account.id, title=title, answer=answer, category=category,
                         question_id=question.id if question else None)
        db.session.add(entry)
        db.session.commit()
        return entry

    return make


@pytest.fixture
def people(make_user, make_account):
    """Everyone the permission matrix needs, and two departments."""
    member = make_user(nickname="会員")
    asker = make_user(nickname="質問者")
    other = make_user(nickname="ほかの会員")
    minor = make_user(nickname="中学生", birth_date=date(2013, 8, 20))
    supporter = make_user(role="supporter", nickname="サポーター")
    staff = make_user(role="staff", nickname="子育て職員")
    other_staff = make_user(role="staff", nickname="防災職員")
    admin = make_user(role="admin", nickname="管理者")
    kosodate = make_account("子育て支援課", staff=[staff], slug="kosodate")
    bousai = make_account("防災課", staff=[other_staff], slug="bousai")
    return {
        "anonymous": None, "member": member, "asker": asker, "other": other, "minor": minor,
        "supporter": supporter, "staff": staff, "other_staff": other_staff, "admin": admin,
        "kosodate": kosodate, "bousai": bousai,
    }
