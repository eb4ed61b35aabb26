"""`flask search ...`: rebuild, check, drain, and run a search exactly as the site would."""

from __future__ import annotations

import json
import time

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from community.extensions import db
from search import indexing, services
from search.backends import SearchFilters, SearchUnavailable, backend_name
from search.sources import SOURCE_LABELS

search_cli = AppGroup("search", help="Cross-search (横断検索) index commands.")


@search_cli.command("reindex")
def reindex_command() -> None:
    """Rebuild the whole index from the database."""
    total = indexing.count_rows()
    with click.progressbar(length=total, label=f"Indexing ({backend_name()})") as bar:
        count = indexing.reindex(progress=bar.update)
    click.echo(f"Indexed {count} documents.")


@search_cli.command("check")
def check_command() -> None:
    """Report documents missing from or stale in the index (exit 1 if any, or if it cannot be read)."""
    try:
        report = indexing.check()
    except SearchUnavailable as exc:
        db.session.rollback()
        raise click.ClickException(f"{exc}") from exc
    click.echo(f"expected {report.expected}, indexed {report.indexed}, outbox {report.outbox}")
    for label, keys in (("missing", report.missing), ("stale", report.stale), ("not in the database", report.extra)):
        if keys:
            click.echo(f"{label}: {len(keys)}")
            for kind, object_id in keys[:50]:
                click.echo(f"  {kind}:{object_id}")
    if not report.ok:
        click.echo("Run `flask search drain` (or `flask search reindex`) to repair.")
        raise SystemExit(1)
    click.echo("The index is up to date.")


@search_cli.command("drain")
@click.option("--loop", is_flag=True, help="Keep draining (a worker process).")
@click.option("--interval", default=1.0, show_default=True, help="Seconds between polls with --loop.")
def drain_command(loop: bool, interval: float) -> None:
    """Apply pending index updates from the outbox."""
    while True:
        try:
            count = indexing.drain_all()
        except SearchUnavailable as exc:
            db.session.rollback()
            if not loop:
                raise click.ClickException(str(exc)) from exc
            count = 0
        if not loop:
            click.echo(f"Applied {count} outbox entries.")
            return
        db.session.remove()
        time.sleep(interval)


@search_cli.command("query")
@click.argument("text")
@click.option("--as", "login_id", default=None, help="Search as this member (login ID); default: not logged in.")
@click.option("--source", type=click.Choice(list(SOURCE_LABELS)), default=None)
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance")
@click.option("--page", default=1, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def query_command(text: str, login_id: str | None, source: str | None, sort: str, page: int, as_json: bool) -> None:
    """Search as the site would for the given viewer."""
    from flask_login import AnonymousUserMixin

    from community.accounts.models import User, normalize_login_id

    viewer = AnonymousUserMixin()
    if login_id:
        viewer = db.session.scalar(select(User).where(User.login_key == normalize_login_id(login_id)))
        if viewer is None:
            raise click.ClickException(f"no member with login ID {login_id!r}")
    filters = SearchFilters(sources=(source,) if source else ())
    try:
        # Inside a request context, as on the site: result URLs and labels are built the same way.
        with current_app.test_request_context("/search/"):
            outcome = services.search(text, viewer, filters, sort=sort, page=page)
    except SearchUnavailable as exc:
        raise click.ClickException(f"search is unavailable: {exc}") from exc
    rows = [
        {
            "kind": r.kind,
            "id": r.object_id,
            "source": r.source,
            "title": str(r.title.striptags()),
            "url": r.url,
            "date": r.date.isoformat() if r.date else None,
            "snippet": str(r.snippet.striptags()),
        }
        for r in outcome.results
    ]
    if as_json:
        click.echo(json.dumps({"results": rows, "has_next": outcome.has_next,
                               "suggestions": [s.query for s in outcome.suggestions]}, ensure_ascii=False))
        return
    if not rows:
        click.echo("No results.")
    for row in rows:
        click.echo(f"[{row['source']}] {row['title']}  {row['url']}")
        click.echo(f"    {row['snippet']}")
