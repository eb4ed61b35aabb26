"""Reports and moderation: supporters report, staff act from a queue, every action audited."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Moderation routes arrive with the moderation issue; nothing is registered yet."""
