"""Circles end to end over HTTP: creating, joining, inviting, posting, events and admin tools."""

from __future__ import annotations

import csv
import io
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from community.circles import services
from community.circles.models import (
    Circle,
    CircleMembership,
    Event,
    EventSignup,
    Invitation,
    JoinRequest,
    Post,
    Topic,
)
from community.core.database import utcnow
from community.extensions import db
from community.media.models import Photo
from community.notifications.models import Notification
from tests.circles.conftest import CHILD, jpeg, login


def _circle_form(**over):
    data = {
        "name": "緑ヶ丘 写真クラブ", "description": "写真を撮りに行きます", "category": "hobby", "district_id": "0",
        "visibility": "public", "join_mode": "open", "topic_policy": "members", "comment_policy": "members",
    }
    data.update(over)
    return data


# -- creating ---------------------------------------------------------------------------------------


def test_verified_adult_creates_a_circle_and_owns_it(client, auth, make_user):
    user = make_user()
    auth.login(user)
    response = client.post("/circles/new", data=_circle_form())
    assert response.status_code == 302
    circle = db.session.scalar(select(Circle))
    assert circle.name == "緑ヶ丘 写真クラブ"
    row = db.session.scalar(select(CircleMembership))
    assert (row.user_id, row.role) == (user.id, "owner")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "緑ヶ丘 写真クラブ" in page and "サークルを作成しました" in page


def test_minor_cannot_create_a_circle_and_is_told_why(client, auth, make_user):
    auth.login(make_user(birth_date=CHILD))
    response = client.get("/circles/new")
    assert response.status_code == 403
    assert "中学生以下" in response.get_data(as_text=True)


def test_duplicate_name_warns_and_is_allowed_in_another_district(client, auth, make_user, make_district, make_circle):
    north, south = make_district("北"), make_district("南")
    make_circle(name="写真クラブ", district_id=north.id)
    auth.login(make_user())
    same = client.post("/circles/new", data=_circle_form(name="写真クラブ", district_id=str(north.id)))
    assert same.status_code == 400
    assert "同じ地区に同じ名前" in same.get_data(as_text=True)
    warned = client.post("/circles/new", data=_circle_form(name="写真クラブ", district_id=str(south.id)))
    assert warned.status_code == 400
    assert "別の地区に同じ名前" in warned.get_data(as_text=True)
    assert 'value="写真クラブ"' in warned.get_data(as_text=True)  # the form keeps what was typed
    confirmed = client.post("/circles/new", data=_circle_form(name="写真クラブ", district_id=str(south.id),
                                                              confirm_duplicate="y"))
    assert confirmed.status_code == 302
    assert db.session.scalar(select(func.count(Circle.id)).where(Circle.name == "写真クラブ")) == 2


def test_staff_create_an_official_secret_circle_run_by_named_teachers(client, auth, make_user):
    staff = make_user(role="staff")
    kenta, sachiko = make_user("kenta"), make_user("sachiko")
    auth.login(staff)
    response = client.post("/circles/new", data=_circle_form(
        name="ひまわり保育所 保護者の部屋", visibility="secret", join_mode="open", topic_policy="admins",
        official="y", admins="kenta, sachiko"))
    assert response.status_code == 302
    circle = db.session.scalar(select(Circle))
    assert circle.is_official and circle.visibility == "secret" and circle.join_mode == "invitation"
    roles = dict(db.session.execute(select(CircleMembership.user_id, CircleMembership.role)).all())
    assert roles == {kenta.id: "owner", sachiko.id: "admin"}  # staff are not members who read everything
    assert client.get(f"/circles/{circle.id}/members").status_code == 200  # but may run it


def test_staff_naming_an_unknown_admin_gets_a_message(client, auth, make_user):
    auth.login(make_user(role="staff"))
    response = client.post("/circles/new", data=_circle_form(official="y", admins="nobody-here"))
    assert response.status_code == 400
    assert "nobody-here" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Circle.id))) == 0


# -- joining ----------------------------------------------------------------------------------------


