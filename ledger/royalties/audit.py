"""Verify a period from its raw inputs and the chain, trusting neither the stored statement nor the mirror.

The split versions and freezes in force at the cut are read from the registry's own event logs; usage and
revenue from the stored rows. The recomputed statement must equal the stored document byte for byte, its tree
root must be the root published on chain with the same statement hash and funding, and every claim made on chain
must stay within what the tree entitles.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace

from sqlalchemy.orm import Session
from web3.contract import Contract

from content.storage import get_content_addressed
from ledger.merkle import InvalidMerkleTree, StandardMerkleTree
from ledger.royalties import inputs
from ledger.royalties.close import STATEMENTS, ZERO_ROOT, ClosedPeriod, payout_tree, period_inputs, render
from ledger.royalties.context import RoyaltyContext
from ledger.royalties.errors import StatementNotFound
from ledger.royalties.models import PeriodStatus, StoredStatement
from ledger.royalties.periods import get_period
from ledger.royalties.statement import SplitAtCut, compute


@dataclass
class Check:
    name: str
    passed: bool
    detail: str


@dataclass
class AuditReport:
    period_id: int
    checks: list[Check] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def discrepancies(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]

    def check(self, name: str, passed: bool, detail: str) -> bool:
        self.checks.append(Check(name, passed, detail))
        return passed

    def as_text(self) -> str:
        lines = [f"period {self.period_id}: {'PASS' if self.passed else 'FAIL'}"]
        lines += [f"  [{'ok' if c.passed else 'FAIL'}] {c.name}: {c.detail}" for c in self.checks]
        return "\n".join(lines)


def verify_period(ctx: RoyaltyContext, period_id: int) -> AuditReport:
    report = AuditReport(period_id)
    with ctx.sessions() as session:
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        period = get_period(session, period_id)
        stored = session.get(StoredStatement, period_id)
        if stored is None:
            raise StatementNotFound(f"period {period_id} is {period.status}: it has no statement to audit yet",
                                    period_id=period_id)
        cut = inputs.Cut(stored.cut_block, stored.cut_block_hash, stored.cut_timestamp)
        _check_cut(ctx, report, cut, period.ends_at)
        recomputed = _recompute(ctx, session, period, cut)
        published = period.status == PeriodStatus.published
    _check_documents(ctx, report, stored, recomputed)
    if published:
        _check_chain(ctx, report, stored, recomputed)
    else:
        report.check("published on chain", True, f"not yet: the period is {period.status}")
    return report


def _check_cut(ctx: RoyaltyContext, report: AuditReport, cut: inputs.Cut, ends_at) -> None:
    block, after = ctx.client.block(cut.number), ctx.client.block(cut.number + 1)
    end = int(ends_at.timestamp())
    report.check("cut block", block is not None and after is not None and "0x" + block.hash.hex() == cut.hash
                 and block.timestamp < end <= after.timestamp,
                 f"block {cut.number} ({cut.hash}) is the last before the period's end ({end})")


def _recompute(ctx: RoyaltyContext, session: Session, period, cut: inputs.Cut) -> ClosedPeriod:
    """The statement again, from stored usage and revenue, with splits and freezes from the chain's logs."""
    found = period_inputs(ctx, session, period, cut, tallied=False)
    splits, frozen = _chain_state_at(ctx, cut.number, found.asset_ids())
    return render(compute(replace(found, splits=splits, frozen=frozen)))


def _chain_state_at(ctx: RoyaltyContext, cut: int, assets: set[int]) -> tuple[dict[int, SplitAtCut], frozenset[int]]:
    registry = ctx.registry
    start = ctx.deployment.contracts["RightsRegistry"].block_number
    splits: dict[int, SplitAtCut] = {}
    frozen: dict[int, bool] = {}
    for log in _logs(ctx, registry, ("SplitUpdated", "AssetFrozen", "AssetUnfrozen"), start, cut):
        asset_id = log["args"]["assetId"]
        if asset_id not in assets:
            continue
        if log["event"] == "SplitUpdated":
            args = log["args"]
            splits[asset_id] = SplitAtCut(args["version"], log["blockNumber"], "0x" + log["transactionHash"].hex(),
                                          tuple(args["recipients"]), tuple(args["allocations"]))
        else:
            frozen[asset_id] = log["event"] == "AssetFrozen"
    return splits, frozenset(a for a, is_frozen in frozen.items() if is_frozen)


def _logs(ctx: RoyaltyContext, contract: Contract, names: tuple[str, ...], start: int, end: int) -> list:
    """Every log of these events in [start, end], in chain order, read in ranges the node accepts."""
    found = []
    step = ctx.settings.indexer_max_range
    for low in range(start, end + 1, step):
        high = min(low + step - 1, end)
        for name in names:
            found += getattr(contract.events, name)().get_logs(from_block=low, to_block=high)
    return sorted(found, key=lambda log: (log["blockNumber"], log["logIndex"]))


