"""Accounts: application, in-person verification, roles, sign-in."""

from __future__ import annotations

import click
from flask import Flask

# Deployers may override these with TSUNAGARI_<KEY> environment variables.
DEFAULTS = {
    "APPLICATION_EXPIRY_DAYS": 30,
    "LOGIN_FAILURE_LIMIT": 5,  # failures per login ID before the first wait
    "LOGIN_LOCK_MINUTES": 15,  # the first wait; it doubles with each further failure
    "LOGIN_IP_LIMIT": "30 per 15 minutes",  # POSTs to sign-in forms per address (Flask-Limiter syntax)
}


@click.command("expire-applications")
def expire_applications_command() -> None:
    """Delete applications not verified within APPLICATION_EXPIRY_DAYS (run daily from cron)."""
    from community.accounts.services import expire_applications
    from community.extensions import db

    count = expire_applications()
    db.session.commit()
    click.echo(f"{count} expired application(s) deleted.")


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from community.accounts import selfservice
    from community.accounts.setup import create_admin_command, init_command
    from community.accounts.staff import bp as staff_bp
    from community.core.cli import tsunagari_cli
    from community.core.layout import register_nav
    from community.policy import Capability

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    # Hooks that return True exempt a request from the per-IP sign-in limit (kiosks add one).
    app.extensions.setdefault("tsunagari.ratelimit_exempt", [])
    app.register_blueprint(staff_bp)
    selfservice.register(app)
    tsunagari_cli.add_command(expire_applications_command)
    tsunagari_cli.add_command(init_command)
    tsunagari_cli.add_command(create_admin_command)
    register_nav(app, 90, "staff.dashboard", _l("Staff counter"), capability=Capability.verify_accounts)
