"""リーチ分析: how often official posts and circle topics are read, aggregated and never per person.

Reading a page adds one to a counter cell (object, local date, hour, weekday, age band); nothing
links a cell to a reader. Official accounts and circle admins see charts and a suggestion of when
to post for an audience. Who may open them is `community.policy.can_view_reach`.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from community.core.cli import register_demo_loader
    from community.core.layout import register_nav
    from community.policy import Capability
    from community.reach import demo, models  # noqa: F401 - models register the table
    from community.reach.views import bp

    app.register_blueprint(bp)
    # Owner pages (a circle, an official account) link to their report when the viewer may open it.
    from community.policy import can_view_reach

    app.add_template_global(can_view_reach)
    register_demo_loader(app, 66, demo.load)
    # Staff reach their departments' pages from here; circle admins from their circle's page.
    register_nav(app, 66, "reach.index", _l("Reach analytics"), Capability.publish_official)
