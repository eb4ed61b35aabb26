"""Kiosk mode for shared PCs in libraries and community centres."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Kiosk routes arrive with the kiosk issue; nothing is registered yet."""
