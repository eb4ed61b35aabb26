"""公式アカウント: the city's department accounts, their posts, followers and corrections (訂正)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from community.core.cli import register_demo_loader
    from community.core.layout import register_nav
    from community.official import demo, hooks, models  # noqa: F401 - models register the tables
    from community.official.views import bp
    from community.policy import Capability

    app.register_blueprint(bp)
    from community.official.diff import inline_diff

    app.jinja_env.filters["official_diff"] = inline_diff
    register_nav(app, 15, "official.index", _l("Official accounts"))
    register_nav(app, 95, "official.admin_index", _l("Manage official accounts"), Capability.configure_site)
    register_demo_loader(app, 15, demo.load)
    hooks.register(app)
