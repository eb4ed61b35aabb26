"""利用規約 and プライバシーポリシー: administrators edit and publish versions (/admin/terms); members
read every version (/terms, /privacy) and agree to the current one when they apply or, after a new
version, at their next sign-in. Moderation cites the articles of the current 利用規約."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from community.core.cli import register_demo_loader
    from community.terms import demo, models  # noqa: F401 - models register the tables
    from community.terms.views import bp

    app.register_blueprint(bp)
    register_demo_loader(app, 85, demo.load)  # after every loader that adds members: all have agreed
