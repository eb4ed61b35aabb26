"""Profiles, friends (友達), blocks, withdrawal (退会) and "download my data"."""

from flask import Flask
from flask_babel import lazy_gettext as _l

WITHDRAWN_CONTENT_CHOICES = ("keep", "delete")


def init_app(app: Flask) -> None:
    from community.core.cli import register_demo_loader
    from community.core.layout import register_nav
    from community.social import demo, models, notify  # noqa: F401 - models registers the tables
    from community.social.hooks import EXPORT, WITHDRAW
    from community.social.views import bp

    # TSUNAGARI_WITHDRAWN_CONTENT: what happens to a withdrawn member's posts, city-wide.
    app.config.setdefault("WITHDRAWN_CONTENT", "keep")
    if app.config["WITHDRAWN_CONTENT"] not in WITHDRAWN_CONTENT_CHOICES:
        raise RuntimeError("TSUNAGARI_WITHDRAWN_CONTENT must be 'keep' or 'delete'.")
    app.extensions.setdefault(WITHDRAW, [])
    app.extensions.setdefault(EXPORT, [])
    app.register_blueprint(bp)
    register_nav(app, 20, "social.friends", _l("Friends"))
    register_demo_loader(app, 20, demo.load)
    notify.register(app)
    from community.policy import register_photo_owner
    from community.policy.social import can_view_avatar

    register_photo_owner("avatar", can_view_avatar)
