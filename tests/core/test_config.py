"""Configuration from TSUNAGARI_* variables; the secret key is never a development one in production."""

from pathlib import Path

import pytest

from app import create_app


@pytest.fixture(autouse=True)
def _own_instance(tmp_path, monkeypatch):
    monkeypatch.setenv("TSUNAGARI_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("TSUNAGARI_SECRET_KEY", raising=False)
    monkeypatch.delenv("TSUNAGARI_ENV", raising=False)
    monkeypatch.delenv("TSUNAGARI_DATABASE_URL", raising=False)


def test_secret_key_generated_once_into_instance():
    first = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    key_file = Path(first.instance_path) / "secret_key"
    assert key_file.exists() and len(first.config["SECRET_KEY"]) >= 64
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    second = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]


def test_production_refuses_missing_or_development_key(monkeypatch):
    monkeypatch.setenv("TSUNAGARI_ENV", "production")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    monkeypatch.setenv("TSUNAGARI_ENV", "development")
    dev_key = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).config["SECRET_KEY"]
    monkeypatch.setenv("TSUNAGARI_ENV", "production")
    monkeypatch.setenv("TSUNAGARI_SECRET_KEY", dev_key)
    with pytest.raises(RuntimeError, match="development secret key"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    monkeypatch.setenv("TSUNAGARI_SECRET_KEY", "short")
    with pytest.raises(RuntimeError, match="at least 32"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_production_with_a_real_key_sets_secure_cookies(monkeypatch):
    monkeypatch.setenv("TSUNAGARI_ENV", "production")
    monkeypatch.setenv("TSUNAGARI_SECRET_KEY", "a" * 20 + "b" * 20)
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_database_url_from_environment(monkeypatch):
    monkeypatch.setenv("TSUNAGARI_DATABASE_URL", "postgresql://db.example/city")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://db.example/city"


def test_sqlite_gets_wal_foreign_keys_and_busy_timeout(app):
    from sqlalchemy import text

    from community.extensions import db

    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_postgresql_connections_run_without_jit(app):
    # Short page queries planned past jit_above_cost spent 60-500 ms compiling (docs/benchmarks.md).
    from sqlalchemy import text

    from community.extensions import db

    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL setting")
    with db.engine.connect() as conn:
        assert conn.execute(text("SHOW jit")).scalar() == "off"
        # The test schema's search_path (set through the URL's options) is kept alongside.
        assert conn.execute(text("SHOW search_path")).scalar().lstrip('"').startswith("t_")
