"""No query per row: every list page runs the same number of SQL statements for N and 3N items.

Each test fills a page with N items by different authors (so a per-author or per-item look-up
would show), counts the statements of one request, adds 2N more, counts again, and checks that the
page really shows all 3N. A failure names the statements, so the N+1 is easy to find.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

import pytest

from community.accounts.models import AccountStatus, Role
from community.announcements.models import Announcement
from community.circles.models import Circle, CircleMembership, Event, EventSignup, Post, Topic
from community.core.database import utcnow
from community.diaries import services as diaries
from community.diaries.models import DiaryEntry
from community.extensions import db
from community.social import services as social

N = 3


def _same(first: int, second: int, counter) -> None:
    # Not growing is the rule (a page may save a write on a later visit, e.g. a view already recorded).
    if second > first:
        common = Counter(counter.statements).most_common(3)
        pytest.fail(f"{first} statements for {N} items but {second} for {3 * N}; most repeated: {common}")


@pytest.fixture(autouse=True)
def _request(app):
    """Services that notify translate their texts, which needs a request (as in the views)."""
    with app.test_request_context():
        yield


@pytest.fixture
def people(make_user):
    """people(n) -> n new verified members with distinct nicknames."""
    def make(n: int, **fields):
        return [make_user(**fields) for _ in range(n)]

    return make


def _befriend(a, b) -> None:
    request = social.send_friend_request(a, b)
    social.accept_friend_request(b, request.id)
    db.session.commit()


# --- home, 新着日記, a member's diary and archive ---------------------------------------------------


def test_home(client, auth, make_user, make_facility, statements):
    viewer = make_user()
    auth.login(viewer)

    def add(k: int) -> None:
        for i in range(k):
            db.session.add(Announcement(title=f"お知らせ{db.session.query(Announcement).count() + i}",
                                        body="本文", department="市民協働課",
                                        published_at=utcnow() - timedelta(minutes=5)))
            make_facility()
        db.session.commit()

    add(1)
    first, _ = statements.get(client, "/")
    add(2)
    second, response = statements.get(client, "/")
    _same(first, second, statements)
    assert response.get_data(as_text=True).count("お知らせ") >= 3


@pytest.mark.parametrize("logged_in", [True, False], ids=["member", "anonymous"])
def test_latest_diaries(client, auth, make_user, people, statements, logged_in):
    viewer = make_user()
    if logged_in:
        auth.login(viewer)
    made = []

    def add(k: int) -> None:
        for author in people(k):
            entry = diaries.create_entry(author, title=f"日記{len(made)}番", body="今日は公園へ。",
                                         visibility="public")
            diaries.add_comment(entry, viewer, "いいですね")
            diaries.like(entry, viewer)
            made.append(entry)
        db.session.commit()

    add(N)
    first, _ = statements.get(client, "/diaries")
    add(2 * N)
    second, response = statements.get(client, "/diaries")
    _same(first, second, statements)
    html = response.get_data(as_text=True)
    assert all(f"日記{i}番" in html for i in range(3 * N))


@pytest.mark.parametrize("archive", [False, True], ids=["list", "archive"])
def test_member_diary_list_and_archive(client, auth, make_user, people, statements, archive):
    author, viewer = make_user(), make_user()
    _befriend(author, viewer)
    auth.login(viewer)
    now = utcnow()
    url = f"/diaries/members/{author.id}" + (f"/{(now + timedelta(hours=9)).year}/{(now + timedelta(hours=9)).month}"
                                             if archive else "")
    made = []

    def add(k: int) -> None:
        for commenter in people(k):
            visibility = ["public", "members", "friends"][len(made) % 3]
            entry = diaries.create_entry(author, title=f"わたしの日記{len(made)}番", body="本文",
                                         visibility=visibility)
            if visibility != "friends":  # only the author's friends may read (and comment on) those
                diaries.add_comment(entry, commenter, "コメント")
            made.append(entry)
        db.session.commit()

    add(N)
    first, _ = statements.get(client, url)
    add(2 * N)
    second, response = statements.get(client, url)
    _same(first, second, statements)
    html = response.get_data(as_text=True)
    assert all(f"わたしの日記{i}番" in html for i in range(3 * N))


# --- circles --------------------------------------------------------------------------------------


def _circle(owner, name: str, *, visibility: str = "public", district_id=None) -> Circle:
    circle = Circle(name=name, created_by_id=owner.id, visibility=visibility, district_id=district_id,
                    member_count=1, last_activity_at=utcnow())
    db.session.add(circle)
    db.session.flush()
    db.session.add(CircleMembership(circle_id=circle.id, user_id=owner.id, role="owner"))
    db.session.commit()
    return circle


def _join(circle: Circle, user) -> None:
    db.session.add(CircleMembership(circle_id=circle.id, user_id=user.id, role="member"))
    circle.member_count += 1
    db.session.commit()


def test_circle_list(client, auth, make_user, make_district, people, statements):
    viewer = make_user()
    auth.login(viewer)
    names = []

    def add(k: int) -> None:
        for owner in people(k):
            names.append(f"テスト{len(names)}番の会")
            circle = _circle(owner, names[-1], district_id=make_district().id)
            if len(names) % 2:
                _join(circle, viewer)
        db.session.commit()

    add(N)
    first, _ = statements.get(client, "/circles/")
    add(2 * N)
    second, response = statements.get(client, "/circles/")
    _same(first, second, statements)
    html = response.get_data(as_text=True)
    assert all(name in html for name in names)


def _topic(circle, author, title: str, replies=()) -> Topic:
    now = utcnow()
    topic = Topic(circle_id=circle.id, author_id=author.id, title=title, created_at=now, last_posted_at=now)
    db.session.add(topic)
    db.session.flush()
    db.session.add(Post(topic_id=topic.id, circle_id=circle.id, author_id=author.id, body="はじめの書き込み",
                        created_at=now))
    for replier in replies:
        db.session.add(Post(topic_id=topic.id, circle_id=circle.id, author_id=replier.id, body="返信です",
                            created_at=now))
    db.session.commit()
    return topic


def test_circle_page(client, auth, make_user, people, statements):
    owner, viewer = make_user(), make_user()
    circle = _circle(owner, "公園の会", visibility="private")
    _join(circle, viewer)
    auth.login(viewer)
    titles = []

    def add(k: int) -> None:
        for author in people(k):
            _join(circle, author)
            titles.append(f"話題{len(titles)}番")
            _topic(circle, author, titles[-1], replies=[owner])

    add(N)
    first, _ = statements.get(client, f"/circles/{circle.id}")
    add(2 * N)
    second, response = statements.get(client, f"/circles/{circle.id}")
    _same(first, second, statements)
    html = response.get_data(as_text=True)
    assert all(t in html for t in titles)


def test_topic_page(client, auth, make_user, people, statements):
    owner, viewer = make_user(), make_user()
    circle = _circle(owner, "書道の会")
    _join(circle, viewer)
    auth.login(viewer)
    topic = _topic(circle, owner, "今月の練習")
    bodies = []

    def add(k: int) -> None:
        for author in people(k):
            _join(circle, author)
            bodies.append(f"返信{len(bodies)}番です")
            db.session.add(Post(topic_id=topic.id, circle_id=circle.id, author_id=author.id, body=bodies[-1],
                                created_at=utcnow()))
        db.session.commit()

    add(N)
    first, _ = statements.get(client, f"/circles/topics/{topic.id}")
    add(2 * N)
    second, response = statements.get(client, f"/circles/topics/{topic.id}")
    _same(first, second, statements)
    html = response.get_data(as_text=True)
    assert all(b in html for b in bodies)


def test_events(client, auth, make_user, people, statements):
    viewer = make_user()
    auth.login(viewer)
    titles = []

    def add(k: int) -> None:
        for owner in people(k):
            circle = _circle(owner, f"{owner.nickname}の会")
            _join(circle, viewer)
            starts = utcnow() + timedelta(days=3 + len(titles))
            titles.append(f"集まり{len(titles)}番")
            event = Event(circle_id=circle.id, created_by_id=owner.id, title=titles[-1], place="公民館",
                          starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=10, confirmed_count=1)
            db.session.add(event)
            db.session.flush()
            db.session.add(EventSignup(event_id=event.id, user_id=viewer.id, status="confirmed"))
        db.session.commit()

    add(N)
    first, _ = statements.get(client, "/circles/events")
    add(2 * N)
    second, response = statements.get(client, "/circles/events")
    _same(first, second, statements)
    html = response.get_data(as_text=True)
    assert all(t in html for t in titles)


# --- search, notifications ------------------------------------------------------------------------


def test_search_results(client, auth, make_user, people, statements):
    from search import indexing

    viewer = make_user()
    auth.login(viewer)
    titles = []

    def add(k: int) -> None:
        # Diaries, events and circle posts in turn, each event and post in its own circle: a
        # per-result author or circle look-up shows.
        for author in people(k):
            kind = len(titles) % 3
            if kind == 0:
                titles.append(f"図書館の日記{len(titles)}番")
                diaries.create_entry(author, title=titles[-1], body="図書館でおはなし会がありました。",
                                     visibility=["public", "members"][len(titles) % 2])
                continue
            circle = _circle(author, f"{author.nickname}の会")
            if kind == 1:
                starts = utcnow() + timedelta(days=3 + len(titles))
                titles.append(f"図書館の集まり{len(titles)}番")
                db.session.add(Event(circle_id=circle.id, created_by_id=author.id, title=titles[-1], place="図書館",
                                     starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=10))
                continue
            titles.append(f"図書館の話題{len(titles)}番")
            topic = Topic(circle_id=circle.id, author_id=author.id, title=titles[-1])
            db.session.add(topic)
            db.session.flush()
            db.session.add(Post(topic_id=topic.id, circle_id=circle.id, author_id=author.id,
                                body="図書館で集まりました。"))
        db.session.commit()
        indexing.reindex()

    add(N)
    first, _ = statements.get(client, "/search/?q=図書館")
    add(2 * N)
    second, response = statements.get(client, "/search/?q=図書館")
    _same(first, second, statements)
    html = re.sub(r"<[^>]+>", "", response.get_data(as_text=True))  # matches are highlighted
    assert all(t in html for t in titles)


def test_notifications(client, auth, make_user, people, statements):
    viewer = make_user()
    auth.login(viewer)
    entry = diaries.create_entry(viewer, title="週末の公園", body="本文", visibility="members")
    db.session.commit()
    nicknames = []

    def add(k: int) -> None:
        for commenter in people(k):
            diaries.add_comment(entry, commenter, "すてきですね")
            nicknames.append(commenter.nickname)
            db.session.commit()

    add(N)
    first, _ = statements.get(client, "/notifications")
    add(2 * N)
    second, response = statements.get(client, "/notifications")
    _same(first, second, statements)
    html = response.get_data(as_text=True)
    assert all(name in html for name in nicknames)


# --- staff pages ----------------------------------------------------------------------------------


def test_moderation_queue(client, auth, make_user, people, statements):
    from moderation import services as moderation

    staff = make_user(role=Role.staff)
    auth.login(staff)
    titles = []

    def add(k: int) -> None:
        for author, reporter in zip(people(k), people(k), strict=True):
            titles.append(f"通報された日記{len(titles)}番")
            entry = diaries.create_entry(author, title=titles[-1], body="本文", visibility="public")
            db.session.commit()
            moderation.submit_report(reporter, "diary_entry", entry.id, "spam", "")
            db.session.commit()

    add(N)
    first, _ = statements.get(client, "/moderation")
    add(2 * N)
    second, response = statements.get(client, "/moderation")
    _same(first, second, statements)
    html = response.get_data(as_text=True)
    assert all(t in html for t in titles)


@pytest.mark.parametrize("search", [False, True], ids=["pending", "search"])
def test_staff_member_list(client, auth, make_user, statements, search):
    staff = make_user(role=Role.staff)
    auth.login(staff)
    born = date(1970, 5, 5)
    made = []

    def add(k: int) -> None:
        for _ in range(k):
            made.append(make_user(status=AccountStatus.applied, nickname="やまだ", birth_date=born,
                                  login_id=f"pending{len(made)}"))

    url = "/staff/?name=やまだ&birth_date=1970-05-05" if search else "/staff/"
    add(N)
    first, _ = statements.get(client, url)
    add(2 * N)
    second, response = statements.get(client, url)
    _same(first, second, statements)
    html = response.get_data(as_text=True)
    assert all(f"/staff/users/{u.id}" in html for u in made)


def test_latest_diaries_count_stops_early(client, statements, make_user, monkeypatch):
    """新着日記 counts at most a few pages ahead (an exact count of 300,000 entries is too slow)."""
    monkeypatch.setattr(diaries, "COUNT_AHEAD", 1)
    author = make_user()
    for i in range(diaries.PER_PAGE + 5):
        db.session.add(DiaryEntry(author_id=author.id, title=f"古い日記{i}", body="本文", visibility="public",
                                  created_at=utcnow() - timedelta(hours=i)))
    db.session.commit()
    _, response = statements.get(client, "/diaries")
    html = response.get_data(as_text=True)
    assert "2+ページ中 1ページ目" in html
    assert "古い日記0" in html and f"古い日記{diaries.PER_PAGE}" not in html
    _, older = statements.get(client, "/diaries?page=2")
    assert f"古い日記{diaries.PER_PAGE + 4}" in older.get_data(as_text=True)
