"""Notifications (通知): in the site with an unread count, and by e-mail for members who opt in.

Other packages call `community.notifications.services.notify(...)`, register how to show their
kinds with `register_kind(app, kind, describe_many)` and who may see their targets with
`community.policy.register_notification_target(target_type, visible_ids)`.
"""

from __future__ import annotations

from flask import Flask


def register_kind(app: Flask, kind: str, describe_many) -> None:
    """`describe_many(notifications) -> {notification.id: (text, url)}`, loading targets in bulk."""
    app.extensions.setdefault("tsunagari.notification_kinds", {})[kind] = describe_many


def init_app(app: Flask) -> None:
    from community.notifications import models, services  # noqa: F401 - tables
    from community.notifications.views import bp, header_context

    app.register_blueprint(bp)
    app.context_processor(header_context)
