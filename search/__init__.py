"""Cross-search (横断検索) over city pages and community content."""

from flask import Flask


def init_app(app: Flask) -> None:
    from search.citypages import models  # noqa: F401 - registers the city_page table
