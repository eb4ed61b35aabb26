"""利用申込 as a resident meets it: the form, its rules in plain Japanese, the slip, what is still needed."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from community.accounts.models import User
from community.accounts.services import CODE_ALPHABET
from community.audit import AuditLog
from community.extensions import db


@pytest.fixture
def district(make_district):
    return make_district("北地区")


def _form(district, **overrides):
    data = {
        "login_id": "midori-taro",
        "nickname": "たろう",
        "password": "ひまわりが咲く夏の朝",
        "password_again": "ひまわりが咲く夏の朝",
        "birth_date": "1960-04-01",
        "district_id": str(district.id),
        "email": "",
    }
    data.update(overrides)
    return data


def test_apply_creates_an_applied_account_and_shows_the_slip(client, district, make_facility):
    make_facility("北公民館")
    response = client.post("/apply", data=_form(district))
    assert response.status_code == 302 and response.headers["Location"].endswith("/apply/slip")

    user = db.session.scalar(select(User).where(User.login_key == "midori-taro"))
    assert user.status == "applied"
    assert user.birth_date == date(1960, 4, 1)
    assert re.fullmatch(f"[{CODE_ALPHABET}]{{8}}", user.application_code)
    assert not set("0O1IL") & set(user.application_code)
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "account.applied")).target_id == user.id

    html = client.get("/apply/slip").get_data(as_text=True)
    shown = f"{user.application_code[:4]}-{user.application_code[4:]}"
    assert shown in html  # the code as text, in large type
    assert '<svg class="qr" role="img"' in html  # the QR code, drawn on the server
    assert "北公民館" in html and "9:00〜21:00" in html  # where to go, with hours
    assert "<script>" not in html and "style=" not in html  # the CSP stays strict


def test_the_password_rule_is_explained_in_plain_words(client, district):
    html = client.get("/apply").get_data(as_text=True)
    assert "8文字以上" in html and "貼り付け" in html


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"password": "short", "password_again": "short"}, "8文字以上"),
        ({"password": "password123", "password_again": "password123"}, "よく使われている"),
        ({"password": "midori-taro", "password_again": "midori-taro"}, "ログインIDと同じ"),
        ({"password_again": "ちがうパスワードです"}, "2つのパスワードが違います"),
        ({"birth_date": "2999-01-01"}, "未来の日付"),
        ({"birth_date": "1899-12-31"}, "古すぎます"),
        ({"birth_date": "きのう"}, "年・月・日"),
        ({"district_id": "0"}, "地区を一覧から選んで"),
        ({"login_id": "a b"}, "3〜32文字"),
        ({"email": "not-an-address"}, "メールアドレスを確認"),
    ],
)
def test_bad_input_gets_a_japanese_message_and_keeps_what_was_typed(client, district, overrides, message):
    response = client.post("/apply", data=_form(district, **overrides))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert 'value="たろう"' in html  # the nickname the person typed is still there
    assert db.session.scalar(select(User)) is None


@pytest.mark.parametrize("typed", ["ＭＩＤＯＲＩ-ＴＡＲＯ", "Midori-Taro"])
def test_duplicate_login_ids_ignore_case_and_width(client, district, make_user, typed):
    make_user("midori-taro")
    response = client.post("/apply", data=_form(district, login_id=typed))
    assert response.status_code == 400
    assert "このログインIDはすでに使われています" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("１９６０－０４－０１", date(1960, 4, 1)),
        ("1960年4月1日", date(1960, 4, 1)),
        ("昭和35年4月1日", date(1960, 4, 1)),
        ("平成元年1月8日", date(1989, 1, 8)),
        ("19600401", date(1960, 4, 1)),
    ],
)
def test_birth_dates_in_the_ways_people_write_them(client, district, typed, expected):
    assert client.post("/apply", data=_form(district, birth_date=typed)).status_code == 302
    assert db.session.scalar(select(User.birth_date)) == expected


def test_applicant_sees_what_is_still_needed(client, district, make_facility):
    make_facility("中央図書館")
    client.post("/apply", data=_form(district))
    home = client.get("/").get_data(as_text=True)
    assert "まだ本人確認が済んでいません" in home
    account = client.get("/account").get_data(as_text=True)
    assert "まだ必要なこと" in account and "中央図書館" in account
    assert "申込番号" in account


def test_logged_in_member_is_sent_from_apply_to_their_account(client, auth, make_user):
    make_user("hanako")
    auth.login("hanako")
    assert client.get("/apply").headers["Location"].endswith("/account")


def test_verified_member_has_no_slip(client, auth, make_user):
    make_user("hanako")
    auth.login("hanako")
    assert client.get("/apply/slip").headers["Location"].endswith("/account")