def test_joining_twice_is_refused_clearly(client, auth, make_user, make_circle):
    circle = make_circle(join_mode="open")
    user = make_user()
    auth.login(user)
    assert client.post(f"/circles/{circle.id}/join").status_code == 302
    again = client.post(f"/circles/{circle.id}/join", follow_redirects=True)
    assert "すでにこのサークルのメンバーです" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(CircleMembership.id)).where(CircleMembership.user_id == user.id)) == 1


def test_request_approve_and_notify(client, auth, make_user, make_circle):
    owner = make_user()
    circle = make_circle(owner, visibility="private", join_mode="approval")
    applicant = make_user()
    auth.login(applicant)
    assert client.post(f"/circles/{circle.id}/request", data={"message": "よろしくお願いします"}).status_code == 302
    again = client.post(f"/circles/{circle.id}/request", data={"message": "もう一度"}, follow_redirects=True)
    assert "すでに参加申請" in again.get_data(as_text=True)
    req = db.session.scalar(select(JoinRequest))
    assert db.session.scalar(select(Notification).where(Notification.recipient_id == owner.id)).kind == \
        "circle_join_requested"
    owner_client = login(client.application, owner)
    page = owner_client.get(f"/circles/{circle.id}/members").get_data(as_text=True)
    assert "よろしくお願いします" in page
    assert owner_client.post(f"/circles/requests/{req.id}/approve").status_code == 302
    db.session.expire_all()
    assert db.session.get(JoinRequest, req.id).status == "approved"
    kinds = db.session.scalars(select(Notification.kind).where(Notification.recipient_id == applicant.id)).all()
    assert "circle_join_approved" in kinds


# A message to the admins is text others read: it follows the rule for posting
# (policy.can_publish_text), while asking to join stays open to pupils (they read circles).
@pytest.mark.parametrize(("who", "status"), [("pupil", 403), ("adult", 302), ("staff", 302)])
def test_only_members_who_may_post_write_a_join_request_message(client, auth, make_user, make_circle, who, status):
    circle = make_circle(visibility="private", join_mode="approval")
    user = make_user(**{"pupil": {"birth_date": CHILD}, "adult": {}, "staff": {"role": "staff"}}[who])
    auth.login(user)
    response = client.post(f"/circles/{circle.id}/request", data={"message": "LINEで連絡ください"})
    assert response.status_code == status
    sent = db.session.scalar(select(JoinRequest).where(JoinRequest.user_id == user.id))
    assert (sent is not None) is (status == 302)
    if status == 403:
        body = response.get_data(as_text=True)
        assert "中学生以下の方は、読むことはできますが投稿はできません" in body
        assert "LINEで連絡ください" in body


def test_a_pupil_asks_to_join_without_a_message(client, auth, make_user, make_circle):
    circle = make_circle(visibility="private", join_mode="approval")
    pupil = make_user(birth_date=CHILD)
    auth.login(pupil)
    page = client.get(f"/circles/{circle.id}/request").get_data(as_text=True)
    assert "中学生以下の方は" in page and "disabled" in page[page.index("<textarea"):page.index("</textarea>")]
    assert client.post(f"/circles/{circle.id}/request", data={}).status_code == 302
    assert db.session.scalar(select(JoinRequest).where(JoinRequest.user_id == pupil.id)).message == ""


def test_admins_do_not_read_a_message_a_pupil_sent_before_the_rule(client, make_user, make_circle):
    owner, pupil = make_user(), make_user(birth_date=CHILD)
    circle = make_circle(owner, visibility="private", join_mode="approval")
    db.session.add(JoinRequest(circle_id=circle.id, user_id=pupil.id, message="むかしのメッセージ"))
    db.session.commit()
    page = login(client.application, owner).get(f"/circles/{circle.id}/members").get_data(as_text=True)
    assert pupil.nickname in page and "むかしのメッセージ" not in page


