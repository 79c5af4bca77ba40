"""Publishing a closed period on PayoutDistributor with its funding, exactly once, and relaying claims.

Each chain step is a TransactionSender operation with a fixed idempotency key, so a publish killed after any
step and run again resumes the recorded transactions instead of sending new ones; the contract refuses a second
publication of the same period (`PeriodNotIncreasing`) and a publication over an unexpected root
(`RootMismatch`) anyway. Only once the publication is mined are the period marked published and the funding
journaled, in one transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from chain.wallets import LOCAL_CHAIN_IDS, deployer_account, relayer_account
from harmoni.errors import Conflict
from harmoni.failpoints import failpoint
from ledger.operations import platform_sender
from ledger.royalties import journal
from ledger.royalties.claims import proof_of
from ledger.royalties.context import RoyaltyContext
from ledger.royalties.errors import (
    NoClaimableAmount,
    NothingToPublish,
    PeriodNotClosed,
    PeriodOutOfOrder,
    PublisherUnderfunded,
)
from ledger.royalties.models import PayeeEntitlement, PeriodStatus, StoredStatement
from ledger.royalties.periods import get_period

log = logging.getLogger(__name__)


class ChainRootDiffers(Conflict):
    slug = "chain-root-differs"
    title = "The chain's payout root is not the one this period builds on"


def publish_period(ctx: RoyaltyContext, period_id: int) -> StoredStatement:
    """Put the period's root, statement hash and URI on chain and fund it; a published period is returned as is."""
    with ctx.sessions.begin() as session:
        period = get_period(session, period_id, lock=True)
        stored = session.get(StoredStatement, period_id)
        if period.status == PeriodStatus.published:
            return stored
        if period.status != PeriodStatus.closed:
            raise PeriodNotClosed(f"period {period_id} is {period.status}; close it first", period_id=period_id)
        if period_id > 1 and get_period(session, period_id - 1).status != PeriodStatus.published:
            raise PeriodOutOfOrder(f"publish period {period_id - 1} first", period_id=period_id)

    if stored.root == stored.previous_root:
        if int(stored.allocated):
            raise NothingToPublish(f"period {period_id} adds payouts but its root did not change")
        if stored.root == "0x" + "00" * 32:
            raise NothingToPublish(f"period {period_id} pays nobody yet; nothing goes on chain", period_id=period_id)
        return _record(ctx, period_id, tx_hash=None, block_number=None)  # nothing new: the chain keeps its root

    relayer = relayer_account(ctx.settings, ctx.deployment.chain_id)
    sender = platform_sender(ctx.settings, ctx.client.w3, relayer)
    key = f"publish:{ctx.deployment.chain_id}:{ctx.deployment.address('PayoutDistributor')}:{period_id}"
    calldata = ctx.distributor.encode_abi("publishPeriod", args=[
        period_id, stored.root, int(stored.cumulative_total), stored.statement_hash, stored.statement_uri,
        stored.previous_root])
    if sender.store.get(key) is None:
        _check_chain_root(ctx, stored)
        _fund(ctx, relayer.address, int(stored.allocated), period_id)
    failpoint("publish:funded")
    result = sender.send(key, {"to": ctx.deployment.address("PayoutDistributor"), "data": calldata},
                         kind="publishPeriod")
    failpoint("publish:sent")
    return _record(ctx, period_id, tx_hash=result.tx_hash, block_number=result.block_number)


def _check_chain_root(ctx: RoyaltyContext, stored: StoredStatement) -> None:
    current = "0x" + ctx.distributor.functions.currentRoot().call().hex()
    if current != stored.previous_root.lower():
        raise ChainRootDiffers(f"the distributor's root is {current}, period {stored.period_id} builds on "
                               f"{stored.previous_root}", period_id=stored.period_id)


