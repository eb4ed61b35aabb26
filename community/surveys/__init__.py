"""Surveys (市政モニター / アンケート): departments ask members; answers are stored unlinked from them.

See community/surveys/models.py for the privacy design and community/policy/surveys.py for the rules.
"""

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    """Bound by community.init_app; registers models, the blueprint, navigation, demo data and hooks."""
    from community.core.cli import register_demo_loader
    from community.core.layout import register_nav
    from community.policy import Capability
    from community.surveys import demo, hooks, models  # noqa: F401 - models register the tables
    from community.surveys.views import bp

    app.register_blueprint(bp)
    register_nav(app, 64, "surveys.index", _l("Surveys"), capability=Capability.read_members)
    register_nav(app, 87, "surveys.manage", _l("Manage surveys"), capability=Capability.publish_official)
    register_demo_loader(app, 64, demo.load)
    hooks.register(app)
