"""FAQ (よくある質問) through the search engine: the /faq search and "similar questions" while a
member types a question to the city. Same Japanese analysis and index as cross-search; hits are
reloaded through the policy's FAQ filter, so a withdrawn entry is never offered.

community never imports search: search/views.py publishes these functions as
`app.extensions["tsunagari.faq_search"]` (ids in rank order) for community/questions.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from community.extensions import db
from search import sources
from search.analysis import normalize, parse_query
from search.backends import SearchFilters, get_backend
from search.indexing import drain_before_search

FAQ_FILTERS = SearchFilters(sources=("official",), category="faq")
# Content words of a sentence typed as a question: runs of kanji, katakana or Latin letters and
# digits. Hiragana between them are mostly particles and endings (の, は, どうすればいいですか).
_KEY_RE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005\u30a1-\u30fa\u30fc]{2,}|[a-z0-9]{2,}")
MAX_TERMS = 4


def key_terms(text: str) -> list[str]:
    """The words worth searching for in a typed question (子育て支援の申請 → 子育, 支援, 申請)."""
    terms: list[str] = []
    # Katakana are folded to hiragana by normalize(): match on the NFKC text, then normalise each.
    import unicodedata

    for match in _KEY_RE.finditer(unicodedata.normalize("NFKC", text or "").lower()):
        term = normalize(match.group())
        if term not in terms:
            terms.append(term)
    return terms[:MAX_TERMS]


def _visible(ids: list[int], viewer) -> list[int]:
    source = sources.get("faq")
    if source is None or not ids:
        return []
    allowed = set(db.session.scalars(source.visible(select(source.model.id).where(source.model.id.in_(ids)), viewer)))
    return [i for i in ids if i in allowed]


def faq_ids(text: str, viewer, limit: int = 10) -> list[int]:
    """FAQ entry ids in rank order: every word first (as the search page does), then entries
    matching most of the question's content words. Raises SearchUnavailable like search()."""
    drain_before_search()
    backend = get_backend()
    ranked: list[int] = []
    parsed = parse_query(text)
    if not parsed.is_empty:
        ranked = [h.object_id for h in backend.search(parsed, FAQ_FILTERS, limit=limit * 2) if h.kind == "faq"]
    if len(ranked) < limit:
        scores: dict[int, float] = {}
        for term in key_terms(text):
            hits = [h.object_id for h in backend.search(parse_query(term), FAQ_FILTERS, limit=20) if h.kind == "faq"]
            for rank, object_id in enumerate(hits):
                scores[object_id] = scores.get(object_id, 0.0) + 1.0 + 1.0 / (rank + 2)
        extra = sorted((i for i in scores if i not in ranked), key=lambda i: -scores[i])
        ranked += extra
    return _visible(ranked, viewer)[:limit]


def suggest(text: str, viewer, limit: int = 5) -> list[dict]:
    """Up to `limit` FAQ entries for a typed title: title, department, link."""
    from flask import url_for

    from community.questions.models import FaqEntry

    ids = faq_ids(text, viewer, limit)
    if not ids:
        return []
    rows = {e.id: e for e in db.session.scalars(select(FaqEntry).where(FaqEntry.id.in_(ids)))}
    return [
        {"id": i, "title": rows[i].title, "department": rows[i].account.name,
         "url": url_for("questions.faq_entry", entry_id=i)}
        for i in ids if i in rows
    ]
