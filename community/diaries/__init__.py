"""Diaries (日記) with per-entry visibility, comments, likes, feeds and notifications."""

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from community.core.cli import register_demo_loader
    from community.core.layout import register_nav
    from community.diaries import demo, hooks, models  # noqa: F401 - models register the tables
    from community.diaries.forms import VISIBILITY_LABELS
    from community.diaries.text import excerpt, render_body
    from community.diaries.views import bp

    app.register_blueprint(bp)
    app.jinja_env.filters["diary_body"] = render_body
    app.jinja_env.filters["diary_excerpt"] = excerpt
    app.jinja_env.globals["visibility_labels"] = VISIBILITY_LABELS
    register_nav(app, 20, "diaries.index", _l("Diaries"))
    register_demo_loader(app, 30, demo.load)
    hooks.register(app)
