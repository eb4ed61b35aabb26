"""利用規約 and プライバシーポリシー: who edits them, versions that stay readable, and agreement on every
application path and at the next sign-in after a new version."""

from __future__ import annotations

import re
import time
from datetime import date

import pyotp
import pytest
from sqlalchemy import func, select

from community.accounts import twofactor
from community.accounts.models import User
from community.audit import AuditLog
from community.extensions import db
from community.terms import services
from community.terms.demo import PRIVACY_BODY, TERMS_BODY
from community.terms.models import TermsAgreement, TermsDocument
from tests.conftest import PASSWORD

ROLES = {
    "visitor": None,
    "member": dict(role="member"),
    "pupil": dict(role="member", birth_date=date(2014, 5, 1)),
    "supporter": dict(role="supporter"),
    "staff": dict(role="staff"),
    "admin": dict(role="admin"),
}


@pytest.fixture
def admin(make_user):
    return make_user("terms-admin", role="admin")


def _publish(admin, kind="terms", body=TERMS_BODY, title="利用規約"):
    services.save_draft(admin, kind, title=title, body=body)
    doc = services.publish(admin, kind)
    db.session.commit()
    return doc


@pytest.fixture
def published(app, admin):
    with app.test_request_context():
        _publish(admin, "terms")
        _publish(admin, "privacy", PRIVACY_BODY, "プライバシーポリシー")


def _login_as(client, auth, make_user, role):
    if ROLES[role] is None:
        return None
    user = make_user(f"{role}-x", **ROLES[role])
    # Everyone in the matrix has agreed, so the agreement gate does not hide the permission check.
    with client.application.test_request_context():
        services.record_agreement(user, "online")
        db.session.commit()
    auth.login(user)
    return user


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method,path,data", [
    ("GET", "/admin/terms", None),
    ("GET", "/admin/terms/terms", None),
    ("GET", "/admin/terms/privacy", None),
    ("POST", "/admin/terms/terms", {"title": "新しい規約", "body": "第1条（目的）\n目的です。"}),
    ("POST", "/admin/terms/privacy/publish", {}),
])
def test_only_administrators_edit_the_terms(client, auth, make_user, published, role, method, path, data):
    _login_as(client, auth, make_user, role)
    response = client.open(path, method=method, data=data)
    if role == "admin":
        assert response.status_code in (200, 302)
    elif role == "visitor":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(TermsDocument)) == (
        3 if role == "admin" and path == "/admin/terms/terms" and method == "POST" else 2)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", ["/terms", "/privacy", "/terms/1", "/privacy/1"])
def test_everyone_reads_the_published_documents(client, auth, make_user, published, role, path):
    _login_as(client, auth, make_user, role)
    response = client.get(path)
    assert response.status_code == 200
    assert "第2条" in response.get_data(as_text=True)


def test_footer_links_to_both_documents(client):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/terms"' in page and 'href="/privacy"' in page


def test_publishing_makes_a_new_version_and_the_old_one_stays_readable(client, auth, admin, published):
    auth.login(admin)
    client.post("/terms/agree", data={"agree_terms": "y"})
    response = client.post("/admin/terms/terms", data={"title": "利用規約（改定）", "body": "第1条（目的）\n改定後の<b>目的</b>です。"})
    assert response.status_code == 302
    assert "改定後" not in client.get("/terms").get_data(as_text=True)  # a draft is not shown
    response = client.post("/admin/terms/terms/publish")
    assert response.status_code == 302
    current = client.get("/terms").get_data(as_text=True)
    assert "改定後の&lt;b&gt;目的&lt;/b&gt;です。" in current  # escaped
    old = client.get("/terms/1").get_data(as_text=True)
    assert "第5条" in old and "改定後" not in old
    assert client.get("/terms/9").status_code == 404
    audit = db.session.scalars(select(AuditLog).where(AuditLog.action == "terms.published")).all()
    assert [entry.detail_data["after"] for entry in audit] == [1, 1, 2]
    assert audit[-1].detail_data["before"] == 1


def test_publishing_without_a_draft_is_refused_with_a_message(client, auth, admin, published):
    auth.login(admin)
    client.post("/terms/agree", data={"agree_terms": "y"})
    response = client.post("/admin/terms/terms/publish", follow_redirects=True)
    assert "公開する下書きがありません" in response.get_data(as_text=True)


def _apply_form(district, **overrides):
    data = {"login_id": "midori-hanako", "nickname": "はなこ", "password": "ひまわりが咲く夏の朝",
            "password_again": "ひまわりが咲く夏の朝", "birth_date": "1960-04-01", "district_id": str(district.id),
            "email": ""}
    data.update(overrides)
    return data


