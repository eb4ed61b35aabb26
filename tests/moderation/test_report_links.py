"""「通報する」 sits next to profiles, circles and topics for members who may report them."""

from sqlalchemy import select

from community.circles import services as circle_services
from community.circles.models import Post
from community.extensions import db
from community.policy import Capability


def test_profile_has_a_report_link_for_others_only(client, auth, make_user):
    member = make_user("hiroshi", nickname="ひろし")
    viewer = make_user("akiko")
    auth.login(viewer)
    assert f"/report/profile/{member.id}" in client.get(f"/members/{member.id}").get_data(as_text=True)
    # Nobody reports themselves: the link is not on one's own profile.
    assert "/report/profile/" not in client.get(f"/members/{viewer.id}").get_data(as_text=True)


def test_circle_page_and_topic_have_report_links(client, auth, make_user):
    owner = make_user("owner1")
    reader = make_user("reader1")
    circle = circle_services.create_circle(
        owner, name="写真の会", description="写真を撮って見せ合う会です。", category="hobby",
        district_id=None, visibility="public", join_mode="open", topic_policy="members", comment_policy="members",
    )
    topic = circle_services.create_topic(owner, circle, title="秋の紅葉", body="公園の紅葉を撮りました。")
    db.session.commit()
    auth.login(reader)
    assert f"/report/circle/{circle.id}" in client.get(f"/circles/{circle.id}").get_data(as_text=True)
    html = client.get(f"/circles/topics/{topic.id}").get_data(as_text=True)
    assert f"/report/circle_topic/{topic.id}" in html


def _topic_with_replies(owner, repliers):
    topic_owner_circle = circle_services.create_circle(
        owner, name="散歩の会", description="朝の散歩を楽しむ会です。", category="hobby",
        district_id=None, visibility="public", join_mode="open", topic_policy="members", comment_policy="members",
    )
    topic = circle_services.create_topic(owner, topic_owner_circle, title="朝の公園", body="六時に集合です。")
    for replier in repliers:
        db.session.add(Post(topic_id=topic.id, circle_id=topic_owner_circle.id, author_id=replier.id,
                            body=f"{replier.nickname}も行きます"))
    db.session.commit()
    return topic


def test_topic_report_links_ask_the_policy_once_per_page(app, client, auth, make_user, monkeypatch):
    """A topic with many replies shows 「通報する」 on every reply by someone else, but decides
    whether the viewer may report once for the whole page, not once per reply (issue 9)."""
    owner, reader = make_user("owner2"), make_user("reader2")
    others = [make_user(f"walker{n}") for n in range(5)]
    topic = _topic_with_replies(owner, [*others, reader])
    asked = []
    can = app.jinja_env.globals["can"]

    def counting_can(capability):
        asked.append(capability)
        return can(capability)

    monkeypatch.setitem(app.jinja_env.globals, "can", counting_can)
    auth.login(reader)
    html = client.get(f"/circles/topics/{topic.id}").get_data(as_text=True)
    posts = db.session.scalars(select(Post).where(Post.topic_id == topic.id)).all()
    mine = [p for p in posts if p.author_id == reader.id]
    assert len(mine) == 1 and len(posts) == 7
    for post in posts:
        assert (f"/report/circle_post/{post.id}" in html) is (post.author_id != reader.id)
    assert f"/report/circle_topic/{topic.id}" in html
    assert html.count("通報する") == 7  # the topic and six replies; not the reader's own reply
    assert asked.count(Capability.report) == 1


def test_no_report_links_for_visitors_or_members_who_may_not_report(client, auth, make_user):
    owner = make_user("owner3")
    topic = _topic_with_replies(owner, [make_user("walker9")])
    for who in (None, make_user("applicant", status="applied")):  # not verified yet: may not report
        if who:
            auth.login(who)
        html = client.get(f"/circles/topics/{topic.id}").get_data(as_text=True)
        assert "walker9も行きます" in html and "/report/" not in html