def _check_documents(ctx: RoyaltyContext, report: AuditReport, stored: StoredStatement,
                     recomputed: ClosedPeriod) -> None:
    document = get_content_addressed(ctx.store, STATEMENTS, stored.statement_uri, ".json")
    digest = "0x" + hashlib.sha256(document).hexdigest()
    report.check("statement document", digest == stored.statement_hash,
                 f"sha-256 of {stored.statement_uri} is {digest}, the recorded hash {stored.statement_hash}")
    report.check("statement recomputed", recomputed.json_bytes == document,
                 "recomputing from the stored usage and the chain's splits gives the same document"
                 if recomputed.json_bytes == document else _first_difference(recomputed.json_bytes, document))
    root = recomputed.tree.root if recomputed.tree else ZERO_ROOT
    report.check("merkle root", root == stored.root, f"recomputed {root}, recorded {stored.root}")
    try:
        raw = json.loads(get_content_addressed(ctx.store, STATEMENTS, stored.tree_uri, ".json"))
        tree_root = StandardMerkleTree.load(raw).root if raw else ZERO_ROOT
        report.check("stored tree", tree_root == root, f"the stored tree's root is {tree_root}")
    except (InvalidMerkleTree, ValueError) as err:
        report.check("stored tree", False, f"the stored tree does not load: {err}")


def _first_difference(ours: bytes, theirs: bytes) -> str:
    mine, stored = json.loads(ours), json.loads(theirs)
    for key in ("totals", "revenue", "assets", "payees", "context"):
        if mine.get(key) != stored.get(key):
            return (f"'{key}' differs: recomputed {json.dumps(mine.get(key))[:300]}, "
                    f"stored {json.dumps(stored.get(key))[:300]}")
    return "the documents differ"


def _check_chain(ctx: RoyaltyContext, report: AuditReport, stored: StoredStatement, recomputed: ClosedPeriod) -> None:
    distributor = ctx.distributor
    start = ctx.deployment.contracts["PayoutDistributor"].block_number
    head = ctx.client.head().number
    events = [e for e in _logs(ctx, distributor, ("PeriodPublished",), start, head)
              if e["args"]["periodId"] == stored.period_id]
    root = recomputed.tree.root if recomputed.tree else ZERO_ROOT
    if not events:
        report.check("published on chain", stored.root == stored.previous_root and not int(stored.allocated),
                     "no PeriodPublished event (the period added nothing, so none was needed)"
                     if stored.root == stored.previous_root else "no PeriodPublished event for this period")
        return
    args = events[0]["args"]
    chain_root = "0x" + args["root"].hex()
    report.check("root on chain", chain_root == root, f"published {chain_root}, recomputed {root}")
    report.check("statement hash on chain", "0x" + args["statementHash"].hex() == stored.statement_hash
                 and args["statementURI"] == stored.statement_uri,
                 f"published {'0x' + args['statementHash'].hex()} at {args['statementURI']}")
    statement = recomputed.statement
    before = payout_tree(dict(statement.inputs.previous_cumulative))
    before_root = before.root if before else ZERO_ROOT
    chain_before = "0x" + args["previousRoot"].hex()
    report.check("previous root", before_root == chain_before,
                 f"the earlier cumulative amounts this period builds on hash to {before_root}; it replaced "
                 f"{chain_before} on chain")
    report.check("funded total", args["cumulativeTotal"] == statement.cumulative_total
                 and args["funded"] == statement.allocated,
                 f"published cumulative {args['cumulativeTotal']} funded {args['funded']}, recomputed "
                 f"{statement.cumulative_total} and {statement.allocated}")
    _check_claims(ctx, report, distributor, start, head, chain_root, statement.cumulative)


def _check_claims(ctx: RoyaltyContext, report: AuditReport, distributor: Contract, start: int, head: int,
                  root: str, entitled: dict[str, int]) -> None:
    claims = [e for e in _logs(ctx, distributor, ("Claimed",), start, head)
              if "0x" + e["args"]["root"].hex() == root]
    over = [f"{e['args']['account']} claimed up to {e['args']['cumulativeAmount']}, entitled "
            f"{entitled.get(e['args']['account'], 0)}" for e in claims
            if e["args"]["cumulativeAmount"] > entitled.get(e["args"]["account"], 0)]
    report.check("claims within entitlements", not over,
                 "; ".join(over) if over else f"{len(claims)} claim(s) against this root, each within its leaf")
    claimed, funded = distributor.functions.totalClaimed().call(), distributor.functions.cumulativeTotal().call()
    report.check("claimed within funded", claimed <= funded, f"claimed {claimed} of {funded} funded")
