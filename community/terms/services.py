"""Publishing the terms, reading their articles, and recording members' agreement.

Services flush and never commit. With nothing published (a fresh city), nothing asks for agreement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from community import audit
from community.core.database import utcnow
from community.extensions import db
from community.policy.terms import can_edit_terms
from community.terms.models import HOW, KINDS, TermsAgreement, TermsDocument

TITLE_MAX = 200
BODY_MAX = 50_000
LABEL_MAX = 200  # moderation_action.rule_label keeps the cited text as it was
KIND_TITLES = {"terms": _l("Terms of use"), "privacy": _l("Privacy policy")}

_ARTICLE = re.compile(r"^第\s*(\d+)\s*条\s*(?:[（(]([^）)]*)[）)])?\s*(.*)$")
_ITEM = re.compile(r"^[（(]\s*(\d+)\s*[）)]\s*(.+)$")


class TermsError(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass
class Article:
    number: int
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    items: list[tuple[int, str]] = field(default_factory=list)


def parse(body: str) -> tuple[list[str], list[Article]]:
    """(preamble paragraphs, articles): 「第5条（禁止事項）」 starts an article, 「(1) ...」 an item."""
    preamble: list[str] = []
    articles: list[Article] = []
    for raw in body.splitlines():
        line = raw.strip()
        if not line:
            continue
        if match := _ARTICLE.match(line):
            articles.append(Article(int(match[1]), (match[2] or "").strip()))
            if match[3]:
                articles[-1].paragraphs.append(match[3].strip())
        elif articles and (match := _ITEM.match(line)):
            articles[-1].items.append((int(match[1]), match[2].strip()))
        elif articles:
            articles[-1].paragraphs.append(line)
        else:
            preamble.append(line)
    return preamble, articles


def published(kind: str, version: int | None = None) -> TermsDocument | None:
    """The given version, or the current (newest published) one."""
    stmt = select(TermsDocument).where(TermsDocument.kind == kind, TermsDocument.version.is_not(None))
    if version is not None:
        stmt = stmt.where(TermsDocument.version == version)
    return db.session.scalar(stmt.order_by(TermsDocument.version.desc()).limit(1))


def versions(kind: str) -> list[TermsDocument]:
    return list(db.session.scalars(
        select(TermsDocument).where(TermsDocument.kind == kind, TermsDocument.version.is_not(None))
        .order_by(TermsDocument.version.desc())))


def _request_cache() -> dict:
    # On the request itself, not on g: tests and CLI commands share one app context (and g) across requests.
    return request.environ.setdefault("tsunagari.terms", {}) if has_request_context() else {}


def current_versions() -> dict[str, int]:
    """{kind: current version} for the kinds that have one; asked once per request."""
    cache = _request_cache()
    if "versions" not in cache:
        rows = db.session.execute(
            select(TermsDocument.kind, func.max(TermsDocument.version)).group_by(TermsDocument.kind)
        ).all()
        cache["versions"] = {kind: version for kind, version in rows if version is not None}
    return cache["versions"]


def needs_agreement(user) -> bool:
    """Whether a member has not yet agreed to a current version (False while nothing is published)."""
    current = current_versions()
    if not current or not getattr(user, "is_authenticated", False):
        return False
    agreed = dict(db.session.execute(
        select(TermsAgreement.kind, func.max(TermsAgreement.version))
        .where(TermsAgreement.user_id == user.id).group_by(TermsAgreement.kind)
    ).all())
    return any((agreed.get(kind) or 0) < version for kind, version in current.items())


def record_agreement(user, how: str) -> list[TermsAgreement]:
    """The member agrees to every current version; the version and time are kept."""
    assert how in HOW
    now = utcnow()
    rows = [TermsAgreement(user_id=user.id, kind=kind, version=version, agreed_at=now, how=how)
            for kind, version in sorted(current_versions().items())]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def draft(kind: str) -> TermsDocument | None:
    return db.session.scalar(select(TermsDocument).where(TermsDocument.kind == kind, TermsDocument.version.is_(None)))


def _check(actor, kind: str) -> None:
    if not can_edit_terms(actor):
        raise TermsError(_l("You do not have permission to do this."))
    if kind not in KINDS:
        raise TermsError(_l("The item was not found."))


def save_draft(actor, kind: str, *, title: str, body: str) -> TermsDocument:
    _check(actor, kind)
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise TermsError(_l("Please enter a title and the text."))
    if len(title) > TITLE_MAX or len(body) > BODY_MAX:
        raise TermsError(_l("The title or the text is too long."))
    row = draft(kind)
    before = {"title": row.title, "body": row.body} if row else None
    if row is None:
        row = TermsDocument(kind=kind, title=title, body=body)
        db.session.add(row)
    row.title, row.body = title, body
    db.session.flush()
    audit.record("terms.draft_saved", actor=actor, target_type="terms_document", target_id=row.id,
                 kind=kind, before=before, after={"title": title, "body": body})
    return row


def publish(actor, kind: str) -> TermsDocument:
    """The draft becomes the next version; members agree to it at their next sign-in."""
    _check(actor, kind)
    row = draft(kind)
    if row is None:
        raise TermsError(_l("There is no draft to publish."))
    previous = published(kind)
    row.version = (previous.version if previous else 0) + 1
    row.published_at = utcnow()
    row.published_by_id = actor.id
    db.session.flush()
    _request_cache().pop("versions", None)
    audit.record("terms.published", actor=actor, target_type="terms_document", target_id=row.id, kind=kind,
                 before=previous.version if previous else None, after=row.version)
    return row


def citations() -> list[tuple[str, str]]:
    """The items (号) of the current 利用規約 staff may cite: ("terms:V:A-I", "利用規約第A条第I号 ...")."""
    doc = published("terms")
    if doc is None:
        return []
    found = []
    for article in parse(doc.body)[1]:
        if article.items:
            for number, text in article.items:
                found.append((f"terms:{doc.version}:{article.number}-{number}",
                               f"利用規約(第{doc.version}版)第{article.number}条第{number}号: {text}"[:LABEL_MAX]))
        else:
            found.append((f"terms:{doc.version}:{article.number}",
                           f"利用規約(第{doc.version}版)第{article.number}条 {article.heading}".rstrip()[:LABEL_MAX]))
    return found
