"""Cross-search (横断検索) over city pages and community content."""

from flask import Flask


def init_app(app: Flask) -> None:
    from search import citypages

    citypages.init_app(app)  # city_page tables, `flask citypages`, /staff/citypages, demo pages