# A pupil may be appointed admin (approve requests, moderate) but a circle's name and description
# are text everyone who sees the circle reads.
@pytest.mark.parametrize(("who", "status"), [("pupil", 403), ("adult", 302)])
def test_only_admins_who_may_post_change_the_circles_words(client, auth, make_user, make_circle, who, status):
    admin = make_user(birth_date=CHILD) if who == "pupil" else make_user()
    circle = make_circle(name="書道の会", description="毎週土曜に集まります。", admins=[admin])
    auth.login(admin)
    settings = {"name": "書道の会", "description": "毎週土曜に集まります。", "category": circle.category,
                "district_id": "0", "visibility": "public", "join_mode": "approval", "topic_policy": "members",
                "comment_policy": "members"}
    page = client.get(f"/circles/{circle.id}/settings").get_data(as_text=True)
    assert ("中学生以下の方は" in page) is (who == "pupil")
    # Other settings with the words unchanged (as the read-only fields send them back) are saved.
    assert client.post(f"/circles/{circle.id}/settings", data=settings).status_code == 302
    changed = client.post(f"/circles/{circle.id}/settings", data={**settings, "description": "連絡はこちら: abc"})
    assert changed.status_code == status
    db.session.expire_all()
    saved = db.session.get(Circle, circle.id)
    assert saved.join_mode == "approval"
    assert (saved.description == "連絡はこちら: abc") is (status == 302)
    if status == 403:
        assert "連絡はこちら: abc" in changed.get_data(as_text=True)


def test_approving_a_withdrawn_request_is_refused(client, auth, make_user, make_circle, ask_to_join):
    owner, applicant = make_user(), make_user()
    circle = make_circle(owner, visibility="private", join_mode="approval")
    req = ask_to_join(circle, applicant)
    auth.login(applicant)
    assert client.post(f"/circles/requests/{req.id}/withdraw").status_code == 302
    owner_client = login(client.application, owner)
    response = owner_client.post(f"/circles/requests/{req.id}/approve", follow_redirects=True)
    assert "申請を取り下げた" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(CircleMembership.id)).where(CircleMembership.user_id == applicant.id)) == 0


def test_invitation_code_expired_used_and_valid(client, auth, make_user, make_circle):
    owner = make_user()
    circle = make_circle(owner, visibility="secret", join_mode="invitation")
    db.session.add_all([
        Invitation(circle_id=circle.id, code="OLDCODE234", max_uses=5, expires_at=utcnow() - timedelta(days=1)),
        Invitation(circle_id=circle.id, code="USEDUP2345", max_uses=1, use_count=1, expires_at=utcnow() + timedelta(days=1)),
        Invitation(circle_id=circle.id, code="GOODCODE23", max_uses=2, expires_at=utcnow() + timedelta(days=1)),
    ])
    db.session.commit()
    parent = make_user()
    auth.login(parent)
    expired = client.post("/circles/code", data={"code": "OLDCODE234"})
    assert expired.status_code == 400 and "有効期限が切れています" in expired.get_data(as_text=True)
    used = client.post("/circles/code", data={"code": "usedup-2345"})
    assert used.status_code == 400 and "すでに使われています" in used.get_data(as_text=True)
    wrong = client.post("/circles/code", data={"code": "NOPE"})
    assert wrong.status_code == 400 and "招待コードが正しくありません" in wrong.get_data(as_text=True)
    assert client.get(f"/circles/{circle.id}").status_code == 404
    ok = client.post("/circles/code", data={"code": "ｇｏｏｄ ｃｏｄｅ ２３"})  # full-width, spaced: still the code
    assert ok.status_code == 302
    assert client.get(f"/circles/{circle.id}").status_code == 200
    again = client.post("/circles/code", data={"code": "GOODCODE23"})
    assert "すでにこのサークルのメンバーです" in again.get_data(as_text=True)
    assert db.session.scalar(select(Invitation.use_count).where(Invitation.code == "GOODCODE23")) == 1


