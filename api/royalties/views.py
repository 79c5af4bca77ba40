"""What the royalty endpoints share: the royalty context of the app, and the shapes of their answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from api.deps import AppContext
from api.rights.schemas import OperationOut
from api.royalties.schemas import (
    AccountEarnings,
    AuditCheckOut,
    ClaimProof,
    ClaimRecord,
    ClaimsOut,
    EarningOut,
    EarningsOut,
    PeriodOut,
    PublishFailure,
    StatementSummary,
)
from chain.wallets import relayer_account
from harmoni.errors import ConfigurationError, ServiceUnavailable
from harmoni.jobs import enqueue_after_commit
from identity import repository
from identity.models import Role, User
from identity.service import owned_wallet
from ledger import registration
from ledger.royalties import claims as claim_reads
from ledger.royalties import inputs
from ledger.royalties.audit import Check
from ledger.royalties.close import check_closable
from ledger.royalties.context import RoyaltyContext
from ledger.royalties.errors import PeriodNotClosed, PeriodOutOfOrder
from ledger.royalties.models import PeriodStatus, RoyaltyPeriod, StoredStatement
from ledger.royalties.periods import get_period
from ledger.royalties.publish import claim_call
from ledger.tasks import relay_rights_operation

_SETTLED = (PeriodStatus.closed, PeriodStatus.published)


def royalty_context(context: AppContext) -> RoyaltyContext:
    try:
        return RoyaltyContext.from_settings(context.settings, context.sessions, context.chain)
    except ConfigurationError as err:  # no contracts on this chain yet
        raise ServiceUnavailable(str(err), failing=["chain"]) from err


def period_out(session: Session, period: RoyaltyPeriod) -> PeriodOut:
    stored = session.get(StoredStatement, period.period_id)
    summary = None if stored is None else StatementSummary(
        cut_block=stored.cut_block, cut_block_hash=stored.cut_block_hash, gross=str(stored.gross),
        platform_fee=str(stored.platform_fee), held=str(stored.held), unallocated=str(stored.unallocated),
        allocated=str(stored.allocated), cumulative_total=str(stored.cumulative_total), root=stored.root,
        statement_hash=stored.statement_hash, statement_uri=stored.statement_uri, published_tx=stored.published_tx,
        published_block=stored.published_block)
    failed = None if period.publish_failed_at is None else PublishFailure(at=period.publish_failed_at,
                                                                         reason=period.publish_error or "")
    return PeriodOut(period_id=period.period_id, starts_at=period.starts_at, ends_at=period.ends_at,
                     status=period.status, statement=summary, publish_failed=failed)


def closable(session: Session, period_id: int, context: AppContext) -> RoyaltyPeriod:
    """The period, if a close job could finish it now (refusals the job would meet are answered at once: too
    early, out of order, or a chain whose block after the end is not final and mirrored yet)."""
    period = get_period(session, period_id)
    if period.status == PeriodStatus.open:
        settings = context.settings
        check_closable(session, period, datetime.now(UTC), timedelta(seconds=settings.period_close_grace_s),
                       royalty_context(context).unit_factor)
        inputs.check_mirrored(session, settings.chain_id, inputs.find_cut(context.chain, period.ends_at))
    return period


def publishable(session: Session, period_id: int) -> RoyaltyPeriod:
    period = get_period(session, period_id)
    if period.status not in _SETTLED:
        raise PeriodNotClosed(f"period {period_id} is {period.status}; close it first", period_id=period_id)
    if period.status == PeriodStatus.closed and period_id > 1 and \
            get_period(session, period_id - 1).status != PeriodStatus.published:
        raise PeriodOutOfOrder(f"publish period {period_id - 1} first", period_id=period_id)
    return period


def _accounts(session: Session, user: User) -> list[str]:
    return [w.address for w in repository.wallets_of(session, user.id)]


def earnings(session: Session, ctx: RoyaltyContext, user: User) -> EarningsOut:
    accounts = _accounts(session, user)
    rows = claim_reads.earnings(session, accounts)
    leaves = {leaf.account: leaf for leaf in claim_reads.claimable(session, ctx.deployment.chain_id,
                                                                   ctx.distributor.address, accounts)}
    claimed = claim_reads.claimed_on_chain(session, ctx.deployment.chain_id, ctx.distributor.address, accounts)
    latest: dict[str, int] = {}
    for row in rows:  # newest first
        latest.setdefault(row.account, row.cumulative_amount)
    return EarningsOut(
        token=ctx.deployment.payout_token,
        accounts=[AccountEarnings(account=a, earned=str(latest.get(a, 0)),
                                  claimable=str(leaves[a].claimable if a in leaves else 0),
                                  claimed=str(claimed.get(a, 0))) for a in accounts],
        periods=[EarningOut(period_id=r.period_id, account=r.account, amount=str(r.amount),
                            cumulative_amount=str(r.cumulative_amount), status=r.status,
                            statement_uri=r.statement_uri) for r in rows])


def claims(session: Session, ctx: RoyaltyContext, user: User) -> ClaimsOut:
    accounts = _accounts(session, user)
    chain_id, distributor = ctx.deployment.chain_id, ctx.distributor.address
    return ClaimsOut(
        distributor=distributor,
        claimable=[ClaimProof(account=leaf.account, period_id=leaf.period_id,
                              cumulative_amount=str(leaf.cumulative_amount), claimed=str(leaf.claimed),
                              claimable=str(leaf.claimable), root=leaf.root, proof=leaf.proof)
                   for leaf in claim_reads.claimable(session, chain_id, distributor, accounts)],
        history=[ClaimRecord(account=c.account, amount=str(c.amount), cumulative_amount=str(c.cumulative_amount),
                             tx_hash=c.tx_hash, block_number=c.block_number)
                 for c in claim_reads.claim_history(session, chain_id, accounts)])


def relay_claim(session: Session, context: AppContext, user: User, account: str) -> tuple[OperationOut, bool]:
    """Have the relayer submit the wallet's claim (the contract pays the wallet, whoever sends it); whether the
    operation is new."""
    address = owned_wallet(session, user.id, account, field="account")
    ctx = royalty_context(context)
    call = claim_call(ctx, session, address)
    relayer = relayer_account(context.settings, context.settings.chain_id).address
    operation, created = registration.create_relayer_operation(
        session, user.id, "claim", call.key, ctx.distributor, "claim", call.args,
        {"account": address, "cumulativeAmount": str(call.args[1])}, relayer)
    if created:
        enqueue_after_commit(session, relay_rights_operation, str(operation.id))
        return OperationOut(id=operation.id, kind="claim", status="pending"), True
    # The same claim again: the first operation as it stands now (submitted, confirmed…), never a stale "pending".
    view = registration.operation_status(session, operation.id, user.id, Role.admin.value in user.roles,
                                         context.settings.chain_id)
    return OperationOut(id=operation.id, kind="claim", status=view.status, tx_hash=view.tx_hash,
                        block_number=view.block_number, error=view.error, error_args=view.error_args), False


def check_out(check: Check) -> AuditCheckOut:
    return AuditCheckOut(name=check.name, passed=check.passed, detail=check.detail)
