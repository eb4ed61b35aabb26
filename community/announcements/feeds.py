"""Feeds for the city's other systems: Atom 1.0 of current announcements, JSON of current emergencies.

Both are public and the same for every reader, so shared caches may keep them for a minute.
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from datetime import datetime

from flask import Response, current_app, json, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from community.announcements.models import Announcement
from community.announcements.services import current_announcements, current_emergencies
from community.core.database import utcnow
from community.core.i18n import TOKYO
from community.core.settings import site_settings
from community.extensions import db

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CACHE_CONTROL = "public, max-age=60"
EMERGENCY_CATEGORY = "emergency"
# Characters XML 1.0 cannot carry at all (a pasted control character must not break every reader).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def iso(value: datetime | None) -> str | None:
    """RFC 3339 / ISO 8601 in Japan time with its offset, e.g. 2026-11-23T09:00:00+09:00."""
    return value.astimezone(TOKYO).isoformat(timespec="seconds") if value is not None else None


def _clean(text: str | None) -> str:
    return _NOT_XML.sub("", text or "")


def _url(item: Announcement) -> str:
    return url_for("announcements.show", announcement_id=item.id, _external=True)


def _feed_updated(items: list[Announcement]) -> datetime:
    """The last change a reader could notice: a new or renewed entry, a withdrawal, an expiry."""
    now = utcnow()
    candidates = [item.last_updated for item in items]
    published = Announcement.published_at <= now
    candidates.append(db.session.scalar(select(func.max(Announcement.withdrawn_at)).where(published)))
    candidates.append(db.session.scalar(
        select(func.max(Announcement.expires_at)).where(published, Announcement.expires_at <= now)
    ))
    candidates = [c for c in candidates if c is not None]
    return max(candidates) if candidates else now.replace(minute=0, second=0, microsecond=0)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = _clean(text)
    return element


def atom_document(items: list[Announcement]) -> bytes:
    site = current_app.config["SITE_NAME"]
    city = site_settings().city_name
    # Unprefixed Atom elements: the namespace is declared once on <feed> (ElementTree would add ns0:).
    feed = ET.Element("feed", {"xmlns": ATOM_NS, XML_LANG: "ja"})
    _sub(feed, "id", url_for("announcements.feed", _external=True))
    _sub(feed, "title", _("%(site)s: announcements", site=site))
    _sub(feed, "subtitle", _("Current announcements and emergency notices from %(city)s.",
                             city=city))
    _sub(feed, "updated", iso(_feed_updated(items)))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=url_for("announcements.feed", _external=True))
    _sub(feed, "link", rel="alternate", type="text/html", href=url_for("announcements.index", _external=True))
    author = _sub(feed, "author")
    _sub(author, "name", city)
    for item in items:
        entry = _sub(feed, "entry")
        _sub(entry, "id", _url(item))
        _sub(entry, "title", item.title, type="text")
        _sub(entry, "link", rel="alternate", type="text/html", href=_url(item))
        _sub(entry, "published", iso(item.published_at))
        _sub(entry, "updated", iso(item.last_updated))
        entry_author = _sub(entry, "author")
        _sub(entry_author, "name", item.source_name or city)
        if item.is_emergency:
            _sub(entry, "category", term=EMERGENCY_CATEGORY, label=_("Emergency"))
        _sub(entry, "content", item.body, type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _cacheable(response: Response) -> Response:
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    return response.make_conditional(request)


def atom_response() -> Response:
    # The feed is read by machines: always in Japanese, whatever the reader's Accept-Language says.
    with force_locale("ja"):
        body = atom_document(current_announcements(limit=50))
    return _cacheable(Response(body, mimetype="application/atom+xml"))


def emergency_record(item: Announcement) -> dict:
    account = item.official_account
    return {
        "id": item.id,
        "title": item.title,
        "body": item.body,
        "department": item.source_name,
        "account": {"slug": account.slug, "name": account.name, "verified": True} if account is not None else None,
        "published": iso(item.published_at),
        "expires": iso(item.expires_at),
        "updated": iso(item.last_updated),
        "url": _url(item),
    }


def emergencies_response() -> Response:
    payload = {
        "emergencies": [emergency_record(item) for item in current_emergencies()],
        "feed": url_for("announcements.feed", _external=True),
    }
    response = Response(json.dumps(payload, ensure_ascii=False), mimetype="application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return _cacheable(response)
