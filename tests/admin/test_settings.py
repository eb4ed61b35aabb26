"""Site settings: the city's name, web site, contact and help text, shown where residents read them;
bad input refused in Japanese with what was typed kept; every change audited with before -> after."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from community.audit import AuditLog
from community.core.settings import site_settings
from community.extensions import db

GOOD = {"city_name": "あおば市", "city_website": "https://www.city.aoba.example.jp/",
        "contact_email": "tsunagari@city.aoba.example.jp", "contact_phone": "022-123-4567",
        "help_text": "分からないことは公民館の窓口へ。\n\n<b>土日</b>も開いています。"}


@pytest.fixture
def app_config(app_config):
    return {**app_config, "CITY_NAME": "設定市", "CONTACT_EMAIL": "config@example.jp", "CONTACT_PHONE": "000-0000"}


def test_the_form_starts_from_what_residents_see(client, login_as):
    login_as("admin")
    page = client.get("/admin/settings").get_data(as_text=True)
    assert 'value="設定市"' in page and 'value="config@example.jp"' in page


def test_saved_settings_appear_on_the_contact_and_help_pages(client, login_as, people):
    assert "config@example.jp" in client.get("/contact").get_data(as_text=True)
    login_as("admin")
    response = client.post("/admin/settings", data=GOOD)
    assert response.status_code == 302
    assert site_settings().contact_phone == "022-123-4567"
    contact = client.get("/contact").get_data(as_text=True)
    assert "tsunagari@city.aoba.example.jp" in contact and "022-123-4567" in contact
    assert "config@example.jp" not in contact
    help_page = client.get("/help").get_data(as_text=True)
    assert "<p>分からないことは公民館の窓口へ。</p>" in help_page
    assert "&lt;b&gt;土日&lt;/b&gt;も開いています。" in help_page  # escaped, never markup
    assert "あおば市" in client.get("/").get_data(as_text=True)

    client.post("/admin/settings", data=GOOD | {"contact_phone": "022-999-0000"})
    entries = list(db.session.scalars(select(AuditLog).where(AuditLog.action == "site.settings_changed")
                                      .order_by(AuditLog.id)))
    assert len(entries) == 2 and entries[0].actor_id == people["admin"].id
    assert entries[0].detail_data["before"]["city_name"] == "" and entries[0].detail_data["after"]["city_name"] == "あおば市"
    assert entries[1].detail_data == {"before": {"contact_phone": "022-123-4567"},
                                      "after": {"contact_phone": "022-999-0000"}}


@pytest.mark.parametrize(("data", "message"), [
    ({"city_name": ""}, "市の名前を入力してください"),
    ({"city_name": "あ" * 41}, "40文字以内で入力してください"),
    ({"city_website": "www.city.example.jp"}, "https:// か http:// で始まるアドレス"),
    ({"city_website": "javascript:alert(1)"}, "https:// か http:// で始まるアドレス"),
    ({"contact_email": "tsunagari"}, "メールアドレスを確認してください"),
    ({"help_text": "あ" * 2001}, "2000文字以内で入力してください"),
])
def test_bad_settings_are_refused_and_kept(client, login_as, data, message):
    login_as("admin")
    response = client.post("/admin/settings", data=GOOD | data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page
    assert "022-123-4567" in page  # the rest of what was typed stays
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "site.settings_changed")) is None
    assert site_settings().city_name == "設定市"
