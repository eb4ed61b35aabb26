"""Several processes (gunicorn workers) writing content and draining the outbox at the same time:
no lock failures, no lost updates."""

from __future__ import annotations

import multiprocessing
import uuid

from sqlalchemy import func, select

from community.announcements.models import Announcement
from community.extensions import db
from tests.conftest import _DIRTY_TABLES
from tests.search.fixtures import app_config, titles  # noqa: F401 - runs every test on both backends


def _worker(config: dict, marker: str, number: int, count: int) -> None:
    from app import create_app
    from search import indexing

    app = create_app(config)
    with app.app_context():
        for i in range(count):
            db.session.add(Announcement(title=f"{marker}{number}-{i} 防災", body="訓練"))
            db.session.commit()
            indexing.drain(timeout=60)  # as after each request; waits for the writer, never fails
        db.session.remove()
        db.engine.dispose()


def test_parallel_writers_lose_nothing(app, client, search_index):
    config = {k: v for k, v in app.config.items() if isinstance(v, str | int | float | bool | type(None) | dict | list)}
    config = {**config, "INSTANCE_PATH": app.instance_path}
    db.session.remove()
    # The workers' inserts happen in other processes: tell the teardown which tables to empty.
    _DIRTY_TABLES.update({"announcement", "search_outbox", "search_document"})
    ctx = multiprocessing.get_context("spawn")
    marker = "並行" + "".join(chr(0x3042 + (ord(c) % 40)) for c in uuid.uuid4().hex[:6])  # this run's rows only
    workers = [ctx.Process(target=_worker, args=(config, marker, n, 8)) for n in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=240)
        assert w.exitcode == 0
    mine = select(func.count()).select_from(Announcement).where(Announcement.title.startswith(marker))
    assert db.session.scalar(mine) == 24
    report = search_index.check()
    assert report.ok and report.outbox == 0, report
    assert len(titles(client, marker)) == 20  # a full first page
    assert len(titles(client, marker, page="2")) == 4
