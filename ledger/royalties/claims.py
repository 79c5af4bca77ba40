"""What payees earned and claimed: reads for `/v1/me/earnings` and `/v1/me/claims`, and claims journaled."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.merkle import proof_positions
from ledger.models import PayoutClaim
from ledger.royalties import journal
from ledger.royalties.models import JournalEntry, PayeeEntitlement, PayoutTree, RoyaltyPeriod, StoredStatement


@dataclass(frozen=True)
class PeriodEarning:
    period_id: int
    account: str
    amount: int
    cumulative_amount: int
    status: str
    statement_uri: str


@dataclass(frozen=True)
class ClaimableLeaf:
    account: str
    period_id: int
    cumulative_amount: int
    claimed: int
    proof: list[str]
    root: str

    @property
    def claimable(self) -> int:
        return max(self.cumulative_amount - self.claimed, 0)


def earnings(session: Session, accounts: list[str]) -> list[PeriodEarning]:
    """Every period's entitlement of these accounts, newest first (closed periods included, marked so)."""
    rows = session.execute(
        select(PayeeEntitlement, RoyaltyPeriod.status, StoredStatement.statement_uri)
        .join(RoyaltyPeriod, RoyaltyPeriod.period_id == PayeeEntitlement.period_id)
        .join(StoredStatement, StoredStatement.period_id == PayeeEntitlement.period_id)
        .where(PayeeEntitlement.account.in_(accounts))
        .order_by(PayeeEntitlement.period_id.desc(), PayeeEntitlement.account))
    return [PeriodEarning(e.period_id, e.account, int(e.amount), int(e.cumulative_amount), status, uri)
            for e, status, uri in rows]


def claimed_on_chain(session: Session, chain_id: int, distributor: str, accounts: list[str]) -> dict[str, int]:
    """Cumulative amount each account has been paid, as mirrored from `Claimed` events."""
    rows = session.execute(
        select(PayoutClaim.account, func.max(PayoutClaim.cumulative_amount))
        .where(PayoutClaim.chain_id == chain_id, PayoutClaim.distributor == distributor,
               PayoutClaim.account.in_(accounts)).group_by(PayoutClaim.account))
    return {account: int(amount) for account, amount in rows}


def claimable(session: Session, chain_id: int, distributor: str, accounts: list[str]) -> list[ClaimableLeaf]:
    """Each account's leaf in the latest published root (the one claims are checked against), with its proof."""
    latest = session.execute(
        select(StoredStatement.period_id, StoredStatement.root)
        .join(RoyaltyPeriod, RoyaltyPeriod.period_id == StoredStatement.period_id)
        .where(RoyaltyPeriod.status == "published", StoredStatement.published_tx.is_not(None))
        .order_by(StoredStatement.period_id.desc()).limit(1)).first()
    if latest is None:
        return []
    claimed = claimed_on_chain(session, chain_id, distributor, accounts)
    leaves = session.scalars(select(PayeeEntitlement).where(PayeeEntitlement.period_id == latest.period_id,
                                                            PayeeEntitlement.account.in_(accounts)))
    return [ClaimableLeaf(leaf.account, leaf.period_id, int(leaf.cumulative_amount), claimed.get(leaf.account, 0),
                          proof_of(session, leaf), latest.root) for leaf in leaves]


def proof_of(session: Session, leaf: PayeeEntitlement) -> list[str]:
    """The leaf's proof, read from the stored nodes of its period's tree (sibling first, up to the root)."""
    positions = list(proof_positions(leaf.tree_index))
    if not positions:  # a one-leaf tree: the leaf is the root
        return []
    nodes = session.execute(select(*(func.substring(PayoutTree.nodes, 32 * position + 1, 32) for position in positions))
                            .where(PayoutTree.period_id == leaf.period_id)).one()
    return ["0x" + node.hex() for node in nodes]


def claim_history(session: Session, chain_id: int, accounts: list[str]) -> list[PayoutClaim]:
    return list(session.scalars(select(PayoutClaim).where(PayoutClaim.chain_id == chain_id,
                                                          PayoutClaim.account.in_(accounts))
                                .order_by(PayoutClaim.block_number.desc(), PayoutClaim.log_index.desc())))


def journal_claims(session: Session, chain_id: int) -> int:
    """Post every mirrored claim not journaled yet (Dr funded_on_chain, Cr claimed); returns how many."""
    posted = 0
    key = func.concat("claim:", PayoutClaim.chain_id, ":", PayoutClaim.tx_hash, ":", PayoutClaim.log_index)
    journaled = select(JournalEntry.id).where(JournalEntry.idempotency_key == key).exists()
    for claim in session.scalars(select(PayoutClaim).where(PayoutClaim.chain_id == chain_id, ~journaled)):
        period_id = session.scalar(select(StoredStatement.period_id).where(StoredStatement.root == claim.root)
                                   .order_by(StoredStatement.period_id.desc()).limit(1))
        amount = int(claim.amount)
        posted += journal.post(
            session, kind="claim", key=f"claim:{chain_id}:{claim.tx_hash}:{claim.log_index}", period_id=period_id,
            memo=f"{claim.account} claimed {amount} in {claim.tx_hash}",
            postings=[journal.debit(journal.Account.funded_on_chain, amount),
                      journal.credit(journal.Account.claimed, amount)])
    return posted
