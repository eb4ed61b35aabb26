"""Who may publish, issue, renew and withdraw: viewers x actions x paths, through the real routes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from community.announcements.models import Announcement
from community.audit import AuditLog
from community.core.database import utcnow
from community.extensions import db
from tests.announcements.conftest import local, login

VIEWERS = ["anonymous", "member", "supporter", "staff_outside", "staff_kosodate", "staff_bousai",
           "admin_outside", "suspended_staff"]

# action -> the viewers who may do it (everyone else is refused and nothing changes)
ALLOWED = {
    "notice_as_kosodate": {"staff_kosodate"},
    "notice_as_bousai": {"staff_bousai"},
    "emergency_as_bousai": {"staff_bousai"},
    "emergency_as_kosodate": set(),  # 子育て支援課 may not issue emergencies at all
    "renew": {"staff_bousai"},
    "withdraw": {"staff_bousai", "admin_outside"},  # admins answer for every official account
}
AUDIT = {
    "notice_as_kosodate": "announcement.publish", "notice_as_bousai": "announcement.publish",
    "emergency_as_bousai": "announcement.emergency", "emergency_as_kosodate": "announcement.emergency",
    "renew": "announcement.renew", "withdraw": "announcement.withdraw",
}


def _viewer(city, name):
    return None if name == "anonymous" else city["people"][name]


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Announcement))


def _request(client, city, action, emergency_item):
    soon = local(utcnow() + timedelta(days=1))
    if action.startswith(("notice", "emergency")):
        kind, account = action.split("_as_")
        return client.post("/announcements/new", data={
            "account_id": city[account].id, "kind": kind, "title": "避難所を開設しました", "body": "中央公民館",
            "expires_at": soon if kind == "emergency" else "", "submission_key": f"{action}-key",
        })
    if action == "renew":
        return client.post(f"/announcements/{emergency_item.id}/renew",
                           data={"expires_at": local(utcnow() + timedelta(days=2))})
    return client.post(f"/announcements/{emergency_item.id}/withdraw", data={"reason": "警報が解除されました"})


@pytest.mark.parametrize("action", sorted(ALLOWED))
@pytest.mark.parametrize("viewer", VIEWERS)
def test_permission_matrix(app, city, make_announcement, viewer, action):
    item = make_announcement("大雨警報", account=city["bousai"], emergency=True)
    before_expiry, before_count = item.expires_at, _count()
    client = login(app, _viewer(city, viewer))

    response = _request(client, city, action, item)

    db.session.expire_all()
    item = db.session.get(Announcement, item.id)
    audited = db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == AUDIT[action]))
    if viewer in ALLOWED[action]:
        assert response.status_code == 303, response.get_data(as_text=True)
        assert audited == 1
        if action == "renew":
            assert item.expires_at > before_expiry and len(item.renewals) == 1
        elif action == "withdraw":
            assert item.withdrawn_at is not None and item.withdrawal_reason == "警報が解除されました"
        else:
            assert _count() == before_count + 1
        return
    # Refused: a login page, the suspension notice, or a 403 with a reason; nothing changed.
    if viewer == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    elif viewer == "suspended_staff":
        assert response.status_code == 302 and "/suspended" in response.headers["Location"]
    else:
        assert response.status_code == 403
        assert "できません" in response.get_data(as_text=True) or "だけです" in response.get_data(as_text=True)
    assert audited == 0
    assert _count() == before_count
    assert item.expires_at == before_expiry and item.withdrawn_at is None and not item.renewals


def test_refusal_names_the_department(app, city):
    """A staff member of 子育て支援課 trying to speak as 防災課 is told exactly why."""
    client = login(app, city["people"]["staff_kosodate"])
    response = client.post("/announcements/new", data={
        "account_id": city["bousai"].id, "kind": "notice", "title": "テスト", "body": "本文",
    })
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "あなたは「防災課」のメンバーではないため" in html
    assert 'value="テスト"' in html  # the form keeps what was typed


def test_emergency_refusal_for_a_department_without_the_right(app, city):
    client = login(app, city["people"]["staff_kosodate"])
    response = client.post("/announcements/new", data={
        "account_id": city["kosodate"].id, "kind": "emergency", "title": "臨時休園",
        "expires_at": local(utcnow() + timedelta(days=1)),
    })
    assert response.status_code == 403
    assert "「子育て支援課」は緊急情報を発表できません" in response.get_data(as_text=True)
    assert _count() == 0


# GET pages: who may open which staff screen (200), who is refused (403), who must log in (302).
PAGES = {
    "/announcements/new": {"staff_kosodate", "staff_bousai"},
    "/announcements/manage": {"staff_kosodate", "staff_bousai", "admin_outside"},
    "renew": {"staff_bousai"},
    "withdraw": {"staff_bousai", "admin_outside"},
}


@pytest.mark.parametrize("page", sorted(PAGES))
@pytest.mark.parametrize("viewer", VIEWERS)
def test_staff_pages(app, city, make_announcement, viewer, page):
    item = make_announcement("大雨警報", account=city["bousai"], emergency=True)
    path = page if page.startswith("/") else f"/announcements/{item.id}/{page}"
    response = login(app, _viewer(city, viewer)).get(path)
    if viewer in PAGES[page]:
        assert response.status_code == 200
    elif viewer == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    elif viewer == "suspended_staff":
        assert response.status_code == 302
    else:
        assert response.status_code == 403


def test_new_form_offers_only_own_accounts_and_emergency_only_where_allowed(app, city):
    html = login(app, city["people"]["staff_kosodate"]).get("/announcements/new").get_data(as_text=True)
    assert "子育て支援課" in html and "防災課" not in html
    assert 'value="emergency"' not in html
    html = login(app, city["people"]["staff_bousai"]).get("/announcements/new").get_data(as_text=True)
    assert "防災課" in html and "子育て支援課" not in html
    assert 'value="emergency"' in html


@pytest.mark.parametrize("viewer", VIEWERS)
def test_scheduled_notice_is_seen_only_by_its_department_and_admins(app, city, make_announcement, viewer):
    item = make_announcement("来週の防災訓練", account=city["bousai"], published_at=utcnow() + timedelta(days=2))
    response = login(app, _viewer(city, viewer)).get(f"/announcements/{item.id}")
    if viewer in {"staff_bousai", "admin_outside"}:
        assert response.status_code == 200
        assert "掲載予定" in response.get_data(as_text=True)
    elif viewer == "suspended_staff":
        assert response.status_code == 302
    else:
        assert response.status_code == 404
    # Never in the public list, whoever looks.
    assert "来週の防災訓練" not in login(app, _viewer(city, viewer)).get("/announcements/").get_data(as_text=True)


def test_staff_list_shows_own_departments_only_with_states(app, city, make_announcement):
    now = utcnow()
    make_announcement("防災 掲載中", account=city["bousai"])
    make_announcement("防災 予定", account=city["bousai"], published_at=now + timedelta(days=1))
    make_announcement("防災 期限切れ", account=city["bousai"], emergency=True, published_at=now - timedelta(days=3),
                      expires_at=now - timedelta(days=1))
    make_announcement("防災 取り下げ", account=city["bousai"], withdrawn_at=now, withdrawal_reason="誤り")
    make_announcement("子育て 掲載中", account=city["kosodate"])

    html = login(app, city["people"]["staff_bousai"]).get("/announcements/manage").get_data(as_text=True)
    for title in ("防災 掲載中", "防災 予定", "防災 期限切れ", "防災 取り下げ"):
        assert title in html
    for state in ("掲載中", "予定", "期限切れ", "取り下げ"):
        assert f">{state}</span>" in html
    assert "子育て 掲載中" not in html

    html = login(app, city["people"]["staff_kosodate"]).get("/announcements/manage").get_data(as_text=True)
    assert "子育て 掲載中" in html and "防災 掲載中" not in html

    html = login(app, city["people"]["admin_outside"]).get("/announcements/manage").get_data(as_text=True)
    assert "子育て 掲載中" in html and "防災 予定" in html