def test_admin_makes_a_printable_code(client, auth, make_user, make_circle):
    owner = make_user()
    circle = make_circle(owner, visibility="secret", join_mode="invitation")
    auth.login(owner)
    response = client.post(f"/circles/{circle.id}/invite", data={"max_uses": "30", "days": "14"})
    assert response.status_code == 302
    sheet = client.get(response.headers["Location"]).get_data(as_text=True)
    code = db.session.scalar(select(Invitation.code))
    assert code in sheet and "招待コード" in sheet
    bad = client.post(f"/circles/{circle.id}/invite", data={"max_uses": "0", "days": "14"})
    assert bad.status_code == 400 and "1〜500" in bad.get_data(as_text=True)


def test_personal_invitation_by_member_search(client, auth, make_user, make_circle):
    owner = make_user()
    circle = make_circle(owner, visibility="secret", join_mode="invitation")
    parent = make_user("parent-a", nickname="はなこ")
    auth.login(owner)
    found = client.get(f"/circles/{circle.id}/invite?q=はなこ").get_data(as_text=True)
    assert "はなこさんを招待" in found
    assert client.post(f"/circles/{circle.id}/invite", data={"user_id": parent.id}).status_code == 302
    parent_client = login(client.application, parent)
    assert parent_client.get(f"/circles/{circle.id}").status_code == 200  # invitees may see the circle
    assert "サークルに招待されました" in parent_client.get(f"/circles/{circle.id}").get_data(as_text=True)
    assert parent_client.post(f"/circles/{circle.id}/invitation/accept").status_code == 302
    db.session.expire_all()
    assert services.member_rows(circle)[-1].user_id == parent.id


def test_leaving_and_removal_take_access_away_at_once(client, auth, make_user, make_circle, make_topic):
    owner, member, other = make_user(), make_user(), make_user()
    circle = make_circle(owner, visibility="private", members=[member, other])
    topic = make_topic(circle, owner, "内緒の話")
    auth.login(member)
    assert client.get(f"/circles/topics/{topic.id}").status_code == 200
    assert client.post(f"/circles/{circle.id}/leave").status_code == 302
    assert client.get(f"/circles/topics/{topic.id}").status_code == 404
    other_client = login(client.application, other)
    assert other_client.get(f"/circles/topics/{topic.id}").status_code == 200
    owner_client = login(client.application, owner)
    assert owner_client.post(f"/circles/{circle.id}/members/ban", data={"user_id": other.id}).status_code == 302
    assert other_client.get(f"/circles/topics/{topic.id}").status_code == 404
    assert other_client.post(f"/circles/{circle.id}/join").status_code == 302
    db.session.expire_all()
    assert db.session.get(Circle, circle.id).member_count == 1


def test_owner_hands_over_then_may_leave(client, auth, make_user, make_circle):
    owner, member = make_user(), make_user()
    circle = make_circle(owner, members=[member])
    auth.login(owner)
    refused = client.post(f"/circles/{circle.id}/leave", follow_redirects=True)
    assert "オーナーは退出できません" in refused.get_data(as_text=True)
    assert client.post(f"/circles/{circle.id}/members/transfer", data={"user_id": member.id}).status_code == 302
    assert client.post(f"/circles/{circle.id}/leave").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(CircleMembership.role).where(CircleMembership.user_id == member.id)) == "owner"


def test_member_csv_has_names_only(client, auth, make_user, make_circle):
    owner = make_user(nickname="=HYPERLINK()", email="owner@example.jp")
    member = make_user(nickname="よしこ", email="yoshiko@example.jp")
    circle = make_circle(owner, members=[member])
    auth.login(owner)
    response = client.get(f"/circles/{circle.id}/members.csv")
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    assert "よしこ" in text and "'=HYPERLINK()" in text
    assert "@example.jp" not in text and member.login_id not in text
    member_client = login(client.application, member)
    assert member_client.get(f"/circles/{circle.id}/members.csv").status_code == 403


def test_member_csv_guards_nicknames_a_spreadsheet_would_run(client, auth, make_user, make_circle):
    owner = make_user(nickname='=HYPERLINK("http://x","y")')
    member = make_user(nickname="＠SUM(A1)")  # Excel in Japanese locales runs the full-width form too
    circle = make_circle(owner, members=[member])
    auth.login(owner)
    data = client.get(f"/circles/{circle.id}/members.csv").data
    assert data.startswith(b"\xef\xbb\xbf")
    names = [row[0] for row in csv.reader(io.StringIO(data.decode("utf-8-sig")))][1:]
    assert sorted(names) == sorted(["'=HYPERLINK(\"http://x\",\"y\")", "'＠SUM(A1)"])


