"""A period's royalty statement, computed from its inputs alone: the same inputs give the same bytes.

Per asset: its share of the pooled subscription revenue (pro rata by counted plays, largest remainder, ties to
the lower asset id), plus its partner-reported revenue and its direct sales; the platform fee (rounded down)
comes off; what is left is split with the split version in force at the period's end, remainder to the first
recipient exactly as SplitVault does. An asset frozen at the period's end, or without a split then, is held.
Amounts are integers in the payout token's smallest unit.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property, partial
from json.encoder import encode_basestring_ascii as _quote  # a str as json.dumps writes it (ensure_ascii)
from typing import NamedTuple

from ledger.royalties.csvsafe import safe_cell
from ledger.splits import split_amount

FORMAT = "harmoni-statement-v1"
BPS = 10_000

_canonical = partial(json.dumps, sort_keys=True, separators=(",", ":"))


class SplitAtCut(NamedTuple):
    """The split version of an asset in force at the cut block, and where it was set (a tuple: 100k are made per
    close, several times faster than a frozen dataclass)."""

    version: int
    block_number: int
    tx_hash: str
    recipients: tuple[str, ...]
    allocations: tuple[int, ...]


@dataclass(frozen=True)
class PartnerLine:
    """One accepted partner usage line, already converted to token units."""

    report_id: str
    line_no: int
    asset_id: int
    usage_count: int
    net_revenue: int


@dataclass(frozen=True)
class DirectSale:
    """A sale of one asset. `settled_fee` is set for a sale the edition contract already settled on chain (that fee
    to the treasury, the rest into the SplitVault under the asset's split): the statement lists it under
    `settled_on_chain` and leaves it out of every payee's amount, so the root never pays it a second time."""

    reference: str
    asset_id: int
    amount: int
    settled_fee: int | None = None


@dataclass(frozen=True)
class StatementInputs:
    """Everything a statement depends on; `describe` holds the context that is only echoed (window, cut, token)."""

    period_id: int
    fee_bps: int
    subscription_pool: int
    plays: Mapping[int, int]
    partner_lines: tuple[PartnerLine, ...]
    direct_sales: tuple[DirectSale, ...]
    splits: Mapping[int, SplitAtCut]
    frozen: frozenset[int]
    previous_cumulative: Mapping[str, int]
    describe: Mapping[str, object] = field(default_factory=dict)
    # Refunds after their period was settled (`ledger.royalties.adjustments`): what each payee owes entering this
    # period, and the clawbacks taken up here as (reference, origin period, amount).
    adjustments: Mapping[str, int] = field(default_factory=dict)
    adjustment_sources: tuple[tuple[str, int, int], ...] = ()

    def asset_ids(self) -> set[int]:
        """The assets with revenue this period: played, reported by a partner or sold."""
        return ({asset_id for asset_id, n in self.plays.items() if n > 0}
                | {line.asset_id for line in self.partner_lines} | {sale.asset_id for sale in self.direct_sales})


@dataclass
class AssetLine:
    asset_id: int
    plays: int = 0
    pool_share: int = 0
    partner_revenue: int = 0
    direct_sales: int = 0
    partner_lines: list[tuple[str, int]] = field(default_factory=list)
    sale_references: list[str] = field(default_factory=list)
    # Set by `compute` once the revenue above is complete: gross = pool share + partner revenue + direct sales.
    gross: int = 0
    fee: int = 0
    net: int = 0  # gross - fee
    held: str | None = None  # why the net is held: "frozen" or "no_split"
    split: SplitAtCut | None = None
    payouts: list[tuple[str, int, int]] = field(default_factory=list)  # (payee, allocation, amount)


@dataclass
class Statement:
    inputs: StatementInputs
    assets: list[AssetLine]
    unallocated: int
    earned: dict[str, int]      # payee -> this period
    cumulative: dict[str, int]  # payee -> since the first period
    # Sums over the assets, added up while `compute` visits them (closing reads each several times).
    gross: int
    platform_fee: int
    held: int
    partner_revenue: int
    direct_sales: int
    settled_on_chain: list[DirectSale] = field(default_factory=list)  # shown, never paid through the root
    adjustments: list[tuple[str, int, int, int]] = field(default_factory=list)  # (payee, owed, applied, carried)

    @cached_property
    def adjusted(self) -> int:
        """What the adjustments took back from this period's payees (negative: gave back)."""
        return sum(applied for _, _, applied, _ in self.adjustments)

    @cached_property
    def allocated(self) -> int:
        return sum(self.earned.values())

    @cached_property
    def cumulative_total(self) -> int:
        return sum(self.cumulative.values())

    def revenue_by_source(self) -> dict[str, int]:
        return {"subscriptions": self.inputs.subscription_pool, "partner": self.partner_revenue,
                "direct_sales": self.direct_sales}

    def to_json(self) -> bytes:
        """The canonical document: sorted keys, no spaces, amounts as decimal strings.

        The bytes of `json.dumps(document, sort_keys=True, separators=(",", ":"))`; the asset and payee objects
        are written directly (keys in sorted order), which is several times faster at 100k assets.
        """
        payees = (f'{{"account":{_quote(account)},"amount":"{self.earned.get(account, 0)}","cumulative":"{total}"}}'
                  for account, total in sorted(self.cumulative.items()))
        fields = {
            "format": _canonical(FORMAT),
            "period_id": _canonical(self.inputs.period_id),
            "context": _canonical(dict(self.inputs.describe)),
            "fee_bps": _canonical(self.inputs.fee_bps),
            "revenue": _canonical({k: str(v) for k, v in self.revenue_by_source().items()}),
            "totals": _canonical({"gross": str(self.gross), "platform_fee": str(self.platform_fee),
                                  "held": str(self.held), "unallocated": str(self.unallocated),
                                  "allocated": str(self.allocated), "cumulative_total": str(self.cumulative_total)}),
            "assets": "[" + ",".join(map(_asset_json, self.assets)) + "]",
            "payees": "[" + ",".join(payees) + "]",
        }
        if self.settled_on_chain:  # only then: the documents of periods without such sales keep their bytes
            fields["settled_on_chain"] = _canonical({
                "total": str(sum(s.amount for s in self.settled_on_chain)),
                "sales": [{"reference": s.reference, "asset_id": s.asset_id, "amount": str(s.amount),
                           "fee": str(s.settled_fee), "to_split_vault": str(s.amount - s.settled_fee)}
                          for s in self.settled_on_chain]})
        if self.adjustments or self.inputs.adjustment_sources:
            fields["adjustments"] = _canonical({
                "total_applied": str(self.adjusted),
                "sources": [{"reference": ref, "origin_period": origin, "amount": str(amount)}
                            for ref, origin, amount in self.inputs.adjustment_sources],
                "payees": [{"account": account, "owed": str(owed), "applied": str(-applied),
                            "carried_forward": str(carried)} for account, owed, applied, carried in self.adjustments]})
        return ("{" + ",".join(f"{_quote(key)}:{value}" for key, value in sorted(fields.items())) + "}").encode()

    def to_csv(self) -> bytes:
        """One line per asset and payee (held assets get one line without a payee)."""
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerow([
            "period_id", "asset_id", "plays", "pool_share", "partner_revenue", "direct_sales", "gross", "platform_fee",
            "net", "split_version", "split_block", "split_tx", "held", "payee", "allocation_ppm", "amount"])
        # The bytes csv.writer writes, line by line; formatted directly, which is several times faster at 100k
        # assets: integers never need quoting, and `_csv_text` quotes the strings exactly as csv.writer would.
        period = self.inputs.period_id
        for a in self.assets:
            split = a.split
            head = (f"{period},{a.asset_id},{a.plays},{a.pool_share},{a.partner_revenue},{a.direct_sales},{a.gross},"
                    f"{a.fee},{a.net},{split.version if split else ''},{split.block_number if split else ''},"
                    f"{_csv_text(split.tx_hash) if split else ''},{_csv_text(a.held or '')}")
            if a.held:
                out.write(f"{head},,,{a.net}\n")
            for payee, allocation, amount in a.payouts:
                out.write(f"{head},{_csv_text(payee)},{allocation},{amount}\n")
        for payee, _, applied, _ in self.adjustments:  # a refund of a settled period, taken back here
            out.write(f"{period},,,,,,,,,,,,adjustment,{_csv_text(payee)},,{-applied}\n")
        return out.getvalue().encode()


def _asset_json(a: AssetLine) -> str:
    """One asset's object in the canonical form (see `Statement.to_json`): keys in sorted order."""
    split = "null" if a.split is None else (
        f'{{"block":{a.split.block_number},"tx":{_quote(a.split.tx_hash)},"version":{a.split.version}}}')
    payouts = ",".join(f'[{_quote(payee)},{allocation},"{amount}"]' for payee, allocation, amount in a.payouts)
    return (f'{{"asset_id":{a.asset_id},"direct_sales":"{a.direct_sales}","fee":"{a.fee}",'
            f'"held":{"null" if a.held is None else _quote(a.held)},"net":"{a.net}",'
            f'"partner_lines":{_canonical(a.partner_lines) if a.partner_lines else "[]"},'
            f'"partner_revenue":"{a.partner_revenue}","payouts":[{payouts}],"plays":{a.plays},'
            f'"pool_share":"{a.pool_share}",'
            f'"sale_references":{_canonical(a.sale_references) if a.sale_references else "[]"},"split":{split}}}')


def _csv_text(text: str) -> str:
    """A string field as csv.writer writes it among others: letters and digits (hex) as they are, else via csv,
    neutralised against formula injection like every text cell we serve (`csvsafe`)."""
    if not text or text.isalnum():
        return text
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([safe_cell(text), ""])
    return out.getvalue()[:-2]  # without the empty second field's separator and the line's end


def pool_shares(pool: int, plays: Mapping[int, int]) -> dict[int, int]:
    """Share `pool` pro rata by plays: floors first, then one unit each by largest remainder (lower id first)."""
    total = sum(plays.values())
    if pool <= 0 or total <= 0:
        return {}
    shares, remainders = {}, []
    for asset_id, count in plays.items():
        shares[asset_id], rest = divmod(pool * count, total)
        remainders.append((-rest, asset_id))
    left = pool - sum(shares.values())
    for _, asset_id in sorted(remainders)[:left]:
        shares[asset_id] += 1
    return shares


def compute(inputs: StatementInputs) -> Statement:
    """The statement of one period from its inputs (pure: no clock, no database, no chain)."""
    counted = {asset_id: n for asset_id, n in inputs.plays.items() if n > 0}
    shares = pool_shares(inputs.subscription_pool, counted)
    lines = {asset_id: AssetLine(asset_id, plays=n, pool_share=shares.get(asset_id, 0))
             for asset_id, n in counted.items()}
    for usage in sorted(inputs.partner_lines, key=lambda u: (u.report_id, u.line_no)):
        target = lines.get(usage.asset_id) or lines.setdefault(usage.asset_id, AssetLine(usage.asset_id))
        target.partner_revenue += usage.net_revenue
        target.partner_lines.append((usage.report_id, usage.line_no))
    settled = sorted((s for s in inputs.direct_sales if s.settled_fee is not None), key=lambda s: s.reference)
    for sale in sorted((s for s in inputs.direct_sales if s.settled_fee is None), key=lambda s: s.reference):
        target = lines.get(sale.asset_id) or lines.setdefault(sale.asset_id, AssetLine(sale.asset_id))
        target.direct_sales += sale.amount
        target.sale_references.append(sale.reference)

    # One pass of 100k assets at full size, so the loop keeps what it reads in local names.
    fee_bps, splits, frozen = inputs.fee_bps, inputs.splits, inputs.frozen
    earned: dict[str, int] = defaultdict(int)
    total_gross = total_fee = total_held = 0
    for a in lines.values():
        a.gross = gross = a.pool_share + a.partner_revenue + a.direct_sales
        a.fee = fee = gross * fee_bps // BPS
        a.net = net = gross - fee
        total_gross += gross
        total_fee += fee
        a.split = split = splits.get(a.asset_id)
        if a.asset_id in frozen:
            a.held = "frozen"
            total_held += net
        elif split is None:
            a.held = "no_split"
            total_held += net
        else:
            recipients, allocations = split.recipients, split.allocations
            parts = split_amount(net, allocations)
            a.payouts = list(zip(recipients, allocations, parts, strict=True))
            for payee, amount in zip(recipients, parts, strict=True):
                earned[payee] += amount

    adjustments = _adjust(earned, inputs.adjustments)
    earned = {payee: amount for payee, amount in earned.items() if amount}
    cumulative = dict(inputs.previous_cumulative)
    for payee, amount in earned.items():
        cumulative[payee] = cumulative.get(payee, 0) + amount
    unallocated = inputs.subscription_pool if not counted else 0
    return Statement(inputs=inputs, assets=[lines[k] for k in sorted(lines)], unallocated=unallocated,
                     earned=earned, cumulative=cumulative, gross=total_gross, platform_fee=total_fee,
                     held=total_held, partner_revenue=sum(line.net_revenue for line in inputs.partner_lines),
                     direct_sales=sum(sale.amount for sale in inputs.direct_sales if sale.settled_fee is None),
                     settled_on_chain=settled, adjustments=adjustments)


def _adjust(earned: dict[str, int], owed: Mapping[str, int]) -> list[tuple[str, int, int, int]]:
    """Take what each payee owes out of what this period earned them, never below zero (the rest is carried to
    the next period, so cumulative amounts never go down); an amount owed to them (negative) is paid in full."""
    lines = []
    for account in sorted(owed):
        if owed[account]:
            applied = min(owed[account], earned.get(account, 0))
            earned[account] = earned.get(account, 0) - applied
            lines.append((account, owed[account], applied, owed[account] - applied))
    return lines
