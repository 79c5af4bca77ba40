"""What HARMONI knows of an asset beyond the chain: the title in its metadata document, for search.

Titles live in the content-addressed metadata JSON that an asset's `metadata_uri` names, not on chain.
The platform remembers the title when it stores a document (registration), keyed by the document's URI, so
the mirror's `assets.metadata_uri` joins to it. An asset registered outside HARMONI has no title here until
its document is remembered.

Search is PostgreSQL full-text search with the `simple` configuration (lower-cased words, no stemming, no
stop words, no accent folding: no extension needed): every word of the query must start a word of the title.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import Computed, DateTime, Index, String, Text, func, literal_column, select
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR, insert
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from harmoni.db import Base

SEARCH_CONFIG = "simple"
MAX_QUERY_WORDS = 8
# Letters and digits; the rest (spaces, punctuation, `_`) separates words, as PostgreSQL's parser does.
_WORD = re.compile(r"[^\W_]+")


class AssetMetadata(Base):
    """The searchable part of one metadata document, keyed by its URI (`ipfs://<CID>`)."""

    __tablename__ = "asset_metadata"
    __table_args__ = (Index("ix_asset_metadata_title_words", "title_words", postgresql_using="gin"),)

    metadata_uri: Mapped[str] = mapped_column(String, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    title_words: Mapped[Any] = mapped_column(
        TSVECTOR, Computed(f"to_tsvector('{SEARCH_CONFIG}'::regconfig, title)", persisted=True))
    # The whole document (contributors, genres, moods, release...), for the search index; None for older rows.
    document: Mapped[dict | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


def remember(session: Session, metadata_uri: str, document: dict[str, Any]) -> None:
    """Keep the title (and the document) of a stored metadata document (the same URI is the same document)."""
    title = document.get("title")
    if not isinstance(title, str) or not title.strip():
        return
    session.execute(insert(AssetMetadata).values(metadata_uri=metadata_uri, title=title, document=document)
                    .on_conflict_do_nothing(index_elements=["metadata_uri"]))


def query_words(text: str) -> list[str]:
    """The words of a title query, lower-cased; at most MAX_QUERY_WORDS of them."""
    return _WORD.findall(text.lower())[:MAX_QUERY_WORDS]


def title_matches(words: list[str]) -> ColumnElement[bool]:
    """Titles with a word starting with each of `words` (from `query_words`: letters and digits only)."""
    # Each word is quoted as a tsquery lexeme; it holds no quote or operator, so nothing needs escaping.
    tsquery = " & ".join(f"'{word}':*" for word in words)
    config = literal_column(f"'{SEARCH_CONFIG}'::regconfig")
    return AssetMetadata.title_words.op("@@")(func.to_tsquery(config, tsquery))


def titles_of(session: Session, metadata_uris: list[str]) -> dict[str, str]:
    if not metadata_uris:
        return {}
    rows = session.execute(select(AssetMetadata.metadata_uri, AssetMetadata.title)
                           .where(AssetMetadata.metadata_uri.in_(set(metadata_uris))))
    return {uri: title for uri, title in rows}
