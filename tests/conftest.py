"""Shared fixtures: a real database (SQLite file, or a fresh PostgreSQL schema), real commits.

Set TSUNAGARI_TEST_DATABASE_URL=postgresql://... to run the suite on PostgreSQL; each run gets
its own schema, dropped at the end, so parallel runs never collide.
"""

from __future__ import annotations

import contextvars
import itertools
import os
import re
import secrets
from datetime import date
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from flask.globals import _cv_app
from flask.testing import FlaskClient

from app import create_app
from community.accounts.models import AccountStatus, District, Facility, Role, User, normalize_login_id
from community.accounts.passwords import hash_password
from community.extensions import db

PASSWORD = "correct horse battery"
_PASSWORD_HASH = None


def _database_url(tmp_path_factory) -> tuple[str, str | None]:
    url = os.environ.get("TSUNAGARI_TEST_DATABASE_URL", "")
    if url.startswith(("postgresql", "postgres")):
        url = url.replace("postgres://", "postgresql://", 1)
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        schema = f"t_{os.getpid()}_{secrets.token_hex(4)}"
        engine = sa.create_engine(url)
        try:
            with engine.begin() as conn:
                conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        finally:
            engine.dispose()
        sep = "&" if "?" in url else "?"
        return f"{url}{sep}options={quote(f'-csearch_path={schema}')}", schema
    path = tmp_path_factory.mktemp("db") / "test.sqlite3"
    return f"sqlite:///{path}", None


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url, schema = _database_url(tmp_path_factory)
    yield url
    if schema:
        base = url.split("?")[0]
        engine = sa.create_engine(base)
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture(scope="session")
def _schema(database_url, tmp_path_factory):
    """Create every table once per run; tests empty them afterwards instead of recreating."""
    app = create_app(_config(database_url, tmp_path_factory.mktemp("instance")))
    with app.app_context():
        db.create_all()
    return True


def _config(database_url: str, instance) -> dict:
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "DATABASE_URL": database_url,
        "WTF_CSRF_ENABLED": False,
        # Hashing strength is not under test here; scrypt would make each login cost ~0.1 s.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "RATELIMIT_ENABLED": False,
        "UPLOAD_DIR": str(instance / "uploads"),
        "SEARCH_INDEX_DIR": str(instance / "search-index"),
        "SERVER_NAME": None,
    }


# Tables that received rows since the last clean-up: emptying only those keeps teardown fast
# (TRUNCATE of every table costs about a second per test on PostgreSQL).
_DIRTY_TABLES: set[str] = set()
_INSERT_RE = re.compile(r'^\s*INSERT\s+(?:OR\s+\w+\s+)?INTO\s+"?(\w+)"?', re.IGNORECASE)


@sa.event.listens_for(sa.engine.Engine, "before_cursor_execute")
def _track_inserts(conn, cursor, statement, parameters, context, executemany):
    match = _INSERT_RE.match(statement)
    if match:
        _DIRTY_TABLES.add(match.group(1))


def _empty_tables() -> None:
    """Delete the rows every test left, child tables first, in one transaction.

    Done in SQL below the ORM, because the audit log refuses ORM deletes. On PostgreSQL the id
    sequences restart too, so every test sees the same ids whichever database runs it.
    """
    dirty = set(_DIRTY_TABLES)
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name in dirty]
    postgres = db.engine.dialect.name == "postgresql"
    for table in tables:
        db.session.execute(table.delete())
    if postgres:
        for table in tables:
            if "id" in table.c:
                db.session.execute(
                    sa.text("SELECT setval(pg_get_serial_sequence(:t, 'id'), 1, false)"), {"t": f'"{table.name}"'}
                )
    db.session.commit()
    _DIRTY_TABLES.difference_update(dirty)


@pytest.fixture
def app_config(database_url, tmp_path):
    """Override in a test module (or parametrize) to change settings for that module."""
    return _config(database_url, tmp_path)


