"""Engine settings per database: SQLite gets WAL, foreign keys and a busy timeout; PostgreSQL no JIT."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, TypeDecorator, event
from sqlalchemy.engine import Engine


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on every database (SQLite forgets the zone; we put it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


@event.listens_for(Engine, "connect")
def _connection_settings(dbapi_connection, connection_record):
    module = type(dbapi_connection).__module__
    if module.startswith("psycopg"):
        # JIT is for analytic queries. The policy's per-row sub-selects make the planner over-estimate
        # short LIMIT queries past jit_above_cost, and compiling then costs 60-500 ms for a statement
        # that runs in 1 ms (docs/benchmarks.md, "Profiles at 100,000 members").
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET jit = off")
        dbapi_connection.commit()
        return
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    # WAL lets readers and one writer work at once; the busy timeout makes writers wait, not fail.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
