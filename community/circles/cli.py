"""`flask circles ...`: housekeeping run by cron."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from community.extensions import db

circles_cli = AppGroup("circles", help="Circle commands.")


@circles_cli.command("remind")
@click.option("--hours", default=24, show_default=True, help="Remind of events starting within this many hours.")
def remind_command(hours: int) -> None:
    """Notify participants of events starting soon (each event once); run it hourly."""
    from datetime import timedelta

    from community.circles.services import send_reminders

    sent = send_reminders(within=timedelta(hours=hours))
    db.session.commit()
    click.echo(f"Sent {sent} event reminders.")