# -- posting ----------------------------------------------------------------------------------------


def test_topic_with_photos_reply_and_notification(client, auth, make_user, make_circle):
    owner, member = make_user(), make_user()
    circle = make_circle(owner, members=[member], visibility="private")
    auth.login(owner)
    response = client.post(f"/circles/{circle.id}/topics/new", data={
        "title": "今日はお散歩で公園へ行きました", "body": "どんぐりを拾いました",
        "photos": [(jpeg(), "a.jpg"), (jpeg((0, 0, 200)), "b.jpg"), (jpeg((0, 200, 0)), "c.jpg")],
    }, content_type="multipart/form-data")
    assert response.status_code == 302
    topic = db.session.scalar(select(Topic))
    assert db.session.scalar(select(func.count(Photo.id)).where(Photo.owner_type == "circle_post")) == 3
    member_client = login(client.application, member)
    page = member_client.get(f"/circles/topics/{topic.id}").get_data(as_text=True)
    assert "どんぐりを拾いました" in page and page.count("/photos/") >= 3
    assert member_client.post(f"/circles/topics/{topic.id}/reply", data={"body": "ありがとうございます"}).status_code == 302
    assert db.session.scalar(select(Notification.kind).where(Notification.recipient_id == owner.id)) == "circle_reply"


def test_more_than_four_photos_are_refused_and_text_kept(client, auth, make_user, make_circle):
    owner = make_user()
    circle = make_circle(owner)
    auth.login(owner)
    response = client.post(f"/circles/{circle.id}/topics/new", data={
        "title": "写真たくさん", "body": "五枚あります", "photos": [(jpeg(), f"{i}.jpg") for i in range(5)],
    }, content_type="multipart/form-data")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "4枚まで" in text and "五枚あります" in text
    assert db.session.scalar(select(func.count(Topic.id))) == 0


def test_posting_to_a_closed_circle_is_refused(client, auth, make_user, make_circle, make_topic):
    owner = make_user()
    circle = make_circle(owner, status="closed")
    topic = make_topic(circle, owner)
    auth.login(owner)
    assert client.get(f"/circles/topics/{topic.id}").status_code == 200  # still readable
    response = client.post(f"/circles/topics/{topic.id}/reply", data={"body": "書けますか"})
    assert response.status_code == 400
    assert "閉鎖" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Post.id))) == 1


def test_minor_member_reads_but_is_told_why_they_cannot_post(client, auth, make_user, make_circle, make_topic):
    owner, child = make_user(), make_user(birth_date=CHILD)
    circle = make_circle(owner, members=[child])
    topic = make_topic(circle, owner)
    auth.login(child)
    page = client.get(f"/circles/topics/{topic.id}").get_data(as_text=True)
    assert "中学生以下" in page
    assert client.post(f"/circles/topics/{topic.id}/reply", data={"body": "こんにちは"}).status_code == 400


def test_admins_only_topics(client, auth, make_user, make_circle):
    owner, member = make_user(), make_user()
    circle = make_circle(owner, members=[member], topic_policy="admins")
    auth.login(member)
    response = client.get(f"/circles/{circle.id}/topics/new")
    assert response.status_code == 403
    assert "管理者だけ" in response.get_data(as_text=True)


# -- events -----------------------------------------------------------------------------------------


