"""Tsunagari's application factory. Extensions live in community.extensions; each package binds itself."""

from __future__ import annotations

import os

from flask import Flask


def create_app(config: dict | None = None) -> Flask:
    # instance/ holds the SQLite database, the search index, uploads and the generated secret key.
    instance_path = (config or {}).get("INSTANCE_PATH") or os.environ.get("TSUNAGARI_INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_path=os.path.abspath(instance_path) if instance_path else None,
        instance_relative_config=True,
    )

    from community.core.config import load_config

    load_config(app, config)

    import community
    import kiosk
    import moderation
    import search

    community.init_app(app)
    search.init_app(app)
    moderation.init_app(app)
    kiosk.init_app(app)
    return app
