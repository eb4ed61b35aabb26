"""Search keeps answering on a full disk ("near-full, a search answered 500")."""

from __future__ import annotations

import errno
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from community.accounts.models import UserSession
from community.core.database import utcnow
from community.extensions import db
from search.models import SearchOutbox
from tests.conftest import PASSWORD
from tests.search.fixtures import app_config, titles  # noqa: F401 - runs every test on both backends


@pytest.mark.parametrize("fault", ["database", "index writer"])
def test_search_answers_while_writes_fail(client, make_user, make_announcement, disk_full, backend_name,
                                          monkeypatch, fault):
    if fault == "index writer" and backend_name == "database":
        pytest.skip("the database backend's index is written by the database")
    make_announcement("防災訓練のお知らせ", "9月1日")
    titles(client, "防災訓練")  # applied to the index
    make_announcement("防災倉庫の点検", "10月")  # waiting in the outbox (Whoosh) when the disk fills
    member = make_user()
    client.post("/login", data={"login_id": member.login_id, "password": PASSWORD})
    db.session.execute(update(UserSession).values(last_seen_at=utcnow() - timedelta(hours=1)))  # a write is due
    db.session.commit()
    if fault == "index writer":
        def no_space(self, *args, **kwargs):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr("whoosh.writing.SegmentWriter.commit", no_space)
    else:
        disk_full.fill()
    found = titles(client, "防災")  # asserts 200
    assert "防災訓練のお知らせ" in found
    if fault == "index writer":
        assert found == ["防災訓練のお知らせ"]
        assert db.session.scalar(select(func.count()).select_from(SearchOutbox)) > 0  # kept for later
        monkeypatch.undo()
        assert sorted(titles(client, "防災")) == ["防災倉庫の点検", "防災訓練のお知らせ"]
