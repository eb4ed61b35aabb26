"""Search's own tables: the outbox that keeps an external index true, and the database backend's
documents (its FTS5 table or tsvector index is created by search.backends.database)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from community.core.database import UTCDateTime, utcnow
from community.extensions import db


class SearchOutbox(db.Model):
    """"This document changed": written in the same transaction as the content, so a crash between
    the commit and the index write loses nothing; the indexer deletes the rows it has applied."""

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # Ids must never be reused: two drainers may both read a row, and the second one's delete
    # must not hit a newer row that got the same id (SQLite reuses the highest rowid otherwise).
    __table_args__ = {"sqlite_autoincrement": True}


class SearchDocument(db.Model):
    """One indexed document (or one chunk of a long one) for the database backend.

    The filter fields let the engine narrow candidates; what a viewer may open is always decided
    again by the policy when hits are reloaded.
    """

    __tablename__ = "search_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int]
    chunk: Mapped[int] = mapped_column(default=0)
    source: Mapped[str] = mapped_column(String(20))
    scope: Mapped[str] = mapped_column(String(40), default="public")
    district_id: Mapped[int | None]
    category: Mapped[str] = mapped_column(String(40), default="")
    date: Mapped[datetime | None] = mapped_column(UTCDateTime)
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    indexed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # PostgreSQL only: the bigram tokens with their positions (title weighted A). SQLite keeps
    # the tokens in the search_fts virtual table instead.
    tsv: Mapped[str | None] = mapped_column(Text().with_variant(TSVECTOR(), "postgresql"))

    __table_args__ = (
        UniqueConstraint("kind", "object_id", "chunk", name="uq_search_document_key"),
        Index("ix_search_document_tsv", "tsv", postgresql_using="gin"),
        Index("ix_search_document_date", "date"),
    )
