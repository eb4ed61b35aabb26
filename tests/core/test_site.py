"""The foundation as a visitor meets it: Japanese pages, error pages, headers, health."""

from __future__ import annotations

import pytest

from app import create_app


def test_home_speaks_japanese_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="ja">' in html
    assert "本文へ移動" in html  # the skip link
    assert "本人確認ができる施設" in html


def test_english_is_second_language(client):
    html = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"}).get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Skip to main content" in html
    # Someone who also accepts Japanese gets Japanese first.
    html = client.get("/", headers={"Accept-Language": "en;q=0.9,ja;q=0.8"}).get_data(as_text=True)
    assert '<html lang="ja">' in html


def test_language_choice_is_remembered(client):
    client.get("/?lang=en")
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    client.get("/?lang=ja")
    assert '<html lang="ja">' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/", "/help", "/contact", "/announcements/", "/login"])
def test_public_pages_render(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert "<title>" in response.get_data(as_text=True)


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_no_inline_scripts_or_styles(client):
    html = client.get("/").get_data(as_text=True)
    assert "<script>" not in html and "style=" not in html and "onclick" not in html


def test_unknown_route_gets_japanese_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "ページが見つかりません" in response.get_data(as_text=True)


def test_wrong_method_gets_405(client):
    response = client.delete("/")
    assert response.status_code == 405
    assert "この操作はできません" in response.get_data(as_text=True)


def test_oversize_body_gets_413(client, app):
    big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/login", data=big, content_type="application/octet-stream")
    assert response.status_code == 413
    assert "サイズが大きすぎます" in response.get_data(as_text=True)


def test_invalid_utf8_in_form_is_not_a_500(client):
    response = client.post(
        "/login", data=b"login_id=%FF%FE&password=\xff\xfe", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in (400, 200)
    assert "ログイン" in response.get_data(as_text=True)


def test_invalid_utf8_in_query_is_not_a_500(client):
    response = client.get("/announcements/?page=%FF%FE")
    assert response.status_code == 200


def test_malformed_multipart_gets_400(client):
    response = client.post(
        "/login", data=b"--broken\r\nnot a part", content_type="multipart/form-data; boundary=zzz"
    )
    assert response.status_code == 400


def test_json_clients_get_json_errors(client):
    response = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.is_json and response.json["error"] == "ページが見つかりません"


def test_unexpected_error_is_a_japanese_500_without_trace(database_url, tmp_path, _schema):
    from tests.conftest import _config

    app = create_app(_config(database_url, tmp_path) | {"TESTING": False, "PROPAGATE_EXCEPTIONS": False})

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internal detail")

    response = app.test_client().get("/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "エラーが発生しました" in body
    assert "secret internal detail" not in body and "Traceback" not in body


def test_healthz_reports_database_state(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    data = response.json
    assert data["checks"]["database"]["ok"] is True
    assert "SECRET" not in response.get_data(as_text=True).upper()


def test_emergency_notice_shows_on_every_page(client, app):
    from datetime import timedelta

    from community.announcements.models import Announcement
    from community.core.database import utcnow
    from community.extensions import db

    db.session.add(
        Announcement(title="大雨警報：避難所を開設しました", is_emergency=True, expires_at=utcnow() + timedelta(hours=6))
    )
    db.session.add(Announcement(title="終わった警報", is_emergency=True, expires_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    for path in ("/", "/help", "/login", "/no-such-page"):
        html = client.get(path).get_data(as_text=True)
        assert "大雨警報：避難所を開設しました" in html
        assert "終わった警報" not in html
