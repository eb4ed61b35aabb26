"""Circles (サークル): public, private and secret communities with topics, posts and events."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Bound by community.init_app; the package registers its models, blueprints and CLI here."""
