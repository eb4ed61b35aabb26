"""Who may post, correct, withdraw, follow and manage: viewers × actions, through the real routes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from community.audit import AuditLog
from community.extensions import db
from community.official.models import OfficialAccount, OfficialFollow, OfficialPost

VIEWERS = ["anonymous", "member", "minor", "supporter", "staff_other", "staff_in", "admin", "suspended_staff_in"]

# action -> the viewers whose attempt takes effect
ALLOWED = {
    "post": {"staff_in"},
    "correct": {"staff_in"},
    "withdraw": {"staff_in", "admin"},
    "manage": {"admin"},
    "add_member": {"admin"},
    "follow": {"member", "minor", "supporter", "staff_other", "staff_in", "admin"},
    "helpful": {"member", "minor", "supporter", "staff_other", "staff_in", "admin"},
}


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_permission_matrix(client, people, dept, make_official_post, login_as, viewer, action):
    post = make_official_post(dept, people["staff_in"], title="避難訓練のお知らせ", body="11月30日に行います。")
    login_as(viewer)
    if action == "post":
        response = client.post("/official/posts/new", data={"account_id": dept.id, "title": "新しいお知らせ",
                                                            "body": "本文"})
        took_effect = _count(OfficialPost, OfficialPost.title == "新しいお知らせ") == 1
    elif action == "correct":
        response = client.post(f"/official/posts/{post.id}/correct", data={
            "title": "避難訓練のお知らせ", "body": "12月1日に行います。", "note": "日付の誤り", "version": 1})
        db.session.expire_all()
        took_effect = db.session.get(OfficialPost, post.id).version == 2
    elif action == "withdraw":
        response = client.post(f"/official/posts/{post.id}/withdraw", data={"reason": "中止になりました"})
        db.session.expire_all()
        took_effect = db.session.get(OfficialPost, post.id).withdrawn_at is not None
    elif action == "manage":
        response = client.post("/official/admin/new", data={"name": "広報広聴課", "slug": "kouhou",
                                                            "description": "市の広報"})
        took_effect = _count(OfficialAccount, OfficialAccount.slug == "kouhou") == 1
    elif action == "add_member":
        response = client.post(f"/official/admin/{dept.id}/members", data={"login_id": people["staff_other"].login_id})
        db.session.expire_all()
        took_effect = any(m.user_id == people["staff_other"].id for m in db.session.get(OfficialAccount, dept.id).members)
    elif action == "follow":
        response = client.post("/official/bousai/follow")
        took_effect = _count(OfficialFollow) == 1
    else:
        response = client.post(f"/official/posts/{post.id}/helpful")
        from community.official.models import OfficialPostReaction

        took_effect = _count(OfficialPostReaction) == 1

    assert took_effect == (viewer in ALLOWED[action])
    if viewer in ALLOWED[action]:
        assert response.status_code in (302, 303)
    elif viewer == "anonymous":
        assert response.status_code in (302, 401) and "/login" in response.headers.get("Location", "/login")
    else:
        assert response.status_code in (403, 302), response.status_code
        if response.status_code == 302:  # a suspended member is sent to their notice page
            assert viewer.startswith("suspended")


def test_staff_actions_are_audited(client, people, dept, make_official_post, login_as):
    post = make_official_post(dept, people["staff_in"])
    login_as("admin")
    client.post("/official/admin/new", data={"name": "子育て支援課", "slug": "kosodate"})
    client.post(f"/official/admin/{dept.id}/members", data={"login_id": people["staff_other"].login_id})
    client.post(f"/official/admin/{dept.id}/members/{people['staff_other'].id}/remove")
    client.post(f"/official/admin/{dept.id}/deactivate", data={"reason": "組織改編"})
    client.post(f"/official/admin/{dept.id}/reactivate")
    client.post(f"/official/admin/{dept.id}", data={"name": "防災課", "slug": "bousai", "description": "新しい説明"})
    client.post(f"/official/posts/{post.id}/withdraw", data={"reason": "誤り"})
    actions = [a for (a,) in db.session.execute(select(AuditLog.action).order_by(AuditLog.id))]
    assert actions == [
        "official.account_create", "official.member_add", "official.member_remove", "official.account_deactivate",
        "official.account_reactivate", "official.account_update", "official.post_withdraw",
    ]
    deactivation = db.session.scalar(select(AuditLog).where(AuditLog.action == "official.account_deactivate"))
    assert deactivation.reason == "組織改編" and deactivation.actor_id == people["admin"].id


def test_only_staff_can_be_added_as_members(client, people, dept, login_as):
    login_as("admin")
    response = client.post(f"/official/admin/{dept.id}/members", data={"login_id": people["member"].login_id})
    assert response.status_code == 400
    assert "本人確認済みの職員か管理者だけ" in response.get_data(as_text=True)
    response = client.post(f"/official/admin/{dept.id}/members", data={"login_id": "no-such-person"})
    assert "このログインIDのアカウントはありません" in response.get_data(as_text=True)


def test_everyone_can_read_posts_and_pages(client, people, dept, make_official_post):
    post = make_official_post(dept, people["staff_in"], title="防災訓練")
    for url in ["/official/", "/official/bousai", f"/official/posts/{post.id}"]:
        response = client.get(url)
        assert response.status_code == 200
        assert "防災課" in response.get_data(as_text=True)


def test_admin_pages_are_for_admins_only(client, login_as, dept):
    login_as("staff_in")
    assert client.get("/official/admin/").status_code == 403
    assert client.get(f"/official/admin/{dept.id}").status_code == 403


def test_post_form_lists_only_the_staff_members_own_accounts(client, people, dept, make_account, login_as):
    make_account("子育て支援課", slug="kosodate", members=[people["staff_other"]])
    login_as("staff_in")
    html = client.get("/official/posts/new").get_data(as_text=True)
    assert "防災課" in html and "子育て支援課" not in html


def test_deactivated_account_cannot_be_posted_as(client, people, dept, login_as):
    dept.deactivated_at = db.func.now()
    db.session.commit()
    login_as("staff_in")
    response = client.post("/official/posts/new", data={"account_id": dept.id, "title": "t", "body": "b"})
    assert response.status_code == 403
    assert _count(OfficialPost) == 0


def test_deactivated_account_page_stays_readable_but_cannot_be_followed(client, people, dept, make_official_post,
                                                                       login_as):
    make_official_post(dept, title="過去のお知らせ")
    dept.deactivated_at = db.func.now()
    db.session.commit()
    login_as("member")
    html = client.get("/official/bousai").get_data(as_text=True)
    assert "過去のお知らせ" in html and "現在使われていません" in html and "フォローする" not in html
    assert client.post("/official/bousai/follow").status_code == 403
    assert "防災課" not in client.get("/official/").get_data(as_text=True).split("<main", 1)[1]
