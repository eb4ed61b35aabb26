"""Publishing, renewing and withdrawing: bad input gets a Japanese message and keeps the form;
double submits and stale forms change nothing twice; every change is audited."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from community.announcements.models import Announcement
from community.audit import AuditLog
from community.core.database import utcnow
from community.extensions import db
from tests.announcements.conftest import local, login


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Announcement))


def _audit(action: str) -> list[AuditLog]:
    return list(db.session.scalars(select(AuditLog).where(AuditLog.action == action)))


@pytest.fixture
def suzuki(app, city):
    return login(app, city["people"]["staff_bousai"])


def _emergency(city, **overrides):
    data = {"account_id": city["bousai"].id, "kind": "emergency", "title": "大雨警報：避難所を開設しました",
            "body": "中央公民館を避難所として開設しました。", "expires_at": local(utcnow() + timedelta(hours=12)),
            "submission_key": "k-1"}
    data.update(overrides)
    return data


def test_emergency_is_published_audited_and_shown(suzuki, city):
    response = suzuki.post("/announcements/new", data=_emergency(city))
    assert response.status_code == 303
    item = db.session.scalar(select(Announcement))
    assert item.is_emergency and item.official_account_id == city["bousai"].id and item.department == "防災課"
    assert item.created_by_id == city["people"]["staff_bousai"].id
    [entry] = _audit("announcement.emergency")
    assert entry.actor_id == city["people"]["staff_bousai"].id and entry.target_id == item.id
    html = suzuki.get(response.headers["Location"]).get_data(as_text=True)
    assert "緊急情報を発表しました" in html
    assert "防災課" in html and "official-badge" in html  # the account's name with its verified badge


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"expires_at": ""}, "緊急情報には掲載終了日時が必要です"),
        ({"expires_at": "__8_days__"}, "緊急情報を掲載できるのは最長7日間"),
        ({"expires_at": "__past__"}, "掲載終了日時が過ぎています"),
        ({"title": "   "}, "入力してください"),
        ({"expires_at": "2026-13-45T99:99"}, "日付と時刻を入力してください"),
    ],
)
def test_bad_emergency_input_is_refused_in_japanese_and_the_form_keeps_it(suzuki, city, overrides, message):
    if overrides.get("expires_at") == "__8_days__":
        overrides["expires_at"] = local(utcnow() + timedelta(days=8))
    if overrides.get("expires_at") == "__past__":
        overrides["expires_at"] = local(utcnow() - timedelta(hours=1))
    response = suzuki.post("/announcements/new", data=_emergency(city, **overrides))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert "中央公民館を避難所として開設しました。" in html  # what was typed is still there
    assert re.search(r'<input checked[^>]*value="emergency"', html)  # still an emergency notice
    assert _count() == 0 and not _audit("announcement.emergency")


def test_exactly_seven_days_is_accepted(suzuki, city):
    response = suzuki.post("/announcements/new", data=_emergency(city, expires_at=local(utcnow() + timedelta(days=7))))
    assert response.status_code == 303
    assert _count() == 1


def test_ordinary_notice_may_have_no_end_and_may_be_scheduled(app, city):
    client = login(app, city["people"]["staff_kosodate"])
    start = utcnow() + timedelta(days=2)
    response = client.post("/announcements/new", data={
        "account_id": city["kosodate"].id, "kind": "notice", "title": "子育てサロン", "body": "毎週火曜日",
        "starts_at": local(start), "submission_key": "s-1",
    })
    assert response.status_code == 303
    item = db.session.scalar(select(Announcement))
    assert item.expires_at is None and item.published_at > utcnow() and item.state() == "scheduled"
    assert "子育てサロン" not in app.test_client().get("/announcements/").get_data(as_text=True)


def test_notice_end_before_its_start_is_refused(app, city):
    client = login(app, city["people"]["staff_kosodate"])
    response = client.post("/announcements/new", data={
        "account_id": city["kosodate"].id, "kind": "notice", "title": "子育てサロン",
        "starts_at": local(utcnow() + timedelta(days=3)), "expires_at": local(utcnow() + timedelta(days=1)),
    })
    assert response.status_code == 400
    assert "掲載終了日時は掲載開始" in response.get_data(as_text=True)
    assert _count() == 0


def test_double_submit_publishes_once(suzuki, city):
    first = suzuki.post("/announcements/new", data=_emergency(city, submission_key="same-form"))
    second = suzuki.post("/announcements/new", data=_emergency(city, submission_key="same-form"))
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert _count() == 1 and len(_audit("announcement.emergency")) == 1
    html = suzuki.get(second.headers["Location"]).get_data(as_text=True)
    assert "二重には掲載していません" in html


def test_the_form_carries_a_fresh_submission_key(suzuki):
    one = suzuki.get("/announcements/new").get_data(as_text=True)
    two = suzuki.get("/announcements/new").get_data(as_text=True)
    key = 'name="submission_key" type="hidden" value="'
    assert key in one and one.split(key)[1][:20] != two.split(key)[1][:20]


def test_renew_extends_records_history_and_audits(suzuki, city, make_announcement):
    item = make_announcement("大雨警報", account=city["bousai"], emergency=True, hours=2)
    old_end = item.expires_at
    form = suzuki.get(f"/announcements/{item.id}/renew").get_data(as_text=True)
    seen = form.split('name="seen" type="hidden" value="')[1].split('"')[0]
    new_end = utcnow() + timedelta(days=3)
    response = suzuki.post(f"/announcements/{item.id}/renew", data={"expires_at": local(new_end), "seen": seen})
    assert response.status_code == 303
    db.session.expire_all()
    item = db.session.get(Announcement, item.id)
    assert item.expires_at > old_end and len(item.renewals) == 1
    assert item.renewals[0].previous_expires_at == old_end
    assert item.updated_at is not None
    assert len(_audit("announcement.renew")) == 1
    html = suzuki.get(f"/announcements/{item.id}").get_data(as_text=True)
    assert "延長の記録" in html and "掲載を延長しました" in html

    # The same form sent again (double click) changes nothing more and says so.
    again = suzuki.post(f"/announcements/{item.id}/renew", data={"expires_at": local(new_end), "seen": seen})
    assert again.status_code == 303
    db.session.expire_all()
    assert len(db.session.get(Announcement, item.id).renewals) == 1
    assert "すでに保存されています" in suzuki.get(again.headers["Location"]).get_data(as_text=True)


def test_renew_beyond_seven_days_or_from_a_stale_form_is_refused(suzuki, city, make_announcement):
    item = make_announcement("大雨警報", account=city["bousai"], emergency=True, hours=2)
    seen = item.expires_at.isoformat()
    too_far = suzuki.post(f"/announcements/{item.id}/renew",
                          data={"expires_at": local(utcnow() + timedelta(days=7, hours=2)), "seen": seen})
    assert too_far.status_code == 400
    assert "最長7日間" in too_far.get_data(as_text=True)

    stale = (item.expires_at - timedelta(hours=1)).isoformat()  # someone renewed since this form was loaded
    response = suzuki.post(f"/announcements/{item.id}/renew",
                           data={"expires_at": local(utcnow() + timedelta(days=1)), "seen": stale})
    assert response.status_code == 409
    assert "別の職員が掲載終了日時を変更しました" in response.get_data(as_text=True)
    db.session.expire_all()
    assert not db.session.get(Announcement, item.id).renewals and not _audit("announcement.renew")


def test_an_ended_emergency_is_not_renewed(suzuki, city, make_announcement):
    now = utcnow()
    item = make_announcement("終わった警報", account=city["bousai"], emergency=True,
                             published_at=now - timedelta(days=2), expires_at=now - timedelta(hours=1))
    response = suzuki.post(f"/announcements/{item.id}/renew", data={"expires_at": local(now + timedelta(days=1))})
    assert response.status_code == 409
    assert "掲載期間が終了しています" in response.get_data(as_text=True)


def test_withdraw_needs_a_reason_then_shows_it_and_happens_once(suzuki, city, make_announcement):
    item = make_announcement("大雨警報", account=city["bousai"], emergency=True)
    empty = suzuki.post(f"/announcements/{item.id}/withdraw", data={"reason": "  "})
    assert empty.status_code == 400 and "入力してください" in empty.get_data(as_text=True)

    done = suzuki.post(f"/announcements/{item.id}/withdraw", data={"reason": "18時に避難指示が解除されました"})
    assert done.status_code == 303
    page = suzuki.get(f"/announcements/{item.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "このお知らせは" in html and "取り下げられました" in html
    assert "18時に避難指示が解除されました" in html

    twice = suzuki.post(f"/announcements/{item.id}/withdraw", data={"reason": "もう一度"})
    assert twice.status_code == 303
    assert "すでに取り下げられています" in suzuki.get(twice.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    item = db.session.get(Announcement, item.id)
    assert item.withdrawal_reason == "18時に避難指示が解除されました"
    assert item.withdrawn_by_id == city["people"]["staff_bousai"].id
    [entry] = _audit("announcement.withdraw")
    assert entry.reason == "18時に避難指示が解除されました"


def test_anyone_following_an_old_link_sees_the_withdrawal(app, city, make_announcement):
    item = make_announcement("誤った警報", account=city["bousai"], emergency=True, withdrawn_at=utcnow(),
                             withdrawal_reason="誤って発表しました")
    response = app.test_client().get(f"/announcements/{item.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "誤って発表しました" in html
    assert "取り下げる" not in html  # no staff buttons for the public


def test_publish_form_needs_a_csrf_token(app, city):
    client = login(app, city["people"]["staff_bousai"])
    app.config["WTF_CSRF_ENABLED"] = True
    assert 'name="csrf_token"' in client.get("/announcements/new").get_data(as_text=True)
    response = client.post("/announcements/new", data=_emergency(city))
    assert response.status_code == 400
    assert _count() == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"account_id": "abc"}, "発信する部署のアカウントを選んでください"),
        ({"account_id": "99999"}, "発信する部署のアカウントを選んでください"),
        ({"title": "あ" * 201}, "200文字以内で入力してください"),
        ({"body": "あ" * 10001}, "10000文字以内で入力してください"),
    ],
)
def test_tampered_or_oversized_input_gets_a_japanese_message(suzuki, city, overrides, message):
    response = suzuki.post("/announcements/new", data=_emergency(city, **overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count() == 0


def test_an_overlong_withdrawal_reason_is_refused_and_kept(suzuki, city, make_announcement):
    item = make_announcement("大雨警報", account=city["bousai"], emergency=True)
    response = suzuki.post(f"/announcements/{item.id}/withdraw", data={"reason": "解除" * 501})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "1000文字以内で入力してください" in html and "解除解除解除" in html
    db.session.expire_all()
    assert db.session.get(Announcement, item.id).withdrawn_at is None
