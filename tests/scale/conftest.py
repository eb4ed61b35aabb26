"""Fixtures for the scale tests: count the SQL statements a request runs."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from community.extensions import db
from tests.conftest import _config


@pytest.fixture
def app_config(database_url, tmp_path):
    config = _config(database_url, tmp_path)
    # The database backend (as the scale set-up uses): results come from SQL, no index files.
    config["SEARCH_BACKEND"] = "database"
    return config


class StatementCounter:
    """`count(client.get, url)` -> (statements, response); every statement the request sent."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.statements: list[str] = []

    def _listen(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    def get(self, client, url: str, expect: int = 200):
        self.statements = []
        event.listen(self.engine, "before_cursor_execute", self._listen)
        try:
            response = client.get(url)
        finally:
            event.remove(self.engine, "before_cursor_execute", self._listen)
        assert response.status_code == expect, (url, response.status_code, response.get_data(as_text=True)[:800])
        return len(self.statements), response


@pytest.fixture
def statements(app):
    return StatementCounter(db.engine)
