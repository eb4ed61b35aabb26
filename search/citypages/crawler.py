"""A polite crawler for the city's website: one host, robots.txt, a delay, a page limit, re-crawls
that only rewrite what changed.

The crawl flushes its work; the caller passes `commit`, called after every page, so a long crawl
never holds the database's write lock and what it stored survives an interruption.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from urllib import robotparser
from urllib.parse import urldefrag, urljoin, urlsplit

import requests
from lxml import etree
from sqlalchemy import select, update

from community.core.database import utcnow
from community.extensions import db
from search.citypages.extract import decode_html, extract, same_site
from search.citypages.models import CityPage, CrawlRun

log = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024  # a city page is never this big; a runaway response must not fill memory
MAX_REDIRECTS = 5
MAX_URL_LENGTH = 2000  # CityPage.url's column
MAX_SITEMAPS = 50
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@dataclass
class CrawlSettings:
    user_agent: str
    delay: float = 1.0
    max_pages: int = 1000
    timeout: tuple[float, float] = (5.0, 20.0)  # connect, read
    site_names: tuple[str, ...] = ()


class _Fetched:
    def __init__(self, url: str, status: int, headers, content: bytes):
        self.url, self.status, self.headers, self.content = url, status, headers, content


class OffHostRedirect(Exception):
    pass


class RobotsDisallowed(Exception):
    pass


class Crawler:
    def __init__(
        self,
        settings: CrawlSettings,
        *,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        commit: Callable[[], None] = lambda: None,
    ):
        self.settings = settings
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = settings.user_agent
        self.session.headers.setdefault("Accept-Language", "ja,en;q=0.5")
        self._sleep = sleep
        self._commit = commit
        self._last_request: float | None = None
        self.delay = settings.delay
        self.robots = robotparser.RobotFileParser()

    # -- HTTP -------------------------------------------------------------------------------------

    def _wait(self) -> None:
        if self._last_request is not None and self.delay > 0:
            remaining = self.delay - (time.monotonic() - self._last_request)
            if remaining > 0:
                self._sleep(remaining)
        self._last_request = time.monotonic()

    def _get_once(self, url: str, headers: dict | None = None) -> requests.Response:
        self._wait()
        response = self.session.get(
            url, headers=headers or {}, timeout=self.settings.timeout, allow_redirects=False, stream=True
        )
        try:
            chunks, size = [], 0
            for chunk in response.iter_content(64 * 1024):
                chunks.append(chunk)
                size += len(chunk)
                if size > MAX_BYTES:
                    break
            response._content = b"".join(chunks)[:MAX_BYTES]
        finally:
            response.close()
        return response

    def get(self, url: str, headers: dict | None = None) -> _Fetched:
        """GET following redirects by hand, so that every hop is checked against the host and robots."""
        for _hop in range(MAX_REDIRECTS + 1):
            response = self._get_once(url, headers)
            if response.status_code in (301, 302, 303, 307, 308) and response.headers.get("Location"):
                target = urldefrag(urljoin(url, response.headers["Location"]))[0]
                if not same_site(target, self.host):
                    raise OffHostRedirect(target)
                if not self.robots.can_fetch(self.settings.user_agent, target):
                    raise RobotsDisallowed(target)
                url = target
                # Validators belong to the first URL; the target is fetched unconditionally.
                headers = None
                continue
            return _Fetched(url, response.status_code, response.headers, response.content)
        raise requests.TooManyRedirects(url)

    # -- robots.txt and sitemaps ------------------------------------------------------------------

    def _load_robots(self, root: str) -> list[str] | None:
        """The sitemaps robots.txt names; None when the site cannot be reached at all."""
        robots_url = root + "/robots.txt"
        self.robots.set_url(robots_url)
        try:
            fetched = self.get(robots_url)
        except (requests.RequestException, OffHostRedirect, RobotsDisallowed) as exc:
            # Unreachable robots.txt: crawling blind could break the site's rules, so stop.
            self.run.add_error(robots_url, f"robots.txt: {_describe(exc)}")
            return None
        if fetched.status in (401, 403):
            self.robots.disallow_all = True
        elif fetched.status >= 500:
            self.run.add_error(robots_url, f"robots.txt: HTTP {fetched.status}")
            self.robots.disallow_all = True
        elif fetched.status >= 400:
            self.robots.allow_all = True
        else:
            text, _codec = decode_html(fetched.content, fetched.headers.get("Content-Type"))
            self.robots.parse(text.splitlines())
        delay = self.robots.crawl_delay(self.settings.user_agent)
        if delay is not None:
            self.delay = max(self.delay, float(delay))
        return list(self.robots.site_maps() or [])

    def _sitemap_pages(self, sitemap_urls: list[str], guessed: str | None = None) -> list[str]:
        """Page URLs from sitemaps, following sitemap indexes; `guessed` (/sitemap.xml) may be absent."""
        pages: list[str] = []
        queue, seen = deque(sitemap_urls), set()
        while queue and len(seen) < MAX_SITEMAPS:
            url = queue.popleft()
            if url in seen or not same_site(url, self.host):
                continue
            seen.add(url)
            if not self.robots.can_fetch(self.settings.user_agent, url):
                self.run.skipped_by_robots += 1
                continue
            try:
                fetched = self.get(url)
            except (requests.RequestException, OffHostRedirect, RobotsDisallowed) as exc:
                self.run.add_error(url, str(exc))
                continue
            if fetched.status != 200:
                if url != guessed:
                    self.run.add_error(url, f"sitemap: HTTP {fetched.status}")
                continue
            try:
                tree = etree.fromstring(
                    fetched.content, parser=etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
                )
            except etree.XMLSyntaxError as exc:
                self.run.add_error(url, f"sitemap: {exc}")
                continue
            if tree is None:
                continue
            locs = [(loc.text or "").strip() for loc in tree.iter(f"{_SITEMAP_NS}loc", "loc")]
            if etree.QName(tree).localname == "sitemapindex":
                queue.extend(loc for loc in locs if loc)
            else:
                pages.extend(loc for loc in locs if loc)
        return pages

    # -- the crawl --------------------------------------------------------------------------------

    def crawl(self, start_url: str) -> CrawlRun:
        start_url = normalize_url(start_url.strip())
        parts = urlsplit(start_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"not an http(s) URL: {start_url}")
        self.host = parts.netloc
        root = f"{parts.scheme}://{parts.netloc}"

        self.run = CrawlRun(start_url=start_url, started_at=utcnow(), errors=[])
        db.session.add(self.run)
        db.session.flush()
        self._commit()

        sitemaps = self._load_robots(root)
        if sitemaps is None:
            return self._finish()
        guessed = None
        if parts.path.endswith(".xml"):
            sitemaps.insert(0, start_url)
            seeds = []
        else:
            if not sitemaps:  # robots.txt names none: try the usual place
                guessed = root + "/sitemap.xml"
                sitemaps.append(guessed)
            seeds = [start_url]
        seeds = self._sitemap_pages(list(dict.fromkeys(sitemaps)), guessed) + seeds
        # Known pages are revisited too: a page no longer linked may now answer 404 or 410.
        known = db.session.scalars(select(CityPage.url).where(CityPage.removed_at.is_(None)).order_by(CityPage.id))
        urls = [normalize_url(u) for u in [*seeds, *known]]
        queue = deque(u for u in dict.fromkeys(urls) if same_site(u, self.host))
        seen = set(queue)
        self._visited: set[str] = set()

        while queue:
            if self.run.pages_fetched >= self.settings.max_pages:
                self.run.hit_page_limit = True
                break
            url = queue.popleft()
            if url in self._visited:  # reached earlier through a redirect
                continue
            if not self.robots.can_fetch(self.settings.user_agent, url):
                self.run.skipped_by_robots += 1
                continue
            try:
                links = self._crawl_page(url)
            except (requests.RequestException, OffHostRedirect, RobotsDisallowed) as exc:
                self.run.add_error(url, _describe(exc))
                links = []
            except Exception as exc:  # noqa: BLE001 - one odd page must not end the whole crawl
                log.exception("crawling %s failed", url)
                self.run.add_error(url, f"{type(exc).__name__}: {exc}")
                links = []
            for link in map(normalize_url, links):
                if link not in seen and len(link) <= MAX_URL_LENGTH and same_site(link, self.host):
                    seen.add(link)
                    queue.append(link)
            db.session.flush()
            self._commit()

        return self._finish()

    def _finish(self) -> CrawlRun:
        self.run.finished_at = utcnow()
        db.session.flush()
        self._commit()
        return self.run

    def _crawl_page(self, url: str) -> list[str]:
        page = db.session.scalar(select(CityPage).where(CityPage.url == url))
        headers = {}
        if page is not None and page.removed_at is None:
            if page.etag:
                headers["If-None-Match"] = page.etag
            if page.last_modified:
                headers["If-Modified-Since"] = page.last_modified
        fetched = self.get(url, headers)
        self.run.pages_fetched += 1
        self._visited.update((url, fetched.url))

        if fetched.status == 304:
            self.run.pages_unchanged += 1
            return []
        if fetched.status in (404, 410):
            if page is not None and page.removed_at is None:
                page.removed_at = utcnow()
                self.run.pages_removed += 1
            elif page is None:
                self.run.add_error(url, f"HTTP {fetched.status}")  # a broken link on the city's site
            return []
        if fetched.status != 200:
            self.run.add_error(url, f"HTTP {fetched.status}")
            return []

        if fetched.url != url and page is not None and page.removed_at is None:
            # The page moved: its old address leaves search, the new one is stored under its own URL.
            page.removed_at = utcnow()
            self.run.pages_removed += 1
        content_type = fetched.headers.get("Content-Type", "")
        if content_type.split(";")[0].strip().lower() not in _HTML_TYPES:
            return []
        if len(fetched.url) > MAX_URL_LENGTH:
            self.run.add_error(fetched.url[:300], "address too long to store")
            return []
        text, _codec = decode_html(fetched.content, content_type)
        extracted = extract(text, fetched.url, self.settings.site_names)
        if fetched.url != url:
            page = db.session.scalar(select(CityPage).where(CityPage.url == fetched.url))
        if extracted.noindex:
            if page is not None and page.removed_at is None:
                page.removed_at = utcnow()
                self.run.pages_removed += 1
            return extracted.links
        self._store(page, fetched, extracted)
        return extracted.links

    def _store(self, page: CityPage | None, fetched: _Fetched, extracted) -> None:
        etag = (fetched.headers.get("ETag") or "")[:200]
        last_modified = (fetched.headers.get("Last-Modified") or "")[:100]
        digest = extracted.content_hash
        if page is not None and page.removed_at is None and page.content_hash == digest:
            self.run.pages_unchanged += 1
            if (page.etag, page.last_modified) != (etag, last_modified):
                # New validators for the same content: written below the ORM so that search's
                # change listeners, which watch the page's content, are not told to reindex it.
                db.session.execute(
                    update(CityPage).where(CityPage.id == page.id).values(etag=etag, last_modified=last_modified)
                )
            return
        if page is None:
            page = CityPage(url=fetched.url)
            db.session.add(page)
            self.run.pages_new += 1
        else:
            self.run.pages_updated += 1
        page.title = extracted.title or fetched.url
        page.body = extracted.body
        page.department = extracted.department
        page.page_updated_on = extracted.updated_on
        page.etag = etag
        page.last_modified = last_modified
        page.content_hash = digest
        page.fetched_at = utcnow()
        page.removed_at = None


def normalize_url(url: str) -> str:
    """One spelling per page: no fragment, and "/" for an empty path."""
    url = urldefrag(url)[0]
    parts = urlsplit(url)
    if not parts.path and parts.netloc:
        url = parts._replace(path="/").geturl()
    return url


def _describe(exc: Exception) -> str:
    if isinstance(exc, OffHostRedirect):
        return f"redirect to another site, not followed: {exc}"
    if isinstance(exc, RobotsDisallowed):
        return f"redirect to a page robots.txt disallows: {exc}"
    if isinstance(exc, requests.Timeout):
        return "timed out"
    if isinstance(exc, requests.ConnectionError):
        return "could not connect"
    return f"{type(exc).__name__}: {exc}"


def crawl(start_url: str, settings: CrawlSettings, **kwargs) -> CrawlRun:
    return Crawler(settings, **kwargs).crawl(start_url)
