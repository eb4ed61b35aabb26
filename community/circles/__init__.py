"""Circles (サークル): public, private and secret communities with topics, posts and events."""

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    """Bound by community.init_app; the package registers its models, blueprints and CLI here."""
    from community.circles import cli, demo, hooks, models  # noqa: F401 - models register the tables
    from community.circles.views import bp
    from community.core.cli import register_demo_loader
    from community.core.layout import register_nav

    app.register_blueprint(bp)
    app.cli.add_command(cli.circles_cli)
    register_demo_loader(app, 40, demo.load)
    register_nav(app, 40, "circles.index", _l("Circles"))
    hooks.register(app)
