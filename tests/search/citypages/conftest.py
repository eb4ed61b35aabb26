"""The fixture city site (tests/fixtures/citysite) served on 127.0.0.1, and a crawl helper."""

from __future__ import annotations

import pytest

from tests.fixtures.citysite.server import build_city_site, build_other_site


@pytest.fixture
def other_site():
    site = build_other_site().start()
    yield site
    site.stop()


@pytest.fixture
def city_site(other_site):
    site = build_city_site(other_site.base).start()
    yield site
    site.stop()


@pytest.fixture
def crawl_cli(runner):
    """Run `flask citypages crawl` with no delay, as a scheduled job would (but faster)."""

    def run(url: str, *extra: str):
        result = runner.invoke(args=["citypages", "crawl", url, "--delay", "0", *extra])
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        return result

    return run
