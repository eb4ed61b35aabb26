"""Search fixtures. Test modules import `app_config` from here so that every search test runs on
both backends (Whoosh files and the database's own full-text search)."""

from __future__ import annotations

import pytest

from tests.conftest import _config

BACKENDS = ["whoosh", "database"]


@pytest.fixture(params=BACKENDS)
def app_config(request, database_url, tmp_path):
    config = _config(database_url, tmp_path)
    config["SEARCH_BACKEND"] = request.param
    return config


def titles(client, query: str, **params) -> list[str]:
    """The result titles a viewer sees on /search (tags stripped)."""
    import re

    response = client.get("/search/", query_string={"q": query, **params})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    html = response.get_data(as_text=True)
    found = re.findall(r'<h3 class="search-result__title"><a [^>]*>(.*?)</a></h3>', html, re.S)
    return [re.sub(r"<[^>]+>", "", t) for t in found]