def test_event_bad_input(client, auth, make_user, make_circle):
    owner = make_user()
    circle = make_circle(owner)
    auth.login(owner)
    backwards = client.post(f"/circles/{circle.id}/events/new", data={
        "title": "講座", "starts_at": "2030-05-01T14:00", "ends_at": "2030-05-01T13:00", "capacity": "10"})
    assert backwards.status_code == 400
    assert "終了は開始より後" in backwards.get_data(as_text=True)
    zero = client.post(f"/circles/{circle.id}/events/new", data={
        "title": "講座", "starts_at": "2030-05-01T14:00", "ends_at": "2030-05-01T15:00", "capacity": "0"})
    assert zero.status_code == 400
    assert "定員は1人以上" in zero.get_data(as_text=True)
    assert 'value="講座"' in zero.get_data(as_text=True)
    good = client.post(f"/circles/{circle.id}/events/new", data={
        "title": "講座", "starts_at": "2030-05-01T14:00", "ends_at": "2030-05-01T15:00", "capacity": "1"})
    assert good.status_code == 302
    event = db.session.scalar(select(Event))
    assert event.starts_at.hour == 5  # 14:00 in Tokyo is 05:00 UTC


def test_waiting_list_and_promotion_on_cancel(client, auth, make_user, make_circle, make_event):
    owner, a, b = make_user(), make_user(), make_user()
    circle = make_circle(owner, members=[a, b])
    event = make_event(circle, owner, capacity=1)
    ca, cb = login(client.application, a), login(client.application, b)
    assert ca.post(f"/circles/events/{event.id}/signup").status_code == 302
    full = cb.post(f"/circles/events/{event.id}/signup", follow_redirects=True).get_data(as_text=True)
    assert "キャンセル待ち" in full
    assert "1番目" in cb.get(f"/circles/events/{event.id}").get_data(as_text=True)
    assert ca.post(f"/circles/events/{event.id}/cancel").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(EventSignup.status).where(EventSignup.user_id == b.id)) == "confirmed"
    assert db.session.get(Event, event.id).confirmed_count == 1
    assert db.session.scalar(select(Notification.kind).where(Notification.recipient_id == b.id)) == \
        "circle_event_promoted"
    admin_page = login(client.application, owner).get(f"/circles/events/{event.id}/participants")
    assert admin_page.status_code == 200 and b.nickname in admin_page.get_data(as_text=True)
    assert cb.get(f"/circles/events/{event.id}/participants").status_code == 403


def test_no_overbooking_when_many_sign_up_at_once(app, make_user, make_circle, make_event):
    """Eight members press 申し込む at the same moment for the last two seats."""
    owner = make_user()
    people = [make_user() for _ in range(8)]
    circle = make_circle(owner, members=people)
    event = make_event(circle, owner, capacity=2)
    clients = [login(app, p) for p in people]
    url = f"/circles/events/{event.id}/signup"
    barrier = threading.Barrier(len(clients))
    results = []

    def press(c):
        barrier.wait()
        results.append(c.post(url).status_code)

    threads = [threading.Thread(target=press, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert results == [302] * 8
    db.session.expire_all()
    statuses = db.session.scalars(select(EventSignup.status).where(EventSignup.event_id == event.id)).all()
    assert sorted(statuses) == ["confirmed"] * 2 + ["waiting"] * 6
    assert db.session.get(Event, event.id).confirmed_count == 2


def test_same_member_in_two_tabs_gets_one_seat(app, make_user, make_circle, make_event):
    owner, member = make_user(), make_user()
    circle = make_circle(owner, members=[member])
    event = make_event(circle, owner, capacity=5)
    tabs = [login(app, member), login(app, member)]
    url = f"/circles/events/{event.id}/signup"
    barrier = threading.Barrier(2)
    results = []

    def press(c):
        barrier.wait()
        results.append(c.post(url).status_code)

    threads = [threading.Thread(target=press, args=(c,)) for c in tabs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(EventSignup.id))) == 1
    assert db.session.get(Event, event.id).confirmed_count == 1


def test_remind_command_notifies_participants_once(app, runner, make_user, make_circle, make_event):
    owner, member = make_user(), make_user()
    circle = make_circle(owner, members=[member])
    soon = make_event(circle, owner, starts_in=timedelta(hours=5))
    make_event(circle, owner, starts_in=timedelta(days=5))
    db.session.add(EventSignup(event_id=soon.id, user_id=member.id, status="confirmed"))
    db.session.commit()
    assert "1" in runner.invoke(args=["circles", "remind"]).output
    assert "0" in runner.invoke(args=["circles", "remind"]).output
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.kind == "circle_event_reminder")) == 1


