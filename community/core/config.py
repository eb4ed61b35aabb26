"""Configuration from TSUNAGARI_* environment variables with safe defaults."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

DEFAULTS = {
    "ENV": "development",
    "SITE_NAME": "つながり",
    "CITY_NAME": "みどり市",
    "CITY_WEBSITE": "",  # the city's own web site (the crawler's start); flask tsunagari init stores it
    "CONTACT_EMAIL": "tsunagari@city.example.jp",
    "CONTACT_PHONE": "000-000-0000",
    "MAX_CONTENT_LENGTH": 12 * 1024 * 1024,
    "SQLALCHEMY_TRACK_MODIFICATIONS": False,
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "tsunagari_session",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": 8 * 3600,
    "BABEL_DEFAULT_LOCALE": "ja",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Tokyo",
    "LANGUAGES": ["ja", "en"],
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": False,
    # Redis unreachable: each worker counts the same limits in its own memory until Redis answers
    # again (Flask-Limiter re-checks it after 1, 2, 4 ... 32 s); the per-login-ID lockout is in the
    # database anyway. A limiter error must never turn a sign-in into a 500.
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_SWALLOW_ERRORS": True,
    "RATELIMIT_KEY_PREFIX": "tsunagari",
    # Reverse proxies / load balancers in front of the app whose X-Forwarded-* headers are trusted.
    "TRUSTED_PROXIES": 0,
    "SEARCH_BACKEND": "whoosh",
    "SHOW_ERA": True,
}

# Keys a deployer may put in the environment, documented in README.
ENV_PREFIX = "TSUNAGARI"


def _instance_secret(app: Flask) -> str:
    """The development secret, generated once into instance/ so restarts keep sessions."""
    path = Path(app.instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def load_config(app: Flask, overrides: dict | None) -> None:
    app.config.update(DEFAULTS)
    app.config["UPLOAD_DIR"] = str(Path(app.instance_path) / "uploads")
    app.config["SEARCH_INDEX_DIR"] = str(Path(app.instance_path) / "search-index")
    app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'tsunagari.sqlite3'}"
    # TSUNAGARI_DATABASE_URL, TSUNAGARI_SECRET_KEY, TSUNAGARI_ENV, ... (values parsed as JSON if they can be)
    app.config.from_prefixed_env(ENV_PREFIX)
    if overrides:
        app.config.update(overrides)

    url = app.config["DATABASE_URL"]
    if url.startswith("postgres://"):  # Heroku-style URLs
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", url)
    if app.config.get("REDIS_URL") and app.config["RATELIMIT_STORAGE_URI"] == "memory://":
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]
    if str(app.config["RATELIMIT_STORAGE_URI"]).startswith(("redis://", "rediss://")):
        # A Redis that went away must cost a request half a second, not a TCP timeout of minutes.
        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 0.5, "socket_timeout": 0.5})

    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        # Behind a load balancer every request comes from its address: per-IP limits need the client's.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    production = app.config["ENV"] == "production"
    if not app.config.get("SECRET_KEY"):
        if production:
            raise RuntimeError(
                "TSUNAGARI_SECRET_KEY must be set in production (the generated development key is refused)."
            )
        app.config["SECRET_KEY"] = _instance_secret(app)
        app.config["SECRET_KEY_IS_DEVELOPMENT"] = True
    elif production and len(str(app.config["SECRET_KEY"])) < 32:
        raise RuntimeError("TSUNAGARI_SECRET_KEY must be at least 32 characters in production.")
    if production:
        dev_key_path = Path(app.instance_path) / "secret_key"
        if dev_key_path.exists() and dev_key_path.read_text().strip() == app.config["SECRET_KEY"]:
            raise RuntimeError("Production refuses to start with the development secret key from instance/.")
        # Production is always served over HTTPS behind the reverse proxy (see README).
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
        app.config["PREFERRED_URL_SCHEME"] = "https"
