"""Migrations produce exactly the models' schema (autogenerate finds no difference)."""

from __future__ import annotations

import os
import secrets
from urllib.parse import quote

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from app import create_app
from community.extensions import db


def include_object(obj, name, type_, reflected, compare_to):
    # Same rule as migrations/env.py: the SQLite FTS5 tables are created by raw SQL, not models.
    return not (type_ == "table" and reflected and compare_to is None and name.startswith("search_fts"))


def _fresh_database_url(database_url: str, tmp_path) -> tuple[str, callable]:
    if database_url.startswith("postgresql"):
        base = database_url.split("?")[0]
        schema = f"m_{os.getpid()}_{secrets.token_hex(4)}"
        engine = sa.create_engine(base)
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))

        def drop():
            with engine.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            engine.dispose()

        return f"{base}?options={quote(f'-csearch_path={schema}')}", drop
    return f"sqlite:///{tmp_path / 'migrated.sqlite3'}", lambda: None


def test_migrations_match_models(database_url, tmp_path):
    url, drop = _fresh_database_url(database_url, tmp_path)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x" * 40, "INSTANCE_PATH": str(tmp_path)})
    try:
        with app.app_context():
            upgrade()
            with db.engine.connect() as conn:
                context = MigrationContext.configure(
                    conn, opts={"compare_type": True, "render_as_batch": True, "include_object": include_object}
                )
                diff = compare_metadata(context, db.metadata)
            assert diff == [], f"models and migrations differ: {diff}"
            tables = set(sa.inspect(db.engine).get_table_names())
            assert {"user_account", "audit_log", "facility"} <= tables
            db.engine.dispose()
    finally:
        drop()
