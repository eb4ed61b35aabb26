"""Cross-search (横断検索) over city pages and community content."""

from __future__ import annotations

from flask import Flask, g


def init_app(app: Flask) -> None:
    from search import adapters, citypages, indexing
    from search import models as _models  # noqa: F401 - registers the search tables

    citypages.init_app(app)

    adapters.register_all()
    indexing.listen()

    from search.cli import search_cli
    from search.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(search_cli)
    app.extensions.setdefault("tsunagari.health", {})["search"] = indexing.health

    from community.core.cli import register_demo_loader

    register_demo_loader(app, 90, demo_index)

    from community.core.backup import register_restore_hook

    register_restore_hook(app, indexing.reindex)  # the index is never backed up: rebuilt after a restore

    @app.after_request
    def drain_after_commit(response):
        # Content committed in this request: index it after the response has gone out.
        if g.get("search_outbox_written"):
            response.call_on_close(lambda: indexing.drain_quietly(app))
        return response


def demo_index() -> None:
    """Build the index from the demo data (read inside the demo's own transaction)."""
    from community.extensions import db
    from search import indexing
    from search.backends import get_backend

    db.session.flush()
    get_backend().rebuild(indexing.all_documents(expunge=False))
    # Everything just loaded is indexed: nothing left for the outbox.
    db.session.info.pop(indexing.PENDING, None)
