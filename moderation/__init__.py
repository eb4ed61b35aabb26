"""Reports and moderation: supporters report, staff act from a queue, every action audited.

Settings (with defaults): MODERATION_AUTO_HIDE_THRESHOLD = 3 distinct reporters (0 turns auto-hide
off), MODERATION_SUPPORTER_WEIGHT = 2 (a supporter's report counts twice), staff cite the
articles of the current 利用規約 (community/terms); MODERATION_RULES = placeholders offered only
until the city publishes its terms (see moderation/reasons.py).
"""

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from community.core.layout import register_nav
    from community.policy import Capability
    from moderation import adapters, models, notify  # noqa: F401 - models registers the tables
    from moderation.views import bp

    app.config.setdefault("MODERATION_AUTO_HIDE_THRESHOLD", 3)
    app.config.setdefault("MODERATION_SUPPORTER_WEIGHT", 2)
    app.register_blueprint(bp)
    adapters.register_landed_kinds(app)
    notify.init_app(app)
    _let_suspended_members_appeal()
    register_nav(app, 80, "moderation.patrol", _l("Patrol"), capability=Capability.patrol)
    register_nav(app, 85, "moderation.queue", _l("Moderation"), capability=Capability.moderate)

    from community.core.generate import register_generator
    from moderation.generate import generate_reports

    register_generator(app, 60, generate_reports)


def _let_suspended_members_appeal() -> None:
    """A suspended member must be able to read why and appeal (issue 7). Accounts confines them to
    an allow-list of endpoints; until it offers a registration hook, moderation adds its two pages."""
    try:
        from community.accounts.views import SUSPENDED_ALLOWED
    except ImportError:  # pragma: no cover
        return
    SUSPENDED_ALLOWED.update({"moderation.notices", "moderation.appeal", "moderation.static"})