class IsolatedClient(FlaskClient):
    """Each request runs in its own application context, as in a real server.

    The test keeps an app context (and its own database session) open for factories; without this,
    Flask would reuse it for requests and `g` (the logged-in user, the locale) would leak between
    requests. After a request, re-read objects (db.session.refresh / expire_all) to see its changes.
    """

    def open(self, *args, **kwargs):
        def run():
            _cv_app.set(None)
            return FlaskClient.open(self, *args, **kwargs)

        return contextvars.copy_context().run(run)


@pytest.fixture
def app(_schema, app_config):
    app = create_app(app_config)
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


_counter = itertools.count(1)


@pytest.fixture
def make_district(app):
    def make(name: str | None = None) -> District:
        district = District(name=name or f"地区{next(_counter)}")
        db.session.add(district)
        db.session.commit()
        return district

    return make


@pytest.fixture
def make_facility(app, make_district):
    def make(name: str | None = None, kind: str = "公民館") -> Facility:
        facility = Facility(name=name or f"公民館{next(_counter)}", kind=kind, hours="9:00〜21:00")
        db.session.add(facility)
        db.session.commit()
        return facility

    return make


@pytest.fixture
def make_user(app):
    """make_user(role="supporter", status="applied", birth_date=date(2012, 5, 1), login_id="x")."""

    def make(
        login_id: str | None = None,
        *,
        role: str | Role = Role.member,
        status: str | AccountStatus = AccountStatus.verified,
        birth_date: date = date(1980, 1, 1),
        nickname: str | None = None,
        password: str = PASSWORD,
        **fields,
    ) -> User:
        global _PASSWORD_HASH
        if password == PASSWORD:
            _PASSWORD_HASH = _PASSWORD_HASH or hash_password(PASSWORD)
            password_hash = _PASSWORD_HASH
        else:
            password_hash = hash_password(password)
        login_id = login_id or f"user{next(_counter)}"
        user = User(
            login_id=login_id,
            login_key=normalize_login_id(login_id),
            nickname=nickname or login_id,
            password_hash=password_hash,
            birth_date=birth_date,
            role=str(role),
            status=str(status),
            **fields,
        )
        db.session.add(user)
        db.session.commit()
        return user

    return make


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, user_or_login_id, password: str = PASSWORD):
        login_id = getattr(user_or_login_id, "login_id", user_or_login_id)
        return self._client.post("/login", data={"login_id": login_id, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


def disk_full_error(dialect: str) -> Exception:
    """The error the database driver raises when its disk is full, as the driver builds it."""
    if dialect == "postgresql":
        import psycopg.errors

        return psycopg.errors.DiskFull('could not extend file "base/16384/16385": No space left on device')
    import sqlite3

    return sqlite3.OperationalError("database or disk is full")


class DiskFull:
    """fill() makes every write fail as on a full disk, reads keep working; free() makes room again.

    "database": each INSERT/UPDATE/DELETE raises the driver's disk-full error inside SQLAlchemy's
    execution (so it arrives wrapped, as in production). "oserror": every session commit raises
    OSError(ENOSPC), as a file write in the commit's path would.
    """

    _HOOKS = ("do_execute", "do_executemany", "do_execute_no_params")

    def __init__(self, engine, monkeypatch):
        self.engine, self.monkeypatch, self.listening = engine, monkeypatch, False

    def _refuse(self, cursor, statement, *rest):  # do_execute_no_params passes no parameters
        if statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            raise disk_full_error(self.engine.dialect.name)

    def fill(self, kind: str = "database") -> None:
        if kind == "oserror":
            import errno

            from sqlalchemy.orm import Session

            def commit(session):
                raise OSError(errno.ENOSPC, "No space left on device")

            self.monkeypatch.setattr(Session, "commit", commit)
            return
        for name in self._HOOKS:
            sa.event.listen(self.engine, name, self._refuse)
        self.listening = True

    def free(self) -> None:
        self.monkeypatch.undo()
        if self.listening:
            for name in self._HOOKS:
                sa.event.remove(self.engine, name, self._refuse)
            self.listening = False


@pytest.fixture
def disk_full(app, monkeypatch):
    full = DiskFull(db.engine, monkeypatch)
    yield full
    full.free()
