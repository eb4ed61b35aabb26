"""Counting views: bands, hours, who is not counted, once an hour, nothing per person, never a 500."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from community.accounts.models import AccountStatus
from community.extensions import db
from community.reach import services
from community.reach.models import ReachView
from tests.reach.conftest import login, tokyo


def _cells() -> dict[tuple, int]:
    db.session.expire_all()
    return {
        (r.kind, r.object_id, r.owner_kind, r.owner_id, r.day, r.hour, r.weekday, r.age_band): r.views
        for r in db.session.scalars(select(ReachView))
    }


def _total() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.coalesce(func.sum(ReachView.views), 0)))


@pytest.mark.parametrize(
    ("birth", "status", "band"),
    [
        (date(2013, 8, 20), AccountStatus.verified, "child"),  # 13: 中学生以下
        (date(2011, 4, 2), AccountStatus.verified, "child"),  # 15 but still in 中学3年 until 31 March
        (date(2009, 5, 1), AccountStatus.verified, "teen"),  # 17
        (date(2006, 11, 23), AccountStatus.verified, "teen"),  # 19, turns 20 tomorrow
        (date(2006, 11, 22), AccountStatus.verified, "20s"),
        (date(1986, 1, 1), AccountStatus.verified, "40s"),
        (date(1956, 11, 22), AccountStatus.verified, "70plus"),
        (date(1980, 1, 1), AccountStatus.applied, "guest"),  # birth date not yet checked at the counter
    ],
)
def test_age_band_of_a_reader(make_user, birth, status, band):
    assert services.age_band(make_user(birth_date=birth, status=status), date(2026, 11, 22)) == band


def test_anonymous_reader_is_a_guest(app):
    from flask_login import AnonymousUserMixin

    assert services.age_band(AnonymousUserMixin(), date(2026, 11, 22)) == "guest"
    assert services.age_band(None, date(2026, 11, 22)) == "guest"


def test_views_are_counted_by_band_and_hour_without_the_author_admins_or_repeats(
    app, client, make_user, make_circle, make_topic, clock
):
    author, admin = make_user(), make_user()
    circle = make_circle(admins=[admin], members=[author])
    topic = make_topic(circle, author)
    forties = [login(app, make_user(birth_date=date(1984, 6, 1))) for _ in range(3)]
    twenties = login(app, make_user(birth_date=date(2000, 6, 1)))
    child = login(app, make_user(birth_date=date(2014, 6, 1)))
    url = f"/circles/topics/{topic.id}"

    clock.at(tokyo(2026, 11, 17, 19, 5))  # Tuesday 19時台
    for browser in [*forties, twenties, child, client, login(app, author), login(app, circle_owner(circle))]:
        assert browser.get(url).status_code == 200
    assert login(app, admin).get(url).status_code == 200
    # The same readers again in the same hour: not counted again.
    clock.at(tokyo(2026, 11, 17, 19, 55))
    for browser in [*forties, twenties]:
        assert browser.get(url).status_code == 200
    # An hour later they count again.
    clock.at(tokyo(2026, 11, 17, 20, 1))
    forties[0].get(url)

    key = ("circle_topic", topic.id, "circle", circle.id, date(2026, 11, 17))
    assert _cells() == {
        (*key, 19, 1, "40s"): 3,
        (*key, 19, 1, "20s"): 1,
        (*key, 19, 1, "child"): 1,
        (*key, 19, 1, "guest"): 1,
        (*key, 20, 1, "40s"): 1,
    }


def circle_owner(circle):
    from community.accounts.models import User
    from community.circles.models import CircleMembership

    owner_id = db.session.scalar(
        select(CircleMembership.user_id).where(CircleMembership.circle_id == circle.id, CircleMembership.role == "owner")
    )
    return db.session.get(User, owner_id)


def test_local_date_and_hour_are_japan_time(app, make_user, make_circle, make_topic):
    circle = make_circle()
    topic = make_topic(circle, make_user())
    # 23:30 UTC on Sunday is 08:30 on Monday in Tokyo.
    services.add_view("circle_topic", topic.id, "circle", circle.id, "30s", tokyo(2026, 11, 23, 8, 30))
    row = db.session.scalar(select(ReachView))
    assert (row.day, row.hour, row.weekday) == (date(2026, 11, 23), 8, 0)


def test_official_account_members_and_the_author_are_not_counted(app, make_user, make_account, clock):
    staff = make_user(role="staff")
    account = make_account(members=[staff])
    other_staff = make_user(role="staff")
    admin = make_user(role="admin")
    resident = make_user()
    with app.test_request_context():
        assert not services.record_view("official_post", 1, "official", account.id, staff, author_id=None)
        assert not services.record_view("official_post", 1, "official", account.id, admin, author_id=None)
        assert not services.record_view("official_post", 1, "official", account.id, resident, author_id=resident.id)
        assert services.record_view("official_post", 1, "official", account.id, other_staff, author_id=staff.id)
    with app.test_request_context():
        assert services.record_view("official_post", 1, "official", account.id, resident, author_id=staff.id)
    assert _total() == 2


def test_the_upsert_targets_the_unique_cell_key():
    from community.reach.models import CELL_KEY

    unique = [c for c in ReachView.__table__.constraints if isinstance(c, sa.UniqueConstraint)]
    assert [tuple(col.name for col in unique[0].columns)] == [CELL_KEY]
    assert f"ON CONFLICT ({', '.join(CELL_KEY)})" in services._UPSERT.text


def test_nothing_per_person_is_stored():
    columns = set(ReachView.__table__.columns.keys())
    assert columns == {"id", "kind", "object_id", "owner_kind", "owner_id", "day", "hour", "weekday", "age_band", "views"}
    foreign = [fk.target_fullname for fk in ReachView.__table__.foreign_keys]
    assert foreign == []  # not even a link to the person's account through another table


def test_the_dedupe_cookie_does_not_say_what_was_read(app, client, make_user, make_circle, make_topic, clock):
    circle = make_circle()
    topic = make_topic(circle, make_user(), title="ひみつの相談")
    client.get(f"/circles/topics/{topic.id}")
    with client.session_transaction() as sess:
        seen = sess[services.SEEN_KEY]
    assert seen["h"] == "2026111719" and len(seen["d"]) == 1
    assert str(topic.id) not in seen["d"][0] and "circle" not in seen["d"][0]


def test_the_dedupe_cookie_stays_small_for_a_heavy_reader(app):
    from flask import session

    with app.test_request_context():
        for object_id in range(150):
            assert services._first_in_this_hour("circle_topic", object_id, "2026111719")
        assert len(session[services.SEEN_KEY]["d"]) == services.SEEN_MAX
        cookie = app.session_interface.get_signing_serializer(app).dumps(dict(session))
        assert len(cookie) < 2000  # browsers keep cookies up to 4 kB, and the session holds more
        assert not services._first_in_this_hour("circle_topic", 149, "2026111719")
        assert services._first_in_this_hour("circle_topic", 149, "2026111720")  # a new hour starts afresh
        assert len(session[services.SEEN_KEY]["d"]) == 1


def test_a_failing_counter_never_breaks_the_page(app, client, make_user, make_circle, make_topic, monkeypatch, caplog):
    circle = make_circle()
    topic = make_topic(circle, make_user(), title="読めるトピック")

    def broken(cell):
        raise sa.exc.OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(services, "_upsert", broken)
    response = client.get(f"/circles/topics/{topic.id}")
    assert response.status_code == 200
    assert "読めるトピック" in response.get_data(as_text=True)
    assert "could not record a reach view" in caplog.text
    assert _total() == 0


def test_head_requests_are_not_counted(app, client, make_user, make_circle, make_topic):
    topic = make_topic(make_circle(), make_user())
    assert client.head(f"/circles/topics/{topic.id}").status_code == 200
    assert _total() == 0
    client.get(f"/circles/topics/{topic.id}")
    assert _total() == 1


def test_a_locked_counter_gives_up_quickly_and_the_page_still_shows(app, client, make_user, make_circle, make_topic):
    """Another transaction holds the lock (SQLite: the whole database; PostgreSQL: the cell's row)."""
    circle = make_circle()
    topic = make_topic(circle, make_user(), title="混んでいる日")
    at = tokyo(2026, 11, 17, 19, 0)
    # The anonymous page view below falls into this same (guest, this hour) cell.
    services.add_view("circle_topic", topic.id, "circle", circle.id, "guest", services.utcnow())
    blocker = db.engine.connect()
    try:
        tx = blocker.begin()
        blocker.execute(sa.text("UPDATE reach_view SET views = views + 100"))
        started = time.monotonic()
        response = client.get(f"/circles/topics/{topic.id}")
        waited = time.monotonic() - started
        tx.rollback()
    finally:
        blocker.close()
    assert response.status_code == 200 and "混んでいる日" in response.get_data(as_text=True)
    assert waited < 3  # not the 10 s busy timeout
    assert _total() == 1  # the view during the lock was dropped, not queued
    services.add_view("circle_topic", topic.id, "circle", circle.id, "40s", at)
    assert _total() == 2  # and the usual timeout is back for the next user of the connection
    with db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000


def test_a_topic_the_viewer_may_not_read_is_not_counted(app, client, make_user, make_circle, make_topic):
    circle = make_circle(visibility="private")
    topic = make_topic(circle, make_user())
    assert client.get(f"/circles/topics/{topic.id}").status_code == 404
    assert _total() == 0


def test_concurrent_views_of_one_cell_all_count(app, make_user, make_circle, make_topic):
    """The upsert is atomic: two threads adding to the same new cell lose nothing (both databases)."""
    circle = make_circle()
    topic = make_topic(circle, make_user())
    topic_id, circle_id = topic.id, circle.id  # read here: the threads must not touch this session
    at = tokyo(2026, 11, 17, 19, 10)
    errors: list[Exception] = []
    start = threading.Barrier(2)

    def worker():
        with app.app_context():
            try:
                start.wait()
                for _ in range(40):
                    services.add_view("circle_topic", topic_id, "circle", circle_id, "40s", at)
            except Exception as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert _cells() == {("circle_topic", topic_id, "circle", circle_id, date(2026, 11, 17), 19, 1, "40s"): 80}


def test_views_on_other_days_are_separate_cells(app, make_user, make_circle, make_topic):
    circle = make_circle()
    topic = make_topic(circle, make_user())
    start = tokyo(2026, 11, 16, 7, 0)
    for day in range(3):
        services.add_view("circle_topic", topic.id, "circle", circle.id, "50s", start + timedelta(days=day))
    assert sorted((d, w) for (_k, _o, _ok, _oi, d, _h, w, _b) in _cells()) == [
        (date(2026, 11, 16), 0), (date(2026, 11, 17), 1), (date(2026, 11, 18), 2)
    ]
