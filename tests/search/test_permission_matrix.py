"""The search permission matrix: viewer kinds × content visibility, on both backends.

Every row is reloaded through the policy's SQL filter, so this table is the policy's own rules
seen through search (community/policy/official.py, diaries.py, circles.py).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from community.circles.models import Circle, CircleMembership, Event, Post, Topic
from community.core.database import utcnow
from community.diaries.models import DiaryEntry
from community.extensions import db
from community.official.models import OfficialAccount, OfficialPost
from community.social.models import Block, Friendship
from tests.search.fixtures import app_config, titles  # noqa: F401 - runs every test on both backends

ALL = {"anonymous", "applied", "member", "friend", "circle_member", "blocked", "author", "staff"}

# title -> the viewers who find it when searching 点検
EXPECTED = {
    "点検 お知らせ": ALL,
    "点検 取り下げたお知らせ": set(),
    "点検 予約投稿のお知らせ": set(),
    "点検 市のページ": ALL,
    "点検 削除された市のページ": set(),
    "点検 公式アカウントの投稿": ALL,
    "点検 取り下げた公式アカウントの投稿": set(),  # withdrawn (取り下げ): its page shows a notice, search never
    "点検 全体公開の日記": ALL,  # public: the policy shows it even to those the author blocked
    "点検 会員に公開の日記": {"member", "friend", "circle_member", "author", "staff"},
    "点検 友達までの日記": {"friend", "author"},
    "点検 自分のみの日記": {"author"},
    "点検 非表示にされた日記": {"author"},  # authors still see their own hidden entry
    "点検 公開サークル": ALL,
    "点検 非公開サークル": ALL,  # listed for everyone; its content is for members
    "点検 秘密サークル": {"circle_member"},
    "点検 公開サークルの書き込み": ALL,
    "点検 非公開サークルの書き込み": {"circle_member"},
    "点検 秘密サークルの書き込み": {"circle_member"},
    "点検 非表示の書き込み": set(),
    "点検 非公開サークルのイベント": {"circle_member"},
}


@pytest.fixture
def world(app, make_user, make_announcement, make_city_page):
    now = utcnow()
    people = {
        "applied": make_user(status="applied"),
        "member": make_user(),
        "friend": make_user(),
        "circle_member": make_user(),
        "blocked": make_user(),
        "author": make_user(),
        "staff": make_user(role="staff"),
    }
    author = people["author"]
    make_announcement("点検 お知らせ", "")
    make_announcement("点検 取り下げたお知らせ", "", withdrawn_at=now)
    make_announcement("点検 予約投稿のお知らせ", "", published_at=now + timedelta(days=1))
    make_city_page("点検 市のページ", "")
    make_city_page("点検 削除された市のページ", "", removed_at=now)
    account = OfficialAccount(name="点検課", slug="tenken")
    db.session.add(account)
    db.session.flush()
    db.session.add_all([
        OfficialPost(account_id=account.id, title="点検 公式アカウントの投稿", body="本文"),
        OfficialPost(account_id=account.id, title="点検 取り下げた公式アカウントの投稿", body="本文", withdrawn_at=now,
                     withdrawn_reason="誤り"),
    ])
    db.session.add_all([
        Friendship(requester_id=author.id, addressee_id=people["friend"].id, status="accepted", accepted_at=now),
        Block(blocker_id=author.id, blocked_id=people["blocked"].id),
    ])
    for title, visibility, state in [
        ("点検 全体公開の日記", "public", "visible"),
        ("点検 会員に公開の日記", "members", "visible"),
        ("点検 友達までの日記", "friends", "visible"),
        ("点検 自分のみの日記", "private", "visible"),
        ("点検 非表示にされた日記", "members", "hidden"),
    ]:
        db.session.add(DiaryEntry(author_id=author.id, title=title, body="本文", visibility=visibility,
                                  moderation_state=state))
    circles = {}
    for label, visibility in [("公開", "public"), ("非公開", "private"), ("秘密", "secret")]:
        circle = Circle(name=f"点検 {label}サークル", description="活動", visibility=visibility)
        db.session.add(circle)
        db.session.flush()
        circles[visibility] = circle
        if visibility != "public":
            db.session.add(CircleMembership(circle_id=circle.id, user_id=people["circle_member"].id))
        topic = Topic(circle_id=circle.id, title=f"点検 {label}サークルの書き込み", author_id=author.id)
        db.session.add(topic)
        db.session.flush()
        db.session.add(Post(topic_id=topic.id, circle_id=circle.id, author_id=author.id, body="こんにちは"))
    hidden_topic = Topic(circle_id=circles["public"].id, title="点検 非表示の書き込み", author_id=author.id)
    db.session.add(hidden_topic)
    db.session.flush()
    db.session.add(Post(topic_id=hidden_topic.id, circle_id=circles["public"].id, body="消された", moderation_state="hidden"))
    db.session.add(Event(circle_id=circles["private"].id, title="点検 非公開サークルのイベント", starts_at=now + timedelta(days=3),
                         ends_at=now + timedelta(days=3, hours=2)))
    db.session.commit()
    return people


@pytest.mark.parametrize("viewer", sorted(ALL))
def test_search_shows_exactly_what_the_viewer_may_open(client, auth, world, viewer):
    if viewer != "anonymous":
        auth.login(world[viewer])
    found = set(titles(client, "点検"))
    expected = {title for title, viewers in EXPECTED.items() if viewer in viewers}
    assert found == expected


def test_changes_take_effect_in_the_very_next_search(client, auth, world):
    """Leaving a circle, a new block and hiding a post: no re-index needed."""
    member = world["circle_member"]
    auth.login(member)
    assert "点検 秘密サークルの書き込み" in titles(client, "点検")
    db.session.query(CircleMembership).filter_by(user_id=member.id).delete()
    db.session.commit()
    assert "点検 秘密サークルの書き込み" not in titles(client, "点検")
    assert "点検 会員に公開の日記" in titles(client, "点検")
    db.session.add(Block(blocker_id=world["author"].id, blocked_id=member.id))
    db.session.commit()
    assert "点検 会員に公開の日記" not in titles(client, "点検")
    post = db.session.query(Post).join(Topic).filter(Topic.title == "点検 公開サークルの書き込み").one()
    post.moderation_state = "hidden"
    db.session.commit()
    assert "点検 公開サークルの書き込み" not in titles(client, "点検")


def test_circles_show_their_liveliness_and_category_filter(client, world):
    html = client.get("/search/?q=点検 公開サークル").get_data(as_text=True)
    assert "最近30日の書き込み" in html
    assert titles(client, "点検", category="childcare") == []


def test_a_category_administrators_add_filters_and_labels_circles(client, search_index, make_user):
    from community.admin import services as admin

    admin.save_category(make_user(role="admin"), None, key="cooking", label="料理", label_en="", sort_order=0,
                        active=True)
    db.session.add(Circle(name="点検 料理の会", category="cooking", created_by_id=make_user().id))
    db.session.commit()
    assert titles(client, "点検", category="cooking") == ["点検 料理の会"]
    assert "料理" in client.get("/search/", query_string={"q": "点検 料理の会"}).get_data(as_text=True)
