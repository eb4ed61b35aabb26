"""Diaries (日記) with per-entry visibility, comments, likes, feeds and notifications."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Bound by community.init_app; the package registers its models, blueprints and CLI here."""
