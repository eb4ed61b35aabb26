"""The city's official web pages (市のページ), imported by a polite crawler for cross-search."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from community.core.cli import register_demo_loader
    from search.citypages import demo, models  # noqa: F401 - models registers the tables
    from search.citypages.cli import citypages_cli
    from search.citypages.page import bp as page_bp
    from search.citypages.services import set_defaults
    from search.citypages.views import bp

    set_defaults(app)
    app.register_blueprint(bp)
    app.register_blueprint(page_bp)  # the page itself, with 「このページは役に立ちましたか」
    app.cli.add_command(citypages_cli)
    register_demo_loader(app, 50, demo.load)

    from community.core.generate import register_generator
    from search.citypages.generate import generate_city_pages

    register_generator(app, 50, generate_city_pages)
