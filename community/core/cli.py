"""`flask tsunagari ...`: demo data and site housekeeping."""

from __future__ import annotations

from collections.abc import Callable

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from community.extensions import db

tsunagari_cli = AppGroup("tsunagari", help="Tsunagari site commands.")

DemoLoader = Callable[[], None]


def register_demo_loader(app: Flask, order: int, loader: DemoLoader) -> None:
    """Each feature package adds its part of the demo city; lower order runs first."""
    app.extensions.setdefault("tsunagari.demo", []).append((order, loader))


def database_is_empty() -> bool:
    from community.accounts.models import User

    return (db.session.scalar(select(func.count()).select_from(User)) or 0) == 0


def load_demo() -> bool:
    """Fill an empty database with the demo city; returns False (and changes nothing) otherwise."""
    if not database_is_empty():
        return False
    for _order, loader in sorted(current_app.extensions.get("tsunagari.demo", []), key=lambda item: item[0]):
        loader()
        db.session.flush()
    db.session.commit()
    return True


@tsunagari_cli.command("demo")
def demo_command() -> None:
    """Load the demo city into an empty database (does nothing if members exist)."""
    if load_demo():
        click.echo("Demo city loaded. Log in as hanako / tsunagari-demo-2026 (see README).")
    else:
        click.echo("The database already has members; demo data was not loaded.")


def _add_generate() -> None:
    from community.core.generate import generate_command

    tsunagari_cli.add_command(generate_command)


_add_generate()
