"""Cross-search (横断検索) over city pages and community content."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Search is bound here once the search package lands."""
