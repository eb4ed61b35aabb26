"""Scale-out and fault tests reuse the search factories (city pages, a built index)."""

from tests.search.conftest import make_city_page, search_index  # noqa: F401 - fixtures
