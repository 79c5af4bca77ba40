"""The search index's own tables: the outbox that feeds it, and the PostgreSQL backend's documents and terms.

`search_outbox` rows are written in the same transaction as the change they announce (an indexed asset or
edition, a profile); a worker drains them into the configured backend. Each row names only what changed
(`kind`, `ref`); the worker reads the current state, so a row drained twice, late or out of order writes the
same document, and `version` (the outbox id) keeps an older drain from overwriting a newer one.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Computed, DateTime, Identity, Index, Integer, String, Text, Uuid, func, text
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from harmoni.db import Base

KINDS = ("recording", "work", "edition", "artist", "user", "post")
# Weights: title A, artists B, release C, genre/mood tags D (ts_rank's default weights 1.0, 0.4, 0.2, 0.1).
_TEXT = ("setweight(to_tsvector('simple'::regconfig, harmoni_fold(title)), 'A') || "
         "setweight(to_tsvector('simple'::regconfig, harmoni_fold(artists_text)), 'B') || "
         "setweight(to_tsvector('simple'::regconfig, harmoni_fold(release)), 'C') || "
         "setweight(to_tsvector('simple'::regconfig, harmoni_fold(tags_text)), 'D')")


class SearchOutbox(Base):
    """One change the search index has not taken in yet."""

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    ref: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class SearchDocument(Base):
    """One searchable thing as the PostgreSQL backend indexes it (kind + ref: `recording`/`42`, `artist`/<uuid>)."""

    __tablename__ = "search_documents"
    __table_args__ = (
        Index("ix_search_documents_text", "search_text", postgresql_using="gin"),
        Index("ix_search_documents_title_trgm", "title_key", postgresql_using="gin",
              postgresql_ops={"title_key": "gin_trgm_ops"}),
        Index("ix_search_documents_title_prefix", "title_key", postgresql_ops={"title_key": "text_pattern_ops"}),
        # Each ranking tier's candidates, most played first (migration 0031): exact titles, titles starting with
        # a 1 to 6 letter prefix, the sole artist's name; artist names anywhere (trigrams).
        Index("ix_search_documents_title_plays", "title_key", text("plays desc")),
        *(Index(f"ix_search_documents_prefix_{n}", text(f"left(title_key, {n})"), text("plays desc"))
          for n in range(1, 7)),
        Index("ix_search_documents_artists_plays", "artists_key", text("plays desc")),
        Index("ix_search_documents_artists_trgm", "artists_key", postgresql_using="gin",
              postgresql_ops={"artists_key": "gin_trgm_ops"}),
    )

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    ref: Mapped[str] = mapped_column(String(80), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    artists: Mapped[list[str]] = mapped_column(ARRAY(Text))
    artists_text: Mapped[str] = mapped_column(Text)  # the artists' names joined, for the text vector
    release: Mapped[str] = mapped_column(Text)
    genres: Mapped[list[str]] = mapped_column(ARRAY(String(40)))
    moods: Mapped[list[str]] = mapped_column(ARRAY(String(40)))
    tags_text: Mapped[str] = mapped_column(Text)
    year: Mapped[int | None] = mapped_column(Integer)
    has_edition: Mapped[bool] = mapped_column(Boolean)
    plays: Mapped[int] = mapped_column(BigInteger)
    account_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid))  # the artists' accounts (for follows)
    asset_id: Mapped[int | None] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(BigInteger)
    title_key: Mapped[str] = mapped_column(Text, Computed("harmoni_key(title)", persisted=True))
    artists_key: Mapped[str] = mapped_column(Text, Computed("harmoni_keys(artists)", persisted=True))
    search_text: Mapped[Any] = mapped_column(TSVECTOR, Computed(_TEXT, persisted=True))


class SearchTerm(Base):
    """A word of the index (folded): what a query's typos are corrected against. Words of documents since removed
    may linger (a correction to them finds nothing); `harmoni search reindex` starts the list afresh."""

    __tablename__ = "search_terms"
    __table_args__ = (Index("ix_search_terms_trgm", "term", postgresql_using="gin",
                            postgresql_ops={"term": "gin_trgm_ops"}),
                      Index("ix_search_terms_prefix", "term", postgresql_ops={"term": "text_pattern_ops"}))

    term: Mapped[str] = mapped_column(Text, primary_key=True)
