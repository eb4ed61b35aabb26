"""The reach pages: who may open them, what they show, small numbers hidden, the posting-time suggestion."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from community.circles.models import Topic
from community.extensions import db
from community.reach import services
from tests.reach.conftest import login, tokyo

NOW = tokyo(2026, 11, 22, 12, 0)  # Sunday


@pytest.fixture
def world(app, make_user, make_circle, make_account, clock):
    """Two departments, two circles (one secret) and one of everyone who might try to look."""
    clock.at(NOW)
    people = {
        "member": make_user(),
        "circle_member": make_user(),
        "circle_admin": make_user(),
        "circle_owner": make_user(),
        "other_circle_admin": make_user(),
        "supporter": make_user(role="supporter"),
        "dept_staff": make_user(role="staff"),
        "other_dept_staff": make_user(role="staff"),
        "admin": make_user(role="admin"),
    }
    circle = make_circle(people["circle_owner"], name="写真クラブ", admins=[people["circle_admin"]],
                         members=[people["circle_member"]])
    secret = make_circle(people["circle_owner"], name="秘密の部屋", visibility="secret")
    make_circle(people["other_circle_admin"], name="将棋の会")
    account = make_account("bousai", "防災課", members=[people["dept_staff"]])
    make_account("kosodate", "子育て支援課", members=[people["other_dept_staff"]])
    return {"people": people, "circle": circle, "secret": secret, "account": account}


MATRIX = [
    # viewer,               official reach, circle reach, secret circle reach
    ("anonymous", 302, 302, 302),
    ("member", 403, 403, 404),
    ("circle_member", 403, 403, 404),
    ("circle_admin", 403, 200, 404),
    ("circle_owner", 403, 200, 200),
    ("other_circle_admin", 403, 403, 404),
    ("supporter", 403, 403, 404),
    ("dept_staff", 200, 403, 403),  # staff learn that any circle exists (they answer reports) but not its reach
    ("other_dept_staff", 403, 403, 403),
    ("admin", 200, 403, 403),
]


@pytest.mark.parametrize(("viewer", "official", "circle", "secret"), MATRIX)
def test_who_may_open_reach_pages(app, world, viewer, official, circle, secret):
    browser = app.test_client() if viewer == "anonymous" else login(app, world["people"][viewer])
    paths = {
        "/official/bousai/reach": official,
        f"/circles/{world['circle'].id}/reach": circle,
        f"/circles/{world['secret'].id}/reach": secret,
    }
    got = {path: browser.get(path).status_code for path in paths}
    assert got == paths


def test_unknown_owners_are_404(app, world):
    browser = login(app, world["people"]["admin"])
    assert browser.get("/official/nosuch/reach").status_code == 404
    assert browser.get("/circles/99999/reach").status_code == 404


def test_staff_see_the_reach_of_official_circles(app, world, make_circle):
    official = make_circle(world["people"]["dept_staff"], name="市民協働課のひろば", is_official=True)
    assert login(app, world["people"]["other_dept_staff"]).get(f"/circles/{official.id}/reach").status_code == 200
    assert login(app, world["people"]["member"]).get(f"/circles/{official.id}/reach").status_code == 403


def test_index_lists_only_what_the_viewer_runs(app, world):
    page = login(app, world["people"]["dept_staff"]).get("/reach").get_data(as_text=True)
    assert "防災課" in page and "子育て支援課" not in page and "写真クラブ" not in page
    page = login(app, world["people"]["circle_owner"]).get("/reach").get_data(as_text=True)
    assert "写真クラブ" in page and "秘密の部屋" in page and "防災課" not in page
    page = login(app, world["people"]["member"]).get("/reach").get_data(as_text=True)
    assert "公式アカウントやサークルの運営をしていない" in page


def _views(circle, topic, band, at, n):
    for _ in range(n):
        services.add_view("circle_topic", topic.id, "circle", circle.id, band, at)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_report_shows_views_per_post_charts_and_tables(app, world, make_topic):
    circle, owner = world["circle"], world["people"]["circle_owner"]
    walk = make_topic(circle, owner, title="秋の撮影会")
    tips = make_topic(circle, owner, title="三脚の選び方")
    _views(circle, walk, "60s", NOW - timedelta(days=1, hours=3), 12)
    _views(circle, tips, "40s", NOW - timedelta(days=2), 6)
    _views(circle, tips, "40s", NOW - timedelta(days=45), 50)  # outside 30 days, inside 90
    html = login(app, owner).get(f"/circles/{circle.id}/reach").get_data(as_text=True)
    text = _text(html)
    assert "写真クラブ のリーチ分析" in text or "写真クラブのリーチ分析" in text
    assert re.search(r"秋の撮影会 12 .*三脚の選び方 6", text)  # most read first
    assert "合計 18 回" in text
    assert html.count("<svg") >= 4 and 'role="img"' in html  # hour, weekday, heat map, age band
    assert "<table" in html and "60代" in text
    html90 = login(app, owner).get(f"/circles/{circle.id}/reach?days=90").get_data(as_text=True)
    assert re.search(r"三脚の選び方 56", _text(html90))
    assert 'value="90" selected' in html90 or "selected" in html90


def test_names_and_titles_are_escaped(app, world, make_circle, make_topic):
    owner = world["people"]["circle_owner"]
    circle = make_circle(owner, name="<b>太字</b>クラブ")
    topic = make_topic(circle, owner, title="<script>alert(1)</script>")
    _views(circle, topic, "40s", NOW - timedelta(hours=1), 2)
    html = login(app, owner).get(f"/circles/{circle.id}/reach").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>太字</b>" not in html and "&lt;b&gt;太字&lt;/b&gt;クラブ" in html


def test_a_hidden_topic_is_counted_but_not_named(app, world, make_topic):
    circle, owner = world["circle"], world["people"]["circle_owner"]
    topic = make_topic(circle, world["people"]["circle_member"], title="消された話題")
    _views(circle, topic, "30s", NOW - timedelta(hours=2), 7)
    db.session.get(Topic, topic.id).moderation_state = "removed"
    db.session.commit()
    text = _text(login(app, owner).get(f"/circles/{circle.id}/reach").get_data(as_text=True))
    assert "消された話題" not in text and "表示されなくなった投稿 7" in text


def test_bands_under_five_are_hidden_with_a_second_band_so_they_cannot_be_derived(app, world, make_topic):
    circle, owner = world["circle"], world["people"]["circle_owner"]
    topic = make_topic(circle, owner)
    at = NOW - timedelta(days=1)
    _views(circle, topic, "40s", at, 20)
    _views(circle, topic, "20s", at, 7)
    _views(circle, topic, "teen", at, 3)
    text = _text(login(app, owner).get(f"/circles/{circle.id}/reach").get_data(as_text=True))
    table = text[text.index("年齢層 閲覧数"):]
    assert "40代 20" in table
    assert "高校生相当・10代 表示しません" in table  # 3 views: hidden
    assert "20代 表示しません" in table  # hidden too, or 30 - 20 would give the teens' 3
    assert "70代以上 0" in table


@pytest.mark.parametrize(
    ("counts", "shown"),
    [
        ({"40s": 20, "20s": 7, "teen": 3}, {"40s": 20, "20s": None, "teen": None}),
        ({"40s": 20, "20s": 2, "teen": 3}, {"40s": 20, "20s": None, "teen": None}),
        ({"40s": 20, "20s": 0, "teen": 5}, {"40s": 20, "20s": 0, "teen": 5}),
        ({"40s": 4}, {"40s": None}),
    ],
)
def test_suppression_rule(counts, shown):
    assert services.suppress(counts) == shown


def _fixed_week(circle, topic):
    """A week of readers: 40s read on Tuesday evenings, 70s on weekday mornings."""
    tuesday, wednesday = tokyo(2026, 11, 17, 19, 10), tokyo(2026, 11, 18, 20, 40)
    _views(circle, topic, "40s", tuesday, 12)
    _views(circle, topic, "40s", wednesday, 8)
    _views(circle, topic, "40s", tokyo(2026, 11, 21, 10, 0), 3)
    _views(circle, topic, "70plus", tokyo(2026, 11, 19, 7, 15), 15)
    _views(circle, topic, "70plus", tokyo(2026, 11, 20, 9, 5), 9)
    _views(circle, topic, "guest", tokyo(2026, 11, 20, 12, 30), 4)


def test_suggestion_names_the_busiest_weekday_hours_for_the_chosen_audience(app, world, make_topic):
    circle, owner = world["circle"], world["people"]["circle_owner"]
    _fixed_week(circle, make_topic(circle, owner))
    browser = login(app, owner)
    text = _text(browser.get(f"/circles/{circle.id}/reach?days=7&audience=40s").get_data(as_text=True))
    assert "この層（40代）がよく読む時間帯: 火曜 19時台, 水曜 20時台" in text
    # 40代 is hidden in the chart (the guests' 4 views could otherwise be derived): no count anywhere.
    assert "40代 表示しません" in text and " 23 " not in text
    text = _text(browser.get(f"/circles/{circle.id}/reach?days=7&audience=70plus").get_data(as_text=True))
    assert "この層（70代以上）がよく読む時間帯: 木曜 7時台, 金曜 9時台" in text
    text = _text(browser.get(f"/circles/{circle.id}/reach?days=7&audience=all").get_data(as_text=True))
    assert "この層（すべての読者）がよく読む時間帯: 木曜 7時台, 火曜 19時台" in text


def test_suggestion_says_when_there_is_too_little_data(app, world, make_topic):
    circle, owner = world["circle"], world["people"]["circle_owner"]
    _fixed_week(circle, make_topic(circle, owner))
    text = _text(login(app, owner).get(f"/circles/{circle.id}/reach?days=7&audience=guest").get_data(as_text=True))
    assert "データが少ないため" in text and "よく読む時間帯:" not in text


def test_suggestion_over_a_longer_period_weighs_each_weekday_by_how_often_it_occurred(app, world, make_topic):
    """30 days hold five Sundays but four Tuesdays: per-day averages make them comparable."""
    circle, owner = world["circle"], world["people"]["circle_owner"]
    topic = make_topic(circle, owner)
    assert services.period(30, NOW) == (date(2026, 10, 24), date(2026, 11, 22))
    sundays = [tokyo(2026, 11, 22, 10, 0) - timedelta(days=7 * i) for i in range(5)]
    tuesdays = [tokyo(2026, 11, 17, 21, 0) - timedelta(days=7 * i) for i in range(4)]
    for at in sundays:
        _views(circle, topic, "50s", at, 5)  # 25 in total, 5 a Sunday
    for at in tuesdays:
        _views(circle, topic, "50s", at, 6)  # 24 in total, 6 a Tuesday
    report = services.build_report("circle", circle.id, 30)
    assert [(s.weekday, s.hour, s.views, s.per_day) for s in services.suggest(report, "50s").slots] == [
        (1, 21, 24, 6.0), (6, 10, 25, 5.0)
    ]
    with app.test_request_context():
        assert [s.label for s in services.suggest(report, "50s").slots] == ["火曜 21時台", "日曜 10時台"]


def test_a_bad_period_is_a_400_with_a_message_and_the_default(app, world):
    owner, circle = world["people"]["circle_owner"], world["circle"]
    response = login(app, owner).get(f"/circles/{circle.id}/reach?days=365&audience=40s")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in html and "過去30日間" in html
    assert re.search(r'<option selected value="40s">|<option value="40s" selected>', html)


def test_official_reach_lists_posts_and_counts_views_from_the_post_page(app, world, make_user, make_official_post, clock):
    staff, account = world["people"]["dept_staff"], world["account"]
    post = make_official_post(account, staff, title="避難所の開設について")
    if "official.post" not in app.view_functions:
        pytest.skip("official post pages are not in this tree yet")
    clock.at(NOW - timedelta(hours=1))
    for birth in ("1950-01-01", "1960-01-01", "1990-01-01"):
        login(app, make_user(birth_date=date.fromisoformat(birth))).get(f"/official/posts/{post.id}")
    login(app, staff).get(f"/official/posts/{post.id}")  # the department's own view does not count
    clock.at(NOW)
    text = _text(login(app, staff).get("/official/bousai/reach").get_data(as_text=True))
    assert "避難所の開設について 3" in text


def test_owner_pages_link_to_their_report_only_for_those_who_may_open_it(app, world):
    circle_page = f"/circles/{world['circle'].id}"
    assert f"{circle_page}/reach" in login(app, world["people"]["circle_admin"]).get(circle_page).get_data(as_text=True)
    assert f"{circle_page}/reach" not in login(app, world["people"]["circle_member"]).get(circle_page).get_data(as_text=True)
    assert "/official/bousai/reach" in login(app, world["people"]["dept_staff"]).get("/official/bousai").get_data(as_text=True)
    assert "/official/bousai/reach" not in login(app, world["people"]["member"]).get("/official/bousai").get_data(as_text=True)
