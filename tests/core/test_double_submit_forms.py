"""Every form that creates something, sent twice with the same hidden id, creates it once.

For each form: open its page as the right person, take the hidden id from it, send the form twice.
One row; the second send is a 303 to where the first one led, and that page says it was already
sent. Two opened forms (two ids) are two posts where a second one is legitimate.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from community.accounts.models import District, Facility, Role, User
from community.announcements.models import Announcement
from community.circles.models import (
    Circle,
    CircleCategory,
    CircleMembership,
    Event,
    Invitation,
    JoinRequest,
    Post,
    Topic,
)
from community.diaries import services as diaries
from community.diaries.models import DiaryComment, DiaryEntry
from community.extensions import db
from community.official.models import OfficialAccount, OfficialAccountMember, OfficialPost
from community.questions import services as questions
from community.questions.models import Answer, Question
from kiosk import services as kiosk
from kiosk.device import COOKIE
from moderation.models import Appeal, ModerationAction, ModerationCase, Report
from tests.conftest import PASSWORD

ALREADY_SENT = "すでに送信されているため、もう一度は送信しませんでした"


@dataclass
class Form:
    page: str  # where the form is shown
    data: Callable[[int], dict]  # what the person types, for their n-th post
    count: Callable[[], int]  # rows of what the form creates
    post: str | None = None  # where it is sent, when not to the page itself
    marker: str = ""  # text inside the right <form>, when a page has several with an id
    id_field: str = "submission_id"
    message: str = ALREADY_SENT
    before_page: Callable[[int], None] = lambda n: None  # earlier steps (the kiosk's draft)
    new_browser: bool = False  # the second send comes without the first one's cookie (a lost response)


def rows(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def sign_in(client, user):
    client.post("/login", data={"login_id": user.login_id, "password": PASSWORD})
    return client


def hidden_id(html: str, name: str, marker: str) -> str:
    form = next(f for f in re.findall(r"<form\b.*?</form>", html, re.S) if marker in f and f'name="{name}"' in f)
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', form).group(0)
    return re.search(r'value="([^"]+)"', tag).group(1)


def make_circle(owner, **fields) -> Circle:
    circle = Circle(name=f"二度押しの会{owner.id}", created_by_id=owner.id, member_count=1, **fields)
    db.session.add(circle)
    db.session.flush()
    db.session.add(CircleMembership(circle_id=circle.id, user_id=owner.id, role="owner", state="active"))
    db.session.commit()
    return circle


def department(*staff) -> OfficialAccount:
    account = OfficialAccount(name="防災課", slug="bousai")
    account.members = [OfficialAccountMember(user_id=u.id) for u in staff]
    db.session.add(account)
    db.session.commit()
    return account


def diary_entry(author) -> DiaryEntry:
    entry = diaries.create_entry(author, title="朝の散歩", body="川沿いを歩きました。", visibility="members")
    db.session.commit()
    return entry


# --- one setup per form: (app, client, make_user, make_district) -> Form -----------------------------


def circle_new(app, client, make_user, make_district):
    sign_in(client, make_user())
    return Form("/circles/new", lambda n: {
        "name": f"朝のラジオ体操{n}", "description": "", "category": "other", "district_id": "0",
        "visibility": "public", "join_mode": "open", "topic_policy": "members", "comment_policy": "members",
    }, lambda: rows(Circle))


def topic_new(app, client, make_user, make_district):
    owner = make_user()
    circle = make_circle(owner)
    sign_in(client, owner)
    return Form(f"/circles/{circle.id}/topics/new", lambda n: {"title": f"次回の集まり{n}", "body": "日程の相談です。"},
                lambda: rows(Topic))


def topic_reply(app, client, make_user, make_district):
    owner = make_user()
    circle = make_circle(owner)
    topic = Topic(circle_id=circle.id, author_id=owner.id, title="集まり")
    db.session.add(topic)
    db.session.flush()
    db.session.add(Post(topic_id=topic.id, circle_id=circle.id, author_id=owner.id, body="最初の書き込み"))
    db.session.commit()
    sign_in(client, owner)
    return Form(f"/circles/topics/{topic.id}", lambda n: {"body": f"参加します{n}"},
                lambda: rows(Post) - 1, post=f"/circles/topics/{topic.id}/reply")


def event_new(app, client, make_user, make_district):
    owner = make_user()
    circle = make_circle(owner)
    sign_in(client, owner)
    return Form(f"/circles/{circle.id}/events/new", lambda n: {
        "title": f"秋の清掃{n}", "starts_at": "2030-10-05T09:00", "ends_at": "2030-10-05T11:00",
        "place": "中央公園", "capacity": "", "description": "",
    }, lambda: rows(Event))


def join_request(app, client, make_user, make_district):
    circle = make_circle(make_user(), join_mode="approval")
    sign_in(client, make_user())
    return Form(f"/circles/{circle.id}/request", lambda n: {"message": "参加したいです。"}, lambda: rows(JoinRequest))


def invite_member(app, client, make_user, make_district):
    owner = make_user()
    circle = make_circle(owner)
    invitee = make_user(nickname="みどり")
    sign_in(client, owner)
    return Form(f"/circles/{circle.id}/invite?q=みどり", lambda n: {"user_id": str(invitee.id)},
                lambda: rows(Invitation, Invitation.user_id.is_not(None)), post=f"/circles/{circle.id}/invite",
                marker=f'name="user_id" value="{invitee.id}"')


def invite_code(app, client, make_user, make_district):
    owner = make_user()
    circle = make_circle(owner)
    sign_in(client, owner)
    return Form(f"/circles/{circle.id}/invite", lambda n: {"max_uses": "30", "days": "14"},
                lambda: rows(Invitation, Invitation.code.is_not(None)), marker='name="max_uses"')


def diary_comment(app, client, make_user, make_district):
    entry = diary_entry(make_user())
    sign_in(client, make_user())
    return Form(f"/diaries/{entry.id}", lambda n: {"body": f"いいですね{n}"}, lambda: rows(DiaryComment),
                post=f"/diaries/{entry.id}/comments", marker="/comments")


def kiosk_diary(app, client, make_user, make_district, make_facility):
    staff = make_user(role=Role.staff)
    _device, token = kiosk.enrol_device(make_facility("中央図書館", kind="図書館"), "2階のパソコン", staff)
    db.session.commit()
    client.set_cookie(COOKIE, token)
    writer = make_user()
    client.post("/kiosk/login", data={"login_id": writer.login_id, "password": PASSWORD})

    def write(n):  # steps 1-3; the draft lives on the server, the last step's form carries the id
        client.post("/kiosk/diaries/write", data={"title": f"図書館で{n}", "body": "本を借りました。"})
        client.post("/kiosk/diaries/write/readers", data={"visibility": "members"})
        client.post("/kiosk/diaries/write/photo", data={}, content_type="multipart/form-data")

    return Form("/kiosk/diaries/write/check", lambda n: {}, lambda: rows(DiaryEntry), before_page=write)


def official_post(app, client, make_user, make_district):
    staff = make_user(role=Role.staff)
    account = department(staff)
    sign_in(client, staff)
    return Form("/official/posts/new", lambda n: {"account_id": str(account.id), "title": f"給水のお知らせ{n}",
                                                  "body": "中央公民館で給水しています。"},
                lambda: rows(OfficialPost), id_field="submission_key",
                message="この投稿はすでに公開されています。二重には投稿していません。")


def announcement(app, client, make_user, make_district):
    staff = make_user(role=Role.staff)
    account = department(staff)
    sign_in(client, staff)
    return Form("/announcements/new", lambda n: {"account_id": str(account.id), "kind": "notice",
                                                 "title": f"ごみ収集日の変更{n}", "body": "年末年始の収集日です。",
                                                 "starts_at": "", "expires_at": ""},
                lambda: rows(Announcement), id_field="submission_key",
                message="このお知らせはすでに掲載されています。二重には掲載していません。")


def question_ask(app, client, make_user, make_district):
    account = department(make_user(role=Role.staff))
    sign_in(client, make_user())
    return Form("/questions/new", lambda n: {"account_id": str(account.id), "title": f"避難所の場所{n}",
                                             "body": "近くの避難所はどこですか。", "visibility": "public"},
                lambda: rows(Question))


def question_answer(app, client, make_user, make_district):
    staff = make_user(role=Role.staff)
    account = department(staff)
    question = questions.ask(make_user(), account, title="避難所の場所", body="どこですか。", visibility="public")
    db.session.commit()
    sign_in(client, staff)
    # The n-th answer is a correction of the one before it, which needs a note.
    return Form(f"/questions/{question.id}", lambda n: {"body": f"中央公民館です。{n}", "seen_answers": str(n - 1),
                                                        "note": "" if n == 1 else "場所を直しました"},
                lambda: rows(Answer), post=f"/questions/{question.id}/answer", marker="seen_answers")


def report(app, client, make_user, make_district):
    entry = diary_entry(make_user())
    sign_in(client, make_user())
    return Form(f"/report/diary_entry/{entry.id}", lambda n: {"reason": "spam", "note": "", "next": ""},
                lambda: rows(Report))


def appeal(app, client, make_user, make_district):
    author = make_user()
    entry = diary_entry(author)
    sign_in(app.test_client(), make_user()).post(f"/report/diary_entry/{entry.id}", data={"reason": "spam"})
    case = db.session.scalar(select(ModerationCase))
    sign_in(app.test_client(), make_user(role=Role.staff)).post(
        f"/moderation/cases/{case.id}/act",
        data={"version": case.version, "action": "hide", "rule": "commercial", "note": "宣伝です"})
    action = db.session.scalar(select(ModerationAction))
    sign_in(client, author)
    return Form(f"/moderation/actions/{action.id}/appeal", lambda n: {"body": "宣伝ではありません。"},
                lambda: rows(Appeal))


def apply(app, client, make_user, make_district):
    district = make_district("北地区")
    return Form("/apply", lambda n: {
        "login_id": f"midori-{n}", "nickname": "みどり", "password": "ひまわりが咲く夏の朝",
        "password_again": "ひまわりが咲く夏の朝", "birth_date": "1960-04-01", "district_id": str(district.id), "email": "",
    }, lambda: rows(User, User.login_key.like("midori-%")), new_browser=True)


def admin_facility(app, client, make_user, make_district):
    sign_in(client, make_user(role="admin"))
    return Form("/admin/facilities/new", lambda n: {"name": f"南公民館{n}", "kind": "公民館", "district_id": ""},
                lambda: rows(Facility))


def admin_district(app, client, make_user, make_district):
    sign_in(client, make_user(role="admin"))
    return Form("/admin/districts/new", lambda n: {"name": f"東地区{n}", "sort_order": "0"}, lambda: rows(District))


def admin_category(app, client, make_user, make_district):
    sign_in(client, make_user(role="admin"))
    return Form("/admin/categories/new", lambda n: {"key": f"cat-{n}", "label": f"料理{n}", "sort_order": "0"},
                lambda: rows(CircleCategory, CircleCategory.key.like("cat-%")))


FORMS = {f.__name__: f for f in (circle_new, topic_new, topic_reply, event_new, join_request, invite_member,
                                  invite_code, diary_comment, kiosk_diary, official_post, announcement,
                                  question_ask, question_answer, report, appeal, apply, admin_facility,
                                  admin_district, admin_category)}
# A second, separately opened form is a legitimate second post for these; the others refuse or
# update a second one by their own rules (one request, one invitation, one report, one appeal).
REPEATABLE = ["circle_new", "topic_new", "topic_reply", "event_new", "invite_code", "diary_comment", "kiosk_diary",
              "official_post", "announcement", "question_ask", "question_answer", "apply", "admin_facility",
              "admin_district", "admin_category"]


@pytest.fixture
def open_form(app, client, make_user, make_district, make_facility):
    def build(name: str) -> Form:
        setup = FORMS[name]
        extra = (make_facility,) if name == "kiosk_diary" else ()
        return setup(app, client, make_user, make_district, *extra)

    return build


def opened(client, form: Form, n: int) -> str:
    form.before_page(n)
    page = client.get(form.page)
    assert page.status_code == 200
    return hidden_id(page.get_data(as_text=True), form.id_field, form.marker)


def send(client, form: Form, token: str, n: int = 1):
    return client.post(form.post or form.page, data=form.data(n) | {form.id_field: token})


@pytest.mark.parametrize("name", list(FORMS))
def test_the_same_form_sent_twice_creates_one_row_and_leads_to_the_first(app, client, open_form, name):
    form = open_form(name)
    token = opened(client, form, 1)
    first = send(client, form, token)
    assert first.status_code in (302, 303), first.get_data(as_text=True)[:2000]
    assert form.count() == 1
    again_from = app.test_client() if form.new_browser else client
    again = send(again_from, form, token)
    assert again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    assert form.count() == 1
    shown = again_from.get(again.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert form.message in shown


@pytest.mark.parametrize("name", REPEATABLE)
def test_two_opened_forms_are_two_posts(app, client, open_form, name):
    form = open_form(name)
    assert send(client, form, opened(client, form, 1), 1).status_code in (302, 303)
    second = app.test_client() if form.new_browser else client
    response = send(second, form, opened(second, form, 2), 2)
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]
    assert form.count() == 2
    assert ALREADY_SENT not in second.get(response.headers["Location"], follow_redirects=True).get_data(as_text=True)


def test_a_resent_join_request_is_not_told_it_was_already_requested(client, open_form):
    """Without the id the resend would read 「参加申請はすでに送っています」, as if something went wrong."""
    form = open_form("join_request")
    token = opened(client, form, 1)
    send(client, form, token)
    page = client.get(send(client, form, token).headers["Location"]).get_data(as_text=True)
    assert ALREADY_SENT in page and "すでに参加申請を送っています" not in page


def test_a_racing_double_click_on_an_official_post_publishes_once(app, client, open_form):
    """Official posts keep their own key; two sends at the same moment: one post, no 500 page."""
    form = open_form("official_post")
    token = opened(client, form, 1)
    cookie = client.get_cookie("tsunagari_session").value
    data = form.data(1) | {form.id_field: token}  # read here: the threads have no database session
    barrier = threading.Barrier(2)
    statuses = []

    def send_now():
        browser = app.test_client()
        browser.set_cookie("tsunagari_session", cookie)
        barrier.wait()
        statuses.append(browser.post(form.page, data=data).status_code)

    threads = [threading.Thread(target=send_now) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [302, 303]
    assert form.count() == 1
