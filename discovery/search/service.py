"""Search: choosing the backend, draining the outbox into it, rebuilding and checking the index, querying.

The outbox drain takes a batch with `FOR UPDATE SKIP LOCKED` (any number of workers share the queue), reads the
current state of what the batch names, writes it to the backend and deletes the batch's rows in one transaction.
A worker killed mid-batch leaves its rows (its transaction never commits; PostgreSQL drops its locks), so the next
drain does the batch again; documents carry the batch's highest outbox id as their version, so the redo (or a
slower, older drain) cannot replace a newer document.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from discovery.search import repository
from discovery.search.backend import SearchBackend, SearchQuery, SearchResults, Suggestion
from discovery.search.models import SearchOutbox
from discovery.search.postgres import PostgresBackend
from harmoni.errors import ConfigurationError
from harmoni.failpoints import failpoint
from harmoni.settings import Settings

log = logging.getLogger(__name__)


def backend_for(session: Session, settings: Settings) -> SearchBackend:
    """The configured backend (PostgreSQL in `session`, or OpenSearch at `HARMONI_OPENSEARCH_URL`)."""
    if settings.search_backend == "opensearch":
        if not settings.opensearch_url:
            raise ConfigurationError("HARMONI_SEARCH_BACKEND=opensearch needs HARMONI_OPENSEARCH_URL")
        from discovery.search.opensearch import OpenSearchBackend

        return OpenSearchBackend.from_url(settings.opensearch_url, settings.opensearch_index)
    return PostgresBackend(session)


def search(session: Session, settings: Settings, query: SearchQuery) -> SearchResults:
    return backend_for(session, settings).search(query)


def suggest(session: Session, settings: Settings, prefix: str, limit: int) -> list[Suggestion]:
    return backend_for(session, settings).suggest(prefix, limit)


def _apply(session: Session, backend: SearchBackend, chain_id: int, named: dict[str, set[str]], version: int) -> int:
    """Write the current documents of what `named` lists (outbox kind → refs); delete those that are gone."""
    user_ids = [uuid.UUID(r) for r in named.get("artist", ())]
    # An artist's name is in the documents of the assets their wallets control: those are re-read too.
    asset_ids = sorted({int(r) for r in named.get("asset", ())}
                       | set(repository.assets_of(session, chain_id, user_ids)))
    documents, _editions = repository.asset_documents(session, chain_id, asset_ids)
    documents += repository.artist_documents(session, chain_id, user_ids)
    posts = [uuid.UUID(r) for r in named.get("post", ())]
    accounts = [uuid.UUID(r) for r in named.get("user", ())]
    documents += repository.post_documents(session, posts) + repository.user_documents(session, accounts)
    present = {(d.kind, d.ref) for d in documents}
    gone = [(kind, str(a)) for a in asset_ids for kind in repository.ASSET_KINDS if (kind, str(a)) not in present]
    gone += [(kind, str(ref)) for kind, refs in (("artist", user_ids), ("post", posts), ("user", accounts))
             for ref in refs if (kind, str(ref)) not in present]
    backend.upsert(documents, version)
    backend.delete(gone, version)
    for asset_id in asset_ids:  # editions a reorg (or a suspension) took away
        backend.prune_editions(asset_id, [d.ref for d in documents if d.kind == "edition" and d.asset_id == asset_id],
                               version)
    return len(documents)


def drain_batch(sessions: sessionmaker[Session], settings: Settings, chain_id: int) -> int:
    """Take in one batch of the outbox; how many outbox rows it took (0 when it was empty)."""
    with sessions.begin() as session:
        rows = session.execute(select(SearchOutbox.id, SearchOutbox.kind, SearchOutbox.ref)
                               .order_by(SearchOutbox.id).limit(settings.search_batch_size)
                               .with_for_update(skip_locked=True)).all()
        if not rows:
            return 0
        named: dict[str, set[str]] = defaultdict(set)
        for row in rows:
            named[row.kind].add(row.ref)
        backend = backend_for(session, settings)
        _apply(session, backend, chain_id, named, max(r.id for r in rows))
        failpoint("search:mid-batch")  # written to the index, outbox rows not yet deleted
        session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_([r.id for r in rows])))
    return len(rows)


def drain(sessions: sessionmaker[Session], settings: Settings, chain_id: int, max_batches: int | None = None) -> int:
    """Drain until the outbox is empty (or `max_batches` were taken); how many rows were taken in."""
    taken, batches = 0, 0
    while max_batches is None or batches < max_batches:
        count = drain_batch(sessions, settings, chain_id)
        if not count:
            break
        taken, batches = taken + count, batches + 1
    return taken


def reindex(sessions: sessionmaker[Session], settings: Settings, chain_id: int) -> int:
    """Rebuild the index from the database: clear it, then queue everything and drain; documents written."""
    with sessions.begin() as session:
        backend_for(session, settings).clear()
        for kind, refs in repository.all_refs(session, chain_id).items():
            for start in range(0, len(refs), 5_000):
                repository.announce(session, kind, refs[start:start + 5_000])
    drain(sessions, settings, chain_id)
    with sessions() as session:
        return sum(backend_for(session, settings).counts().values())


@dataclass(frozen=True)
class CheckReport:
    expected: dict[str, int]
    indexed: dict[str, int]
    pending: int  # outbox rows not drained yet

    @property
    def matches(self) -> bool:
        kinds = set(self.expected) | set(self.indexed)
        return all(self.expected.get(k, 0) == self.indexed.get(k, 0) for k in kinds)

    def as_text(self) -> str:
        kinds = sorted(set(self.expected) | set(self.indexed))
        lines = [f"{'kind':<10} {'database':>9} {'index':>9}"]
        lines += [f"{k:<10} {self.expected.get(k, 0):>9} {self.indexed.get(k, 0):>9}"
                  + ("" if self.expected.get(k, 0) == self.indexed.get(k, 0) else "  MISMATCH") for k in kinds]
        lines.append(f"outbox pending {self.pending}; {'ok' if self.matches else 'index differs from the database'}")
        return "\n".join(lines)


def check(session: Session, settings: Settings, chain_id: int) -> CheckReport:
    """Compare the index's documents per kind with what the database says it should hold."""
    return CheckReport(repository.expected_counts(session, chain_id), backend_for(session, settings).counts(),
                       session.scalar(select(func.count()).select_from(SearchOutbox)) or 0)
