"""`flask tsunagari generate` at a small size, on SQLite and PostgreSQL (whichever the run uses)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from community.accounts.models import User
from community.circles.models import Circle, Post, Topic
from community.core.generate import GENERATE_PASSWORD, generate
from community.diaries.models import DiaryEntry
from community.extensions import db
from community.policy import is_minor
from moderation.models import ModerationCase
from search.citypages.models import CityPage
from tests import conftest as shared


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _mark_written() -> None:
    # COPY (PostgreSQL) bypasses the statement hook the test teardown uses to find tables to empty.
    shared._DIRTY_TABLES.update(t.name for t in db.metadata.sorted_tables)


@pytest.fixture
def generated(app):
    _mark_written()
    ctx = generate(1000, seed=7, now=datetime(2026, 11, 22, 12, tzinfo=UTC))
    db.session.commit()
    return ctx


def test_counts_scale_with_members(generated):
    assert _count(User) == 1000
    users = list(db.session.scalars(select(User)))
    minors = sum(1 for u in users if is_minor(u))
    supporters = sum(1 for u in users if u.role == "supporter")
    assert 25 <= minors <= 80  # 5%
    assert 3 <= supporters <= 25  # 1%
    assert _count(Circle) == 20
    assert 3 <= _count(Circle, Circle.visibility != "public") <= 12  # 30% private or secret
    topics_and_posts = _count(Topic) + _count(Post)
    assert 4_000 <= topics_and_posts <= 6_500  # 500,000 at 100,000 members
    assert _count(DiaryEntry) == 3000
    visibilities = set(db.session.scalars(select(DiaryEntry.visibility).distinct()))
    assert visibilities == {"public", "members", "friends", "selected", "private"}
    assert _count(CityPage) == 100
    assert _count(ModerationCase) == 10
    assert generated.counts["circle_event"] == 200
    # Topics with 50 replies exist for the load test's topic page.
    per_topic = select(Post.topic_id).group_by(Post.topic_id).having(func.count() == 51)
    assert len(db.session.execute(per_topic).all()) >= 5


def test_text_reads_like_japanese_posts(generated):
    entry = db.session.scalar(select(DiaryEntry).order_by(DiaryEntry.id))
    assert entry.body.endswith("。") and len(entry.body) > 20
    assert any("\u3040" <= ch <= "\u30ff" for ch in entry.body)  # kana


def test_the_site_works_on_generated_data(generated, client, auth):
    """A generated member signs in, reads the pages, and new rows get fresh ids (sequences moved on)."""
    response = auth.login("m000100", GENERATE_PASSWORD)
    assert response.status_code == 302
    assert client.get("/diaries").status_code == 200
    circle = db.session.scalar(select(Circle).where(Circle.visibility == "public").order_by(Circle.id))
    page = client.get(f"/circles/{circle.id}")
    assert page.status_code == 200 and circle.name in page.get_data(as_text=True)
    topic = db.session.scalar(select(Topic).order_by(Topic.id))
    assert client.get(f"/circles/topics/{topic.id}").status_code in (200, 404)
    response = client.post("/diaries/new", data={"title": "新しい日記", "body": "生成データの上で書きました。",
                                                 "visibility": "members"})
    assert response.status_code == 302
    newest = db.session.scalar(select(DiaryEntry).order_by(DiaryEntry.id.desc()))
    assert newest.title == "新しい日記" and newest.id == 3001


def test_refuses_a_database_with_members(generated, runner):
    result = runner.invoke(args=["tsunagari", "generate", "--members", "100"])
    assert result.exit_code != 0
    assert "already has members" in result.output
    assert _count(User) == 1000


def test_command_reports_what_it_wrote(app, runner):
    _mark_written()
    result = runner.invoke(args=["tsunagari", "generate", "--members", "200"])
    assert result.exit_code == 0, result.output
    assert "user_account" in result.output and "rows/s" in result.output
    assert _count(User) == 200
