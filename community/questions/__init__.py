"""Questions to the city (市への質問), FAQ (よくある質問) and 「このページは役に立ちましたか」.

A member asks a department (an official account) publicly or privately; the department's staff
answer as the department; an answered public question can become a FAQ entry. Search (which
community may not import) publishes the FAQ search as `app.extensions["tsunagari.faq_search"]`
and registers city pages as a feedback target in `app.extensions["tsunagari.feedback_targets"]`.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def register_feedback_target(app: Flask, kind: str, describe) -> None:
    """`describe(target_id) -> (title, url)` or None when the page is gone or not visible."""
    app.extensions.setdefault("tsunagari.feedback_targets", {})[kind] = describe


def init_app(app: Flask) -> None:
    from community.core.cli import register_demo_loader
    from community.core.layout import register_nav
    from community.policy import Capability
    from community.questions import demo, hooks, models  # noqa: F401 - models register the tables
    from community.questions.views import _describe_faq, bp

    app.register_blueprint(bp)
    register_nav(app, 62, "questions.index", _l("Questions to the city"))
    register_nav(app, 63, "questions.faq_index", _l("FAQ"))
    register_nav(app, 86, "questions.queue", _l("Question queue"), Capability.publish_official)
    register_demo_loader(app, 62, demo.load)
    register_feedback_target(app, "faq", _describe_faq)
    hooks.register(app)
