"""The staff counter: look-up, verification, counter registration, reset codes, suspension, roles."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from community.accounts.models import PasswordResetCode, User, Verification
from community.audit import AuditLog
from community.core.database import utcnow
from community.extensions import db
from tests.conftest import PASSWORD


@pytest.fixture
def staff(make_user):
    return make_user("staff-sato", role="staff", nickname="佐藤（職員）")


@pytest.fixture
def admin(make_user):
    return make_user("admin", role="admin", nickname="管理者")


@pytest.fixture
def applicant(make_user):
    return make_user("shinki", status="applied", nickname="しんき", application_code="ABCD2345",
                     birth_date=date(1995, 12, 24))


@pytest.fixture
def facility(make_facility):
    return make_facility("中央図書館", kind="図書館")


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _verify(client, user, facility, **overrides):
    data = {"id_document_kind": "driving_licence", "facility_id": str(facility.id), "birth_date_confirmed": "y"}
    data.update(overrides)
    return client.post(f"/staff/users/{user.id}/verify", data=data)


@pytest.mark.parametrize("typed", ["ABCD2345", "abcd-2345", "ａｂｃｄ２３４５", " ABCD 2345 "])
def test_lookup_by_code_accepts_full_width_and_lower_case(client, auth, staff, applicant, typed):
    auth.login(staff)
    response = client.get("/staff/", query_string={"code": typed})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/staff/users/{applicant.id}")


def test_unknown_code_says_so(client, auth, staff):
    auth.login(staff)
    response = client.get("/staff/", query_string={"code": "ZZZZ9999"})
    assert response.status_code == 404
    assert "この申込番号の申込はありません" in response.get_data(as_text=True)


def test_lookup_by_name_and_birth_date(client, auth, staff, applicant):
    auth.login(staff)
    html = client.get("/staff/", query_string={"name": "しんき", "birth_date": "１９９５年１２月２４日"}).get_data(
        as_text=True
    )
    assert f"/staff/users/{applicant.id}" in html
    html = client.get("/staff/", query_string={"name": "しんき", "birth_date": "1995-12-25"}).get_data(as_text=True)
    results = html[html.index("検索結果") : html.index("pending-heading")]
    assert f"/staff/users/{applicant.id}" not in results
    assert "一致する人はいません" in results


def test_verification_form_offers_no_document_number_image_or_my_number(client, auth, staff, applicant):
    auth.login(staff)
    html = client.get(f"/staff/users/{applicant.id}").get_data(as_text=True)
    form = html[html.index('action="/staff/users/') : html.index("</form>", html.index('action="/staff/users/'))]
    names = set(re.findall(r'name="([^"]+)"', form)) - {"csrf_token"}
    assert names == {"id_document_kind", "facility_id", "birth_date_confirmed"}
    assert 'type="file"' not in html
    for word in ("number", "番号", "個人番号", "image", "画像"):
        assert not any(word in name for name in names)
    assert not {c.name for c in Verification.__table__.columns} & {"document_number", "image", "my_number"}


def test_staff_verifies_an_application(client, auth, staff, applicant, facility):
    auth.login(staff)
    response = _verify(client, applicant, facility, id_document_kind="my_number_card")
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, applicant.id)
    assert user.status == "verified" and user.verified_at is not None
    assert user.application_code is None
    verification = db.session.scalar(select(Verification).where(Verification.user_id == user.id))
    assert (verification.staff_id, verification.facility_id, verification.id_document_kind) == (
        staff.id, facility.id, "my_number_card",
    )
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "account.verified"))
    assert (entry.actor_id, entry.target_id, entry.facility_id) == (staff.id, user.id, facility.id)
    html = client.get(f"/staff/users/{user.id}", follow_redirects=True).get_data(as_text=True)
    assert "本人確認が完了しました" in html


def test_facility_is_remembered_for_the_next_verification(client, auth, staff, applicant, make_user, make_facility):
    make_facility("北公民館")
    second = make_facility("南公民館")
    other = make_user("other", status="applied")
    auth.login(staff)
    _verify(client, applicant, second)
    html = client.get(f"/staff/users/{other.id}").get_data(as_text=True)
    assert f'<option selected value="{second.id}">' in html


def test_birth_date_check_is_required(client, auth, staff, applicant, facility):
    auth.login(staff)
    response = _verify(client, applicant, facility, birth_date_confirmed="")
    assert response.status_code == 400
    assert "生年月日が書類と一致することを確認してください" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, applicant.id).status == "applied"


def test_double_submission_changes_nothing(client, auth, staff, applicant, facility):
    auth.login(staff)
    _verify(client, applicant, facility)
    response = _verify(client, applicant, facility, id_document_kind="other")
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "すでに本人確認が済んでいます" in html
    assert _count(Verification) == 1
    assert _count(AuditLog, AuditLog.action == "account.verified") == 1


def test_staff_cannot_verify_their_own_account(app, client, auth, make_user, facility):
    staff = make_user("staff-x", role="staff")
    auth.login(staff)
    # Even if the row were still "applied", nobody verifies themselves.
    staff.status = "applied"
    db.session.commit()
    # An applied staff member has no staff capability at all, so the counter refuses them.
    assert _verify(client, staff, facility).status_code == 403
    from community.accounts.services import AccountError, verify

    staff.status = "verified"
    db.session.commit()
    with app.test_request_context(), pytest.raises(AccountError, match="自分のアカウント"):
        verify(staff, staff=staff, facility_id=facility.id, id_document_kind="other", birth_date_confirmed=True)


def test_register_at_the_counter_then_set_password_with_the_code(client, auth, app, staff, make_district, facility):
    district = make_district("南地区")
    auth.login(staff)
    response = client.post(
        "/staff/register",
        data={
            "login_id": "yoshiko2",
            "nickname": "よしこ",
            "birth_date": "昭和24年1月30日",
            "district_id": str(district.id),
            "email": "",
            "id_document_kind": "health_insurance_card",
            "facility_id": str(facility.id),
            "birth_date_confirmed": "y",
        },
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    code = re.search(r'id="one-time-code">([A-Z0-9-]+)<', html).group(1)
    user = db.session.scalar(select(User).where(User.login_key == "yoshiko2"))
    assert user.status == "verified" and user.birth_date == date(1949, 1, 30)
    assert db.session.scalar(select(Verification.method).where(Verification.user_id == user.id)) == "counter"
    assert code.replace("-", "") not in db.session.scalar(select(PasswordResetCode.code_hash))  # stored hashed

    resident = app.test_client()
    response = resident.post(
        "/password/reset",
        data={"login_id": "yoshiko2", "code": code.lower(), "password": "孫と公民館で書道", "password_again": "孫と公民館で書道"},
    )
    assert response.status_code == 302
    assert resident.post("/login", data={"login_id": "yoshiko2", "password": "孫と公民館で書道"}).status_code == 302


def test_reset_code_is_single_use_and_expires(client, auth, app, staff, make_user):
    member = make_user("hanako")
    auth.login(staff)
    html = client.post(f"/staff/users/{member.id}/reset-code").get_data(as_text=True)
    code = re.search(r'id="one-time-code">([A-Z0-9-]+)<', html).group(1)
    resident = app.test_client()
    data = {"login_id": "hanako", "code": code, "password": "新しいパスワードです", "password_again": "新しいパスワードです"}
    assert resident.post("/password/reset", data=data).status_code == 302
    again = resident.post("/password/reset", data=data)
    assert again.status_code == 400
    assert "すでに使われています" in again.get_data(as_text=True)

    html = client.post(f"/staff/users/{member.id}/reset-code").get_data(as_text=True)
    code = re.search(r'id="one-time-code">([A-Z0-9-]+)<', html).group(1)
    row = db.session.scalar(select(PasswordResetCode).where(PasswordResetCode.used_at.is_(None)))
    assert timedelta(hours=23) < row.expires_at - row.created_at <= timedelta(hours=24)
    row.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    expired = resident.post("/password/reset", data={**data, "code": code})
    assert expired.status_code == 400
    assert _count(AuditLog, AuditLog.action == "account.reset_code_issued") == 2


def test_email_reset_goes_to_the_outbox_and_never_reveals_ids(client, app, make_user):
    make_user("mailer", email="mailer@example.jp", email_confirmed_at=utcnow())
    for login_id in ("mailer", "nobody"):
        response = client.post("/password/forgot", data={"login_id": login_id}, follow_redirects=True)
        assert "メールアドレスが登録されていれば" in response.get_data(as_text=True)
    outbox = app.extensions["tsunagari.outbox"]
    assert len(outbox) == 1 and outbox[0]["To"] == "mailer@example.jp"
    code = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}", outbox[0].get_content()).group(0)
    response = client.post(
        "/password/reset",
        data={"login_id": "mailer", "code": code, "password": "メールで届いた合言葉", "password_again": "メールで届いた合言葉"},
    )
    assert response.status_code == 302


def test_suspend_and_reinstate(client, auth, app, staff, make_user):
    member = make_user("makoto")
    auth.login(staff)
    until = (date.today() + timedelta(days=10)).isoformat()
    response = client.post(f"/staff/users/{member.id}/suspend", data={"until": until, "reason": "迷惑な書き込みが続いたため"})
    assert response.status_code == 302

    member_client = app.test_client()
    member_client.post("/login", data={"login_id": "makoto", "password": PASSWORD})
    response = member_client.get("/")
    assert response.headers["Location"].endswith("/suspended")
    html = member_client.get("/suspended").get_data(as_text=True)
    assert "利用停止中" in html and "迷惑な書き込みが続いたため" in html and "まで" in html

    client.post(f"/staff/users/{member.id}/reinstate")
    assert member_client.get("/").status_code == 200
    actions = list(db.session.scalars(select(AuditLog.action).where(AuditLog.target_id == member.id)))
    assert {"account.suspended", "account.reinstated"} <= set(actions)


def test_suspension_with_an_end_date_ends_by_itself(client, auth, make_user):
    member = make_user("kenta", status="suspended", suspension_reason="テスト",
                       suspended_until=utcnow() - timedelta(minutes=1))
    auth.login(member)
    assert client.get("/").status_code == 200
    db.session.expire_all()
    assert db.session.get(User, member.id).status == "verified"


def test_suspend_requires_a_reason(client, auth, staff, make_user):
    member = make_user("noreason")
    auth.login(staff)
    response = client.post(f"/staff/users/{member.id}/suspend", data={"until": "", "reason": ""})
    assert response.status_code == 400
    assert "理由を書いてください" in response.get_data(as_text=True)


def test_staff_cannot_act_on_other_staff(client, auth, staff, make_user):
    other = make_user("staff-other", role="staff")
    auth.login(staff)
    client.post(f"/staff/users/{other.id}/suspend", data={"reason": "x"})
    db.session.expire_all()
    assert db.session.get(User, other.id).status == "verified"


def test_only_admins_grant_roles_and_each_grant_is_audited(client, auth, app, staff, admin, make_user):
    member = make_user("yamada")
    auth.login(staff)
    assert client.post(f"/staff/users/{member.id}/role", data={"role": "supporter"}).status_code == 403
    admin_client = app.test_client()
    admin_client.post("/login", data={"login_id": "admin", "password": PASSWORD})
    assert admin_client.post(f"/staff/users/{member.id}/role", data={"role": "supporter"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, member.id).role == "supporter"
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "account.role_granted"))
    assert entry.actor_id == admin.id and entry.detail_data == {"role": "supporter", "previous": "member"}


def test_minor_cannot_be_given_a_role(client, auth, admin, make_user):
    child = make_user("sora", birth_date=date(date.today().year - 12, 1, 1))
    auth.login(admin)
    response = client.post(f"/staff/users/{child.id}/role", data={"role": "supporter"}, follow_redirects=True)
    assert "この役割は与えられません" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, child.id).role == "member"


def test_history_page_lists_who_did_what_where(client, auth, staff, applicant, facility):
    auth.login(staff)
    _verify(client, applicant, facility)
    html = client.get(f"/staff/users/{applicant.id}/history").get_data(as_text=True)
    assert "本人確認" in html and "佐藤（職員）" in html and "中央図書館" in html


def test_staff_nav_link_only_for_staff(client, auth, staff, make_user):
    make_user("plain")
    auth.login("plain")
    assert "職員窓口" not in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login(staff)
    assert "職員窓口" in client.get("/").get_data(as_text=True)


def test_a_facility_that_does_not_verify_identity_is_not_offered_nor_accepted(client, auth, staff, applicant, facility,
                                                                              make_facility):
    kominkan = make_facility("北公民館")
    kominkan.verifies_identity = False
    db.session.commit()
    auth.login(staff)
    html = client.get(f"/staff/users/{applicant.id}").get_data(as_text=True)
    assert "中央図書館" in html and "北公民館" not in html
    assert _verify(client, applicant, kominkan).status_code == 400
    assert _count(Verification) == 0
    # Nor is it where applicants are told to go.
    assert "北公民館" not in client.get("/").get_data(as_text=True)