# -- listings ---------------------------------------------------------------------------------------


def test_listing_shows_liveliness_sorts_by_it_and_hides_secret(client, auth, make_user, make_circle, make_topic,
                                                                make_post):
    owner = make_user()
    quiet = make_circle(owner, name="静かな会", last_activity_at=utcnow() - timedelta(days=90))
    make_topic(quiet, owner, created_at=utcnow() - timedelta(days=90))
    lively = make_circle(owner, name="にぎやかな会", members=[make_user(), make_user()])
    topic = make_topic(lively, owner)
    for _ in range(3):
        make_post(topic, owner)
    make_circle(owner, name="秘密の部屋", visibility="secret")
    make_circle(owner, name="非公開の会", visibility="private")
    page = client.get("/circles/").get_data(as_text=True)
    assert page.index("にぎやかな会") < page.index("静かな会")
    assert "秘密の部屋" not in page and "非公開の会" in page
    assert "過去30日の書き込み" in page
    auth.login(owner)
    assert "秘密の部屋" in client.get("/circles/").get_data(as_text=True)  # members see their own
    assert "秘密の部屋" in client.get("/circles/mine").get_data(as_text=True)


def test_listing_is_one_query(app, client, make_user, make_circle, make_topic):
    owner = make_user()
    for i in range(6):
        circle = make_circle(owner, name=f"会{i}")
        make_topic(circle, owner)
    from sqlalchemy import event as sa_event

    statements = []

    def count(conn, cursor, statement, *args):
        if "circle" in statement:
            statements.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        client.get("/circles/")
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)
    listing = [s for s in statements if "FROM circle" in s and "posts_recent" in s]
    assert len(listing) == 1
    assert len(statements) <= 3  # the listing, its cover photos, nothing per circle


def test_my_circles_counts_unread_posts(client, auth, make_user, make_circle, make_topic, make_post):
    owner, member = make_user(), make_user()
    circle = make_circle(owner, name="読書会", members=[member])
    auth.login(member)
    client.get(f"/circles/{circle.id}")  # read up to now
    topic = make_topic(circle, owner)
    make_post(topic, owner)
    assert "2件の新着" in client.get("/circles/mine").get_data(as_text=True)
    client.get(f"/circles/{circle.id}")
    assert "新着" not in client.get("/circles/mine").get_data(as_text=True)


def test_follow_opt_in_gets_new_topic_notifications(client, auth, make_user, make_circle):
    owner, follower, quiet = make_user(), make_user(), make_user()
    circle = make_circle(owner, members=[follower, quiet])
    follower_client = login(client.application, follower)
    assert follower_client.post(f"/circles/{circle.id}/follow", data={"follow": "1"}).status_code == 302
    auth.login(owner)
    client.post(f"/circles/{circle.id}/topics/new", data={"title": "お知らせ", "body": "来週は休みです"})
    recipients = db.session.scalars(select(Notification.recipient_id).where(Notification.kind == "circle_new_topic")).all()
    assert recipients == [follower.id]
    assert "お知らせ" in follower_client.get("/notifications").get_data(as_text=True)


def test_demo_loads_circles_with_the_nursery_room(app):
    from community.core.cli import load_demo

    assert load_demo()
    nursery = db.session.scalar(select(Circle).where(Circle.name == "ひまわり保育所 保護者の部屋"))
    assert nursery.visibility == "secret" and nursery.topic_policy == "admins" and nursery.is_official
    from community.circles.queries import circle_listing

    rows = circle_listing(None)
    names = [r.circle.name for r in rows]
    assert "ひまわり保育所 保護者の部屋" not in names
    assert names[0] == "緑ヶ丘 子育てひろば"
    lively = rows[0]
    assert lively.posts_recent == 9 and lively.member_count == 4
    assert rows[-1].posts_recent == 0
