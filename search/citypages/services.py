"""What the staff report and the CLI read about crawls, and the crawler's settings from config."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from community.extensions import db
from search.citypages.crawler import CrawlSettings
from search.citypages.models import CityPage, CrawlRun

CRAWLER_NAME = "TsunagariCrawler/0.1"


def set_defaults(app: Flask) -> None:
    # TSUNAGARI_CRAWL_DELAY, TSUNAGARI_CRAWL_MAX_PAGES, TSUNAGARI_CRAWL_CONTACT_URL override these.
    app.config.setdefault("CRAWL_DELAY", 1.0)
    app.config.setdefault("CRAWL_MAX_PAGES", 1000)
    app.config.setdefault("CRAWL_TIMEOUT", 20.0)
    app.config.setdefault("CRAWL_CONTACT_URL", f"mailto:{app.config.get('CONTACT_EMAIL', '')}")


def user_agent(config) -> str:
    """Tells the city's web team who is crawling and how to reach us."""
    return f"{CRAWLER_NAME} (+{config['CRAWL_CONTACT_URL']})"


def crawl_settings(
    config, *, max_pages: int | None = None, delay: float | None = None, city_name: str | None = None
) -> CrawlSettings:
    """`city_name`: the site settings' name (the CLI passes it); else the configured CITY_NAME."""
    timeout = float(config["CRAWL_TIMEOUT"])
    return CrawlSettings(
        user_agent=user_agent(config),
        delay=float(config["CRAWL_DELAY"] if delay is None else delay),
        max_pages=int(config["CRAWL_MAX_PAGES"] if max_pages is None else max_pages),
        timeout=(min(5.0, timeout), timeout),
        site_names=tuple(n for n in (config.get("CRAWL_SITE_NAME"), city_name or config.get("CITY_NAME")) if n),
    )


def recent_runs(limit: int = 10) -> list[CrawlRun]:
    return list(db.session.scalars(select(CrawlRun).order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc()).limit(limit)))


def page_counts() -> dict[str, int]:
    """Pages in search, and pages removed because the site no longer has them."""
    rows = db.session.execute(
        select(CityPage.removed_at.is_(None), func.count()).group_by(CityPage.removed_at.is_(None))
    ).all()
    counts = {bool(live): n for live, n in rows}
    return {"live": counts.get(True, 0), "removed": counts.get(False, 0)}
