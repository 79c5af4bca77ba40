"""Every raw input and output of a period, for auditors to download and check with their own tools."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from content.storage import get_content_addressed
from ledger.royalties import inputs
from ledger.royalties.close import STATEMENTS
from ledger.royalties.context import RoyaltyContext
from ledger.royalties.csvsafe import safe_row
from ledger.royalties.errors import StatementNotFound
from ledger.royalties.models import JournalEntry, JournalLine, RevenueEntry, StoredStatement
from ledger.royalties.periods import get_period
from ledger.usage.models import Play, UsageReport, UsageReportLine

DOCUMENTS = {"statement.json": ("statement_uri", ".json", "application/json"),
             "statement.csv": ("csv_uri", ".csv", "text/csv"),
             "tree.json": ("tree_uri", ".json", "application/json")}


def _csv(header: list[str], rows: Iterable[Iterable[object]]) -> Iterator[bytes]:
    """The rows as CSV, in chunks; text cells neutralised against formula injection (`csvsafe`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    quoted = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    for count, row in enumerate(rows, 1):
        cells, quote = safe_row(row)
        (quoted if quote else writer).writerow(cells)
        if count % 5_000 == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def plays(session: Session, ctx: RoyaltyContext, period_id: int) -> Iterator[bytes]:
    """Every play reported in the window, counted or flagged; listeners pseudonymized (sha-256 of their id)."""
    period = get_period(session, period_id)
    rows = session.execute(
        select(Play.id, Play.listener_id, Play.asset_id, Play.played_at, Play.played_ms, Play.counted, Play.flags)
        .where(Play.chain_id == ctx.deployment.chain_id, Play.played_at >= period.starts_at,
               Play.played_at < period.ends_at).order_by(Play.id).execution_options(yield_per=5_000))
    return _csv(["play_id", "listener", "asset_id", "played_at", "played_ms", "counted", "flags"],
                ((r.id, hashlib.sha256(r.listener_id.bytes).hexdigest(), r.asset_id, r.played_at.isoformat(),
                  r.played_ms, r.counted, " ".join(r.flags)) for r in rows))


def partner_lines(session: Session, ctx: RoyaltyContext, period_id: int) -> Iterator[bytes]:
    rows = session.execute(
        select(UsageReportLine).join(UsageReport, UsageReport.id == UsageReportLine.report_id)
        .where(UsageReport.period_id == period_id).order_by(UsageReportLine.report_id, UsageReportLine.line_no))
    return _csv(["report_id", "line", "isrc", "asset_id", "territory", "usage_count", "net_revenue", "currency"],
                ((r.report_id, r.line_no, r.isrc, r.asset_id, r.territory, r.usage_count, r.net_revenue, r.currency)
                 for (r,) in rows))


def revenue(session: Session, ctx: RoyaltyContext, period_id: int) -> Iterator[bytes]:
    rows = session.scalars(select(RevenueEntry).where(RevenueEntry.period_id == period_id)
                           .order_by(RevenueEntry.reference))
    # Voided entries are listed too (they count nowhere): the journal shows their reversal.
    return _csv(["id", "source", "asset_id", "amount", "currency", "reference", "voided_at", "void_reason"],
                ((r.id, r.source, r.asset_id or "", r.amount, r.currency, r.reference,
                  r.voided_at.isoformat() if r.voided_at else "", r.void_reason or "") for r in rows))


def splits(session: Session, ctx: RoyaltyContext, period_id: int) -> Iterator[bytes]:
    """The split version of every asset in the statement as of the cut block, with where it was set."""
    stored = _statement(session, period_id)
    assets = ({line.asset_id for line in inputs.partner_lines(session, ctx.deployment.chain_id, period_id, 1)}
              | set(inputs.counted_plays(session, ctx.deployment.chain_id, get_period(session, period_id)))
              | {s.asset_id for s in inputs.revenue(session, period_id, 1)[1]})
    found = {a: s for a, s in inputs.splits_at(session, ctx.deployment.chain_id, stored.cut_block).items()
             if a in assets}
    return _csv(["asset_id", "version", "block_number", "tx_hash", "recipients", "allocations"],
                ((a, s.version, s.block_number, s.tx_hash, " ".join(s.recipients), " ".join(map(str, s.allocations)))
                 for a, s in sorted(found.items())))


def journal(session: Session, ctx: RoyaltyContext, period_id: int) -> Iterator[bytes]:
    rows = session.execute(select(JournalEntry, JournalLine).join(JournalLine, JournalLine.entry_id == JournalEntry.id)
                           .where(JournalEntry.period_id == period_id).order_by(JournalEntry.id, JournalLine.id))
    return _csv(["entry_id", "kind", "key", "memo", "account", "debit", "credit"],
                ((e.id, e.kind, e.idempotency_key, e.memo, line.account, line.debit, line.credit) for e, line in rows))


TABLES: dict[str, Callable[[Session, RoyaltyContext, int], Iterator[bytes]]] = {
    "plays.csv": plays, "partner-lines.csv": partner_lines, "revenue.csv": revenue, "splits.csv": splits,
    "journal.csv": journal}
NAMES = sorted([*TABLES, *DOCUMENTS])


def document(session: Session, ctx: RoyaltyContext, period_id: int, name: str) -> tuple[bytes, str]:
    attribute, suffix, media_type = DOCUMENTS[name]
    uri = getattr(_statement(session, period_id), attribute)
    return get_content_addressed(ctx.store, STATEMENTS, uri, suffix), media_type


def _statement(session: Session, period_id: int) -> StoredStatement:
    stored = session.get(StoredStatement, period_id)
    if stored is None:
        get_period(session, period_id)  # 404 for a period that does not exist
        raise StatementNotFound(f"period {period_id} has no statement yet: it is not closed", period_id=period_id)
    return stored
