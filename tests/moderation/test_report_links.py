"""「通報する」 sits next to profiles, circles and topics for members who may report them."""

from community.circles import services as circle_services
from community.extensions import db


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
