"""マイアカウント: add, change, confirm and remove the e-mail address; only confirmed addresses get mail."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from community.accounts.models import EmailConfirmation, User
from community.accounts.selfservice import EMAIL_LINKS_PER_DAY, hash_link_token
from community.audit import AuditLog
from community.core.database import utcnow
from community.core.mail import MailMessage
from community.extensions import db
from community.notifications.services import notify_all, set_email_enabled
from tests.conftest import PASSWORD


@pytest.fixture
def outbox(app):
    return app.extensions.setdefault("tsunagari.outbox", [])


def _mails(to: str) -> list[MailMessage]:
    return list(db.session.scalars(select(MailMessage).where(MailMessage.recipient == to).order_by(MailMessage.id)))


def _link(to: str) -> str:
    body = _mails(to)[-1].body
    return re.search(r"http://localhost(/account/email/confirm/[A-Za-z0-9_-]+)", body).group(1)


def _ask(client, email, password=PASSWORD):
    return client.post("/account/email", data={"email": email, "current_password": password})


@pytest.fixture
def member(make_user, auth):
    user = make_user("mailperson", email="old@example.jp", email_confirmed_at=utcnow())
    auth.login("mailperson")
    return user


def test_change_confirm_and_the_old_address_is_told(client, member):
    response = _ask(client, "new@example.jp")
    assert response.status_code == 302
    page = client.get("/account/email").get_data(as_text=True)
    assert "new@example.jp" in page and "確認待ち" in page
    db.session.expire_all()
    assert member.email == "old@example.jp"  # the old address stays until the link is opened
    [mail] = _mails("new@example.jp")
    assert "メールアドレスの確認" in mail.subject
    link = _link("new@example.jp")
    row = db.session.scalar(select(EmailConfirmation))
    assert row.token_hash == hash_link_token(link.rsplit("/", 1)[1]) and link.rsplit("/", 1)[1] not in row.token_hash

    # Opening the link only shows a button (a mail scanner's GET changes nothing).
    shown = client.get(link)
    assert shown.status_code == 200 and "このアドレスを確認する" in shown.get_data(as_text=True)
    db.session.expire_all()
    assert member.email == "old@example.jp"
    assert client.post(link).status_code == 302
    db.session.expire_all()
    assert member.email == "new@example.jp" and member.confirmed_email == "new@example.jp"
    told = _mails("old@example.jp")
    assert len(told) == 1 and "メールアドレスが変更されました" in told[0].subject
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "account.email_confirmed")).actor_id == member.id
    assert "メールアドレスが変更されました" in client.get("/notifications").get_data(as_text=True)


def test_the_link_works_without_signing_in(app, client, member):
    _ask(client, "phone@example.jp")
    link = _link("phone@example.jp")
    other_browser = app.test_client()
    assert other_browser.post(link).status_code == 302
    db.session.expire_all()
    assert member.confirmed_email == "phone@example.jp"


def test_a_used_link_is_refused(client, member):
    _ask(client, "once@example.jp")
    link = _link("once@example.jp")
    client.post(link)
    for method in (client.get, client.post):
        again = method(link)
        assert again.status_code == 410
        assert "このリンクはすでに使われています" in again.get_data(as_text=True)


def test_an_expired_link_is_refused_and_changes_nothing(client, member):
    _ask(client, "late@example.jp")
    link = _link("late@example.jp")
    row = db.session.scalar(select(EmailConfirmation))
    assert timedelta(hours=23) < row.expires_at - row.created_at <= timedelta(hours=24)
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.post(link)
    assert response.status_code == 410 and "有効期限が切れた" in response.get_data(as_text=True)
    db.session.expire_all()
    assert member.email == "old@example.jp"


def test_only_the_newest_link_works(client, member):
    _ask(client, "first@example.jp")
    first = _link("first@example.jp")
    _ask(client, "second@example.jp")
    assert client.post(first).status_code == 410
    assert client.post(_link("second@example.jp")).status_code == 302


def test_an_unknown_link_is_a_404(client):
    response = client.get("/account/email/confirm/not-a-real-token-at-all")
    assert response.status_code == 404 and "このリンクは正しくありません" in response.get_data(as_text=True)


def test_confirmation_mails_are_limited_per_day(client, member):
    for i in range(EMAIL_LINKS_PER_DAY):
        assert _ask(client, f"try{i}@example.jp").status_code == 302
    response = _ask(client, "onemore@example.jp")
    assert response.status_code == 400 and "確認メールを送った回数が多すぎます" in response.get_data(as_text=True)
    assert _mails("onemore@example.jp") == []
    assert 'value="onemore@example.jp"' in response.get_data(as_text=True)  # what was typed stays


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("not-an-address", PASSWORD, "メールアドレスを確認してください"),
        ("", PASSWORD, "メールアドレスを入力してください"),
        ("fine@example.jp", "wrong password!", "現在のパスワードが正しくありません"),
        ("fine@example.jp", "", "現在のパスワードを入力してください"),
        ("OLD@example.jp", PASSWORD, "すでに確認済みのメールアドレス"),
    ],
)
def test_bad_input_keeps_what_was_typed_and_sends_nothing(client, member, email, password, message):
    response = _ask(client, email, password)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and message in html
    if email:
        assert f'value="{email}"' in html
    assert db.session.scalar(select(EmailConfirmation)) is None


def test_remove_the_address_and_the_old_address_is_told(client, member):
    bad = client.post("/account/email/remove", data={"remove-current_password": "wrong password!"})
    assert bad.status_code == 400 and "現在のパスワードが正しくありません" in bad.get_data(as_text=True)
    assert client.post("/account/email/remove", data={"remove-current_password": PASSWORD}).status_code == 302
    db.session.expire_all()
    assert member.email is None and member.email_confirmed_at is None
    [told] = _mails("old@example.jp")
    assert "メールアドレスが削除されました" in told.subject
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "account.email_removed")) is not None


def test_application_address_gets_only_the_link_until_confirmed(client, make_district, outbox):
    district = make_district()
    response = client.post("/apply", data={
        "login_id": "typo-person", "nickname": "たいぽ", "password": "ひまわりが咲く夏の朝",
        "password_again": "ひまわりが咲く夏の朝", "birth_date": "1980-01-01", "district_id": district.id,
        "email": "typo@example.jp",
    })
    assert response.status_code == 302
    [link_mail] = _mails("typo@example.jp")
    assert "メールアドレスの確認" in link_mail.subject
    # The forgotten-password reset does not use an unconfirmed address.
    client.post("/logout")
    client.post("/password/forgot", data={"login_id": "typo-person"})
    assert len(_mails("typo@example.jp")) == 1
    # Once confirmed, it does.
    client.post(re.search(r"http://localhost(/\S+)", link_mail.body).group(1))
    client.post("/password/forgot", data={"login_id": "typo-person"})
    assert len(_mails("typo@example.jp")) == 2


def test_notifications_mail_only_confirmed_addresses(app, make_user):
    confirmed = make_user("conf", email="conf@example.jp", email_confirmed_at=utcnow())
    unconfirmed = make_user("unconf", email="unconf@example.jp")
    for user in (confirmed, unconfirmed):
        set_email_enabled(user, True)
    db.session.commit()
    with app.test_request_context():
        notify_all(select(User.id).where(User.id.in_([confirmed.id, unconfirmed.id])), "password_changed",
                   target_type="account", target_id=confirmed.id)
    assert [m.recipient for m in db.session.scalars(select(MailMessage))] == ["conf@example.jp"]


def test_password_change_mails_the_confirmed_address_whatever_the_notification_setting(client, member):
    new = "ひまわりが咲く夏の朝"
    client.post("/account/password", data={"current_password": PASSWORD, "password": new, "password_again": new})
    [mail] = _mails("old@example.jp")
    assert "パスワードが変更されました" in mail.subject and "施設" in mail.body


def test_mail_is_in_the_members_language(client, member):
    client.get("/account?lang=en")
    _ask(client, "english@example.jp")
    assert _mails("english@example.jp")[0].subject.endswith("Please confirm your e-mail address")