def test_applying_online_needs_the_agreement_and_records_it(client, make_district, published):
    district = make_district("北地区")
    response = client.post("/apply", data=_apply_form(district))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "利用規約とプライバシーポリシーを読み、同意する場合はチェックを入れてください。" in page
    assert 'value="midori-hanako"' in page  # what was typed is kept
    assert db.session.scalar(select(User).where(User.login_id == "midori-hanako")) is None

    response = client.post("/apply", data=_apply_form(district, agree_terms="y"))
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.login_id == "midori-hanako"))
    rows = db.session.scalars(select(TermsAgreement).where(TermsAgreement.user_id == user.id)).all()
    assert sorted((row.kind, row.version, row.how) for row in rows) == [("privacy", 1, "online"), ("terms", 1, "online")]
    assert all(row.agreed_at is not None for row in rows)


def test_registering_at_the_counter_needs_the_agreement_and_records_it(client, auth, make_user, make_district,
                                                                        make_facility, published):
    staff = _login_as(client, auth, make_user, "staff")
    assert staff is not None
    district, facility = make_district("南地区"), make_facility("中央図書館", kind="図書館")
    data = {"login_id": "yoshiko3", "nickname": "よしこ", "birth_date": "昭和24年1月30日", "district_id": str(district.id),
            "email": "", "id_document_kind": "health_insurance_card", "facility_id": str(facility.id),
            "birth_date_confirmed": "y"}
    response = client.post("/staff/register", data=data)
    assert response.status_code == 400
    assert "チェックを入れてください" in response.get_data(as_text=True)
    response = client.post("/staff/register", data={**data, "agree_terms": "y"})
    assert response.status_code == 200
    user = db.session.scalar(select(User).where(User.login_id == "yoshiko3"))
    hows = db.session.scalars(select(TermsAgreement.how).where(TermsAgreement.user_id == user.id)).all()
    assert hows == ["counter", "counter"]


def test_applying_before_any_terms_are_published_asks_for_nothing(client, make_district):
    response = client.post("/apply", data=_apply_form(make_district("北地区")))
    assert response.status_code == 302


def test_a_member_is_asked_to_agree_after_a_new_version(client, app, auth, make_user, admin, published):
    member = _login_as(client, auth, make_user, "member")
    auth.logout()
    with app.test_request_context():
        _publish(admin, "terms", TERMS_BODY + "\n第8条（附則）\nこの規約は改定後に施行します。")

    response = auth.login(member)
    assert response.status_code == 302
    response = client.get(response.headers["Location"])
    assert response.status_code == 302 and "/terms/agree" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "利用規約とプライバシーポリシーに同意する" in page

    # Reading still works after the prompt; acting does not.
    assert client.get("/").status_code == 200
    assert client.get("/terms").status_code == 200
    response = client.post("/account/email", data={"email": "a@example.jp"})
    assert response.status_code == 302 and "/terms/agree" in response.headers["Location"]

    assert client.post("/terms/agree", data={}).status_code == 400
    response = client.post("/terms/agree?next=/diaries", data={"agree_terms": "y"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/diaries")
    versions = db.session.execute(select(TermsAgreement.kind, TermsAgreement.version, TermsAgreement.how)
                                  .where(TermsAgreement.user_id == member.id, TermsAgreement.version == 2)).all()
    assert versions == [("terms", 2, "signin")]
    response = client.post("/account/email", data={"email": "a@example.jp"})
    assert "/terms/agree" not in response.headers.get("Location", "")


def test_logout_works_before_agreeing(client, app, auth, make_user, admin, published):
    member = make_user("not-agreed")
    auth.login(member)
    response = client.post("/logout")
    assert response.status_code == 302 and "/terms/agree" not in response.headers["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_the_agreement_page_needs_sign_in_and_lets_an_agreed_member_through(client, auth, make_user, published, role):
    _login_as(client, auth, make_user, role)
    response = client.get("/terms/agree?next=/diaries")
    assert response.status_code == 302
    assert ("/login" if role == "visitor" else "/diaries") in response.headers["Location"]


def test_a_two_factor_member_is_asked_after_the_code_step(client, app, make_user, admin, published):
    member = make_user("twofa-terms")
    with app.test_request_context():
        services.record_agreement(member, "online")
        db.session.commit()
    setup = app.test_client()
    setup.post("/login", data={"login_id": member.login_id, "password": PASSWORD})
    html = setup.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    assert setup.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now()}).status_code == 200
    db.session.expire_all()
    member.totp_last_step = int(time.time()) // twofactor.STEP - 2
    db.session.commit()
    with app.test_request_context():
        _publish(admin, "privacy", PRIVACY_BODY + "\n第7条（改定）\n改定しました。", "プライバシーポリシー")

    response = client.post("/login", data={"login_id": member.login_id, "password": PASSWORD})
    assert response.headers["Location"].startswith("/login/code")  # not signed in yet: nothing asked
    response = client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    response = client.get(response.headers["Location"])
    assert response.status_code == 302 and "/terms/agree" in response.headers["Location"]