def _fund(ctx: RoyaltyContext, publisher: str, amount: int, period_id: int) -> None:
    """Make sure the publisher holds `amount` and lets the distributor pull it.

    On a local chain the dev stablecoin is minted for the publisher; elsewhere the treasury must have sent it.
    """
    if amount == 0:
        return
    token, distributor = ctx.token, ctx.deployment.address("PayoutDistributor")
    chain_id = ctx.deployment.chain_id
    balance = token.functions.balanceOf(publisher).call()
    if balance < amount:
        if chain_id not in LOCAL_CHAIN_IDS:
            raise PublisherUnderfunded(
                f"the publisher {publisher} holds {balance} of the payout token; period {period_id} needs {amount}",
                publisher=publisher, balance=str(balance), needed=str(amount))
        minter = platform_sender(ctx.settings, ctx.client.w3, deployer_account(ctx.settings, chain_id))
        minter.send(f"fund:{chain_id}:{period_id}", {
            "to": token.address, "data": token.encode_abi("mint", args=[publisher, amount - balance])},
            kind="mintDevStablecoin")
    failpoint("publish:minted")
    if token.functions.allowance(publisher, distributor).call() < amount:
        sender = platform_sender(ctx.settings, ctx.client.w3, relayer_account(ctx.settings, chain_id))
        sender.send(f"approve:{chain_id}:{distributor}:{period_id}",
                    {"to": token.address, "data": token.encode_abi("approve", args=[distributor, amount])},
                    kind="approvePayout")


def _record(ctx: RoyaltyContext, period_id: int, *, tx_hash: str | None, block_number: int | None) -> StoredStatement:
    with ctx.sessions.begin() as session:
        period = get_period(session, period_id, lock=True)
        stored = session.get(StoredStatement, period_id)
        if period.status == PeriodStatus.published:
            return stored
        stored.published_tx, stored.published_block = tx_hash, block_number
        allocated = int(stored.allocated)
        journal.post(session, kind="funding", key=f"funding:{period_id}", period_id=period_id,
                     memo=f"period {period_id} funded on PayoutDistributor" + (f" in {tx_hash}" if tx_hash else ""),
                     postings=[journal.debit(journal.Account.rights_holders_payable, allocated),
                               journal.credit(journal.Account.funded_on_chain, allocated)])
        period.status = PeriodStatus.published.value
        period.publish_failed_at = period.publish_error = None
        return stored


def publish_showing_failure(ctx: RoyaltyContext, period_id: int) -> StoredStatement:
    """`publish_period`, and on any failure (ours or the chain's) the failure recorded on the period, then raised."""
    try:
        return publish_period(ctx, period_id)
    except Exception as err:
        record_publish_failure(ctx, period_id, err)
        raise


def record_publish_failure(ctx: RoyaltyContext, period_id: int, err: BaseException) -> None:
    """Show on the period that its publish failed, and why (the error's own words, at most 1000 characters)."""
    reason = f"{getattr(err, 'slug', type(err).__name__)}: {getattr(err, 'detail', None) or err}"[:1000]
    with ctx.sessions.begin() as session:
        period = get_period(session, period_id, lock=True)
        if period.status != PeriodStatus.published:
            period.publish_failed_at, period.publish_error = datetime.now(UTC), reason
    log.warning("period publish failed", extra={"period_id": period_id, "reason": reason})


def latest_entitlement(session: Session, account: str) -> tuple[PayeeEntitlement, StoredStatement] | None:
    """The account's leaf in the latest published tree (the only root claims are checked against)."""
    row = session.execute(
        select(PayeeEntitlement, StoredStatement)
        .join(StoredStatement, StoredStatement.period_id == PayeeEntitlement.period_id)
        .where(PayeeEntitlement.account == account, StoredStatement.published_tx.is_not(None))
        .order_by(PayeeEntitlement.period_id.desc()).limit(1)).first()
    return (row[0], row[1]) if row else None


@dataclass(frozen=True)
class ClaimCall:
    """A claim of an account's latest published leaf: its idempotency key, `claim` arguments and amount due."""

    key: str
    args: list
    amount: int


def claim_call(ctx: RoyaltyContext, session: Session, account: str) -> ClaimCall:
    found = latest_entitlement(session, account)
    if found is None:
        raise NoClaimableAmount(f"{account} has no entitlement in a published period", account=account)
    entitlement, stored = found
    cumulative = int(entitlement.cumulative_amount)
    claimed = ctx.distributor.functions.claimed(account).call()
    if claimed >= cumulative:
        raise NoClaimableAmount(f"{account} already claimed {claimed} of {cumulative}", account=account)
    proof = [bytes.fromhex(p[2:]) for p in proof_of(session, entitlement)]
    args = [account, cumulative, proof, bytes.fromhex(stored.root[2:])]
    return ClaimCall(f"claim:{ctx.deployment.chain_id}:{account}:{cumulative}", args, cumulative - claimed)
