"""管理 (administration): facilities, districts and staff accounts, for administrators only.

Every route asks one capability (Capability.configure_site); every change is audited with what
it was before and after.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from community.admin.views import bp
    from community.core.layout import register_nav
    from community.policy import Capability

    app.register_blueprint(bp)
    register_nav(app, 99, "admin.index", _l("Administration"), Capability.configure_site)
