"""Staff queue, claims, actions, concurrency, suspension, auto-hide, notices and outcomes."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app import create_app
from community.audit import AuditLog
from community.extensions import db
from community.notifications.models import Notification
from moderation.models import ModerationAction, ModerationCase, ModerationNotice, Report


@pytest.fixture
def reported(notes, make_user, login):
    """A note by `author`, reported once by a member; returns (note, author, reporter, case)."""

    def make(reason="harassment", body="ひどい書き込み", reporter=None):
        author = make_user(nickname="投稿者")
        note = notes.add(author, body)
        reporter = reporter or make_user()
        login(reporter).post(f"/report/test_note/{note.id}", data={"reason": reason, "note": "困っています"})
        case = db.session.scalar(select(ModerationCase).where(ModerationCase.target_id == note.id))
        return note, author, reporter, case

    return make


def act(client, case, **data):
    form = {"version": case.version, "action": "hide", "rule": "harassment", "note": "規約に反します"}
    form.update(data)
    return client.post(f"/moderation/cases/{case.id}/act", data=form)


def test_hide_tells_the_author_why_and_the_reporter_the_outcome(reported, make_user, login):
    note, author, reporter, case = reported()
    staff = make_user(role="staff")
    client = login(staff)
    queue = client.get("/moderation").get_data(as_text=True)
    assert "ひどい書き込み" in queue and "誹謗中傷・嫌がらせ" in queue and "1人" in queue
    assert "困っています" in client.get(f"/moderation/cases/{case.id}").get_data(as_text=True)
    response = act(client, case)
    assert response.status_code == 302
    assert note.moderation_state == "hidden"
    notices = login(author).get("/moderation/notices").get_data(as_text=True)
    assert "非表示にしました" in notices and "利用規約第5条第1号" in notices and "規約に反します" in notices
    assert "この判断に異議を申し立てる" in notices
    mine = login(reporter).get("/reports/mine").get_data(as_text=True)
    assert "対応済み" in mine and "非表示にしました" in mine
    # Both hear it through the site's notifications too.
    recipients = set(db.session.scalars(select(Notification.recipient_id)))
    assert recipients == {author.id, reporter.id}
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "moderation.hide"))
    assert entry.actor_id == staff.id and entry.target_id == note.id and "第5条第1号" in entry.reason


def test_dismiss_shows_no_action_needed(reported, make_user, login):
    note, author, reporter, case = reported()
    act(login(make_user(role="staff")), case, action="dismiss", rule="no_violation")
    assert note.moderation_state == "visible"
    mine = login(reporter).get("/reports/mine").get_data(as_text=True)
    assert "対応不要" in mine and "規約違反には当たらない" in mine
    # Nothing happened to the author, so they are not bothered.
    assert db.session.scalar(select(ModerationNotice).where(ModerationNotice.user_id == author.id)) is None


def test_rule_is_required(reported, make_user, login):
    note, _a, _r, case = reported()
    response = act(login(make_user(role="staff")), case, rule="")
    assert response.status_code == 400
    assert note.moderation_state == "visible"
    assert db.session.scalar(select(ModerationAction)) is None


def test_a_stale_form_gets_already_handled(reported, make_user, login):
    note, _a, _r, case = reported()
    version = case.version
    act(login(make_user(role="staff")), case)
    response = act(login(make_user(role="staff")), case, version=version, action="delete")
    assert response.status_code == 409
    assert "すでに対応済みです" in response.get_data(as_text=True)
    assert note.moderation_state == "hidden"
    assert len(db.session.scalars(select(ModerationAction)).all()) == 1


def test_two_staff_acting_at_the_same_moment(app, app_config, reported, make_user):
    """Two real requests in parallel threads: one wins, the other is told, nothing runs twice."""
    note, _a, _r, case = reported()
    staff = [make_user(role="staff"), make_user(role="staff")]
    login_ids, case_id, version = [s.login_id for s in staff], case.id, case.version
    barrier = threading.Barrier(2)
    results = {}

    def run(i):
        client = app.test_client()
        client.post("/login", data={"login_id": login_ids[i], "password": "correct horse battery"})
        barrier.wait()
        response = client.post(f"/moderation/cases/{case_id}/act", data={
            "version": version, "action": "delete" if i else "hide", "rule": "harassment"})
        results[i] = (response.status_code, response.get_data(as_text=True))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    codes = sorted(code for code, _ in results.values())
    assert codes == [302, 409], codes
    loser = next(body for code, body in results.values() if code == 409)
    assert "すでに対応済みです" in loser
    db.session.expire_all()
    assert len(db.session.scalars(select(ModerationAction)).all()) == 1
    assert db.session.get(ModerationCase, case_id).version == version + 1


def test_claim_keeps_a_second_staff_member_off(reported, make_user, login):
    _n, _a, _r, case = reported()
    first, second = make_user(role="staff", nickname="職員A"), make_user(role="staff")
    login(first).post(f"/moderation/cases/{case.id}/claim")
    client = login(second)
    response = client.post(f"/moderation/cases/{case.id}/claim", follow_redirects=True)
    assert "ほかの職員がこの件を担当しています" in response.get_data(as_text=True)
    assert "職員Aさんが担当しています" in client.get("/moderation").get_data(as_text=True)
    db.session.expire_all()
    response = act(client, db.session.get(ModerationCase, case.id))
    assert response.status_code == 409
    login(first).post(f"/moderation/cases/{case.id}/release")
    db.session.expire_all()
    assert act(login(second), db.session.get(ModerationCase, case.id)).status_code == 302
    actions = [e.action for e in db.session.scalars(select(AuditLog).order_by(AuditLog.id))]
    assert "moderation.claimed" in actions and "moderation.released" in actions


def test_suspension_sets_the_account_status(reported, make_user, login):
    _n, author, _r, case = reported()
    until = date.today() + timedelta(days=7)
    response = act(login(make_user(role="staff")), case, action="suspend", suspend_until=until.isoformat())
    assert response.status_code == 302
    db.session.refresh(author)
    assert author.status == "suspended" and author.suspended_until is not None
    assert "第5条第1号" in author.suspension_reason
    assert "利用を停止しました" in login(author).get("/moderation/notices").get_data(as_text=True)


def test_indefinite_suspension(reported, make_user, login):
    _n, author, _r, case = reported()
    act(login(make_user(role="staff")), case, action="suspend", indefinite="y")
    db.session.refresh(author)
    assert author.status == "suspended" and author.suspended_until is None


@pytest.mark.parametrize("days", [0, -3])
def test_suspension_end_in_the_past_is_refused(reported, make_user, login, days):
    _n, author, _r, case = reported()
    until = date.today() + timedelta(days=days)
    response = act(login(make_user(role="staff")), case, action="suspend", suspend_until=until.isoformat())
    assert response.status_code == 400
    assert "明日以降の日付" in response.get_data(as_text=True)
    db.session.refresh(author)
    assert author.status == "verified"


def test_warn_and_hide_all_of_the_authors_content(notes, reported, make_user, login):
    note, author, _r, case = reported()
    other = notes.add(author, "別の投稿")
    act(login(make_user(role="staff")), case, action="warn", hide_all="y")
    assert note.moderation_state == "hidden" and other.moderation_state == "hidden"
    assert "警告します" in login(author).get("/moderation/notices").get_data(as_text=True)


def test_restore_after_hide(reported, make_user, login):
    note, author, _r, case = reported()
    client = login(make_user(role="staff"))
    act(client, case)
    db.session.expire_all()
    act(client, db.session.get(ModerationCase, case.id), action="restore", rule="no_violation")
    assert note.moderation_state == "visible"


def test_auto_hide_at_three_distinct_reporters(notes, make_user, login):
    author = make_user()
    note = notes.add(author, "問題の投稿")
    for _ in range(3):
        login(make_user()).post(f"/report/test_note/{note.id}", data={"reason": "spam"})
    assert note.moderation_state == "hidden"
    case = db.session.scalar(select(ModerationCase))
    assert case.auto_hidden
    assert "確認するまで非表示" in login(author).get("/moderation/notices").get_data(as_text=True)


def test_a_supporter_counts_twice(notes, make_user, login):
    note = notes.add(make_user())
    login(make_user(role="supporter")).post(f"/report/test_note/{note.id}", data={"reason": "spam"})
    assert note.moderation_state == "visible"
    login(make_user()).post(f"/report/test_note/{note.id}", data={"reason": "spam"})
    assert note.moderation_state == "hidden"


def test_reporting_twice_does_not_count_twice(notes, make_user, login):
    note = notes.add(make_user())
    client = login(make_user())
    for reason in ("spam", "harassment", "spam"):
        client.post(f"/report/test_note/{note.id}", data={"reason": reason})
    login(make_user()).post(f"/report/test_note/{note.id}", data={"reason": "spam"})
    assert note.moderation_state == "visible"




def test_threshold_from_configuration(_schema, database_url, tmp_path, make_user):
    from tests.conftest import _config

    config = {**_config(database_url, tmp_path), "MODERATION_AUTO_HIDE_THRESHOLD": 2}
    other = create_app(config)
    assert other.config["MODERATION_AUTO_HIDE_THRESHOLD"] == 2


def test_auto_hidden_items_come_first_then_urgent_reasons(notes, make_user, login):
    plain = notes.add(make_user(), "普通の通報")
    urgent = notes.add(make_user(), "住所が書かれている")
    hidden = notes.add(make_user(), "自動で隠れた")
    login(make_user()).post(f"/report/test_note/{plain.id}", data={"reason": "spam"})
    login(make_user()).post(f"/report/test_note/{plain.id}", data={"reason": "spam"})
    login(make_user()).post(f"/report/test_note/{urgent.id}", data={"reason": "personal_info"})
    for _ in range(3):
        login(make_user()).post(f"/report/test_note/{hidden.id}", data={"reason": "spam"})
    page = login(make_user(role="staff")).get("/moderation").get_data(as_text=True)
    assert page.index("自動で隠れた") < page.index("住所が書かれている") < page.index("普通の通報")


def test_supporter_reports_weigh_more(notes, make_user, login):
    by_member = notes.add(make_user(), "会員が通報")
    by_supporter = notes.add(make_user(), "サポーターが通報")
    login(make_user()).post(f"/report/test_note/{by_member.id}", data={"reason": "spam"})
    login(make_user(role="supporter")).post(f"/report/test_note/{by_supporter.id}", data={"reason": "spam"})
    page = login(make_user(role="staff")).get("/moderation").get_data(as_text=True)
    assert page.index("サポーターが通報") < page.index("会員が通報")
    assert "サポーターの通報あり" in page


def test_queue_filters(notes, make_user, make_district, login):
    east = make_district("東地区")
    a = notes.add(make_user(district_id=east.id), "東の投稿")
    b = notes.add(make_user(), "西の投稿")
    login(make_user(role="supporter")).post(f"/report/test_note/{a.id}", data={"reason": "spam"})
    login(make_user()).post(f"/report/test_note/{b.id}", data={"reason": "harassment"})
    client = login(make_user(role="staff"))

    def shown(query):
        page = client.get("/moderation?" + query).get_data(as_text=True)
        return {"東" if "東の投稿" in page else None, "西" if "西の投稿" in page else None} - {None}

    assert shown("") == {"東", "西"}
    assert shown("reason=spam") == {"東"}
    assert shown("source=member") == {"西"}
    assert shown("source=supporter") == {"東"}
    assert shown(f"district={east.id}") == {"東"}
    assert shown("status=closed") == set()
    assert client.get("/moderation?status=nonsense").status_code == 400


def test_staff_opening_a_private_reported_item_is_logged(notes, make_user, login):
    author = make_user()
    note = notes.add(author, "見えている投稿")
    login(make_user()).post(f"/report/test_note/{note.id}", data={"reason": "spam"})
    note.visibility = "private"  # the author made it private after it was reported
    case = db.session.scalar(select(ModerationCase))
    staff = make_user(role="staff")
    page = login(staff).get(f"/moderation/cases/{case.id}").get_data(as_text=True)
    assert "見えている投稿" in page
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "moderation.viewed_private"))
    assert entry.actor_id == staff.id and entry.target_id == note.id and entry.reason


def test_a_visible_item_is_not_logged_as_private(reported, make_user, login):
    _n, _a, _r, case = reported()
    login(make_user(role="staff")).get(f"/moderation/cases/{case.id}")
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "moderation.viewed_private")) is None


def test_a_closed_item_reported_again_reopens(reported, make_user, login):
    note, _a, _r, case = reported()
    act(login(make_user(role="staff")), case, action="dismiss", rule="no_violation")
    login(make_user()).post(f"/report/test_note/{note.id}", data={"reason": "spam"})
    db.session.expire_all()
    case = db.session.get(ModerationCase, case.id)
    assert case.status == "open"
    open_reports = db.session.scalars(select(Report).where(Report.status == "open")).all()
    assert len(open_reports) == 1


@pytest.mark.parametrize(
    ("what_happened", "expected"),
    [
        ("staff delete", "この内容は削除されました"),
        ("author deletes", "この内容は削除されました"),
        ("gone", "この内容は削除されました"),
        ("staff hide", "この内容は現在表示されていません"),
    ],
)
def test_my_reports_do_not_repeat_what_was_taken_down(reported, notes, make_user, login, what_happened, expected):
    note, _author, reporter, case = reported(body="消されるべき悪口")
    if what_happened == "staff delete":
        act(login(make_user(role="staff")), case, action="delete")
        assert note.moderation_state == "removed"
    elif what_happened == "staff hide":
        act(login(make_user(role="staff")), case, action="hide")
    elif what_happened == "author deletes":
        note.deleted = True
    else:
        del notes.notes[note.id]
    mine = login(reporter).get("/reports/mine").get_data(as_text=True)
    assert expected in mine
    assert "消されるべき悪口" not in mine


def test_my_reports_show_an_item_that_is_still_there(reported, login):
    note, _author, reporter, _case = reported(body="まだ見える書き込み")
    mine = login(reporter).get("/reports/mine").get_data(as_text=True)
    assert "まだ見える書き込み" in mine and "削除されました" not in mine
