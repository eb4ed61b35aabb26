"""`flask citypages ...`: import the city's website and read the last crawl's report."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from community.core.settings import site_settings
from community.extensions import db
from search.citypages.crawler import crawl
from search.citypages.services import crawl_settings, recent_runs

citypages_cli = AppGroup("citypages", help="The city's website (市のページ) for cross-search.")


def _summary(run) -> str:
    lines = [
        f"Crawl #{run.id} of {run.start_url}",
        f"  fetched {run.pages_fetched}: new {run.pages_new}, updated {run.pages_updated}, "
        f"unchanged {run.pages_unchanged}, removed {run.pages_removed}; "
        f"skipped by robots.txt {run.skipped_by_robots}; errors {run.error_count}",
    ]
    if run.hit_page_limit:
        lines.append("  stopped at the page limit (--max-pages / TSUNAGARI_CRAWL_MAX_PAGES)")
    lines += [f"  error: {e['url']}: {e['message']}" for e in (run.errors or [])[:20]]
    return "\n".join(lines)


@citypages_cli.command("crawl")
@click.argument("url", required=False)
@click.option("--max-pages", type=click.IntRange(min=1), default=None, help="Fetch at most this many pages.")
@click.option(
    "--delay", type=click.FloatRange(min=0), default=None, help="Seconds between requests (robots.txt may ask more)."
)
def crawl_command(url: str | None, max_pages: int | None, delay: float | None) -> None:
    """Import the city's website, starting from its sitemap.xml or from URL (default: the web site
    given to `flask tsunagari init`)."""
    city = site_settings()
    url = url or city.city_website
    if not url:
        raise click.UsageError("Give the URL of the city's web site (or set it with `flask tsunagari init`).")
    settings = crawl_settings(current_app.config, max_pages=max_pages, delay=delay, city_name=city.city_name)
    try:
        run = crawl(url, settings, commit=db.session.commit)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="URL") from exc
    click.echo(_summary(run))
    if run.pages_fetched == 0 and run.error_count:
        raise SystemExit(1)  # cron mails the output when the site could not be read at all


@citypages_cli.command("report")
def report_command() -> None:
    """Print the last crawl's report."""
    runs = recent_runs(limit=1)
    if not runs:
        click.echo("No crawl has run yet.")
        return
    click.echo(_summary(runs[0]))
