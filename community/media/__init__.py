"""The shared photo pipeline: validate, orient, strip metadata, re-encode, serve through the policy."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Bound by community.init_app; the package registers its models, blueprints and CLI here."""
