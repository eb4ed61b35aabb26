"""Staff accounts: created with a one-time code shown once, revoked back to member and signed out,
never the last administrator; every change audited with before -> after."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from community.accounts.models import PasswordResetCode, User, UserSession
from community.audit import AuditLog
from community.extensions import db
from community.official.models import OfficialAccount, OfficialAccountMember
from community.policy import can_act_as_official
from tests.conftest import AuthActions


def audits(action: str) -> list[AuditLog]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditLog).where(AuditLog.action == action)))


def test_admin_creates_a_staff_account_who_signs_in_with_the_code(app, client, login_as, people):
    login_as("admin")
    response = client.post("/admin/staff/new", data={"login_id": "tanaka.k", "nickname": "田中"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    code = re.search(r'id="one-time-code">([^<]+)<', page).group(1)
    user = db.session.scalar(select(User).where(User.login_id == "tanaka.k"))
    assert user.role == "staff" and user.is_verified
    assert db.session.scalar(select(PasswordResetCode).where(PasswordResetCode.user_id == user.id)).purpose == "initial"
    (created,) = audits("account.staff_created")
    assert created.actor_id == people["admin"].id
    assert created.detail_data["after"] == {"login_id": "tanaka.k", "nickname": "田中", "role": "staff"}
    # The code is shown once: the staff list does not show it.
    assert code not in client.get("/admin/staff/").get_data(as_text=True)

    staff_browser = app.test_client()
    response = staff_browser.post("/password/reset", data={"login_id": "tanaka.k", "code": code,
                                                          "password": "ひみつの合言葉です", "password_again": "ひみつの合言葉です"})
    assert response.status_code == 302
    AuthActions(staff_browser).login("tanaka.k", "ひみつの合言葉です")
    assert staff_browser.get("/staff/").status_code == 200


@pytest.mark.parametrize(("data", "message"), [
    ({"login_id": "", "nickname": "田中"}, "ログインIDを入力してください"),
    ({"login_id": "x", "nickname": "田中"}, "3〜32文字"),
    ({"login_id": "member1", "nickname": "田中"}, "このログインIDはすでに使われています"),
    ({"login_id": "tanaka.k", "nickname": ""}, "ニックネームを入力してください"),
])
def test_bad_staff_input_is_refused_and_kept(client, login_as, data, message):
    login_as("admin")
    response = client.post("/admin/staff/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page
    for typed in data.values():
        assert f'value="{typed}"' in page or not typed
    assert audits("account.staff_created") == []


def test_revoking_makes_a_member_and_ends_their_sessions(app, client, login_as, people):
    staff = people["staff"]
    AuthActions(app.test_client()).login(staff)
    assert db.session.scalar(select(UserSession).where(UserSession.user_id == staff.id)) is not None
    login_as("admin")
    assert client.post(f"/admin/staff/{staff.id}/revoke").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, staff.id).role == "member"
    assert db.session.scalar(select(UserSession).where(UserSession.user_id == staff.id)) is None
    (revoked,) = audits("account.staff_revoked")
    assert revoked.detail_data == {"before": {"role": "staff"}, "after": {"role": "member"}}
    assert revoked.actor_id == people["admin"].id


def test_a_member_cannot_be_revoked(client, login_as, people):
    login_as("admin")
    response = client.post(f"/admin/staff/{people['member'].id}/revoke")
    assert response.status_code == 409 and "職員のアカウントではありません" in response.get_data(as_text=True)


def test_the_last_administrator_cannot_revoke_themself(client, login_as, people):
    people["suspended_admin"].status = "suspended"  # a suspended administrator cannot run the site
    db.session.commit()
    admin = login_as("admin")
    response = client.post(f"/admin/staff/{admin.id}/revoke")
    assert response.status_code == 409 and "最後の管理者のため" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, admin.id).role == "admin" and audits("account.staff_revoked") == []


def test_an_administrator_may_step_down_when_another_remains(client, login_as, people):
    admin = login_as("admin")
    assert client.post(f"/admin/staff/{admin.id}/revoke").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, admin.id).role == "member"
    assert client.get("/admin/").status_code in (302, 403)  # signed out, and no longer an administrator


def test_the_staff_form_sent_twice_creates_one_account_and_one_code(client, login_as):
    login_as("admin")
    page = client.get("/admin/staff/new").get_data(as_text=True)
    token = re.search(r'name="submission_id"[^>]*value="([^"]+)"', page).group(1)
    data = {"login_id": "tanaka.k", "nickname": "田中", "submission_id": token}
    assert client.post("/admin/staff/new", data=data).status_code == 200
    again = client.post("/admin/staff/new", data=data)
    assert again.status_code == 303
    assert "すでに送信されているため" in client.get(again.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert len(list(db.session.scalars(select(User).where(User.login_id == "tanaka.k")))) == 1
    assert len(list(db.session.scalars(select(PasswordResetCode)))) == 1


def test_the_staff_list_shows_their_departments_and_revoking_stops_posting_for_them(client, login_as, people):
    account = OfficialAccount(name="防災課", slug="bousai")
    account.members = [OfficialAccountMember(user_id=people["staff"].id)]
    db.session.add(account)
    db.session.commit()
    assert can_act_as_official(people["staff"], account)
    login_as("admin")
    assert "<td>防災課</td>" in client.get("/admin/staff/").get_data(as_text=True)
    client.post(f"/admin/staff/{people['staff'].id}/revoke")
    db.session.expire_all()
    assert not can_act_as_official(db.session.get(User, people["staff"].id), db.session.get(OfficialAccount, account.id))
