"""Royalty periods, revenue, statements, payouts, earnings, claims and audits."""

from __future__ import annotations

import itertools
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Response, status
from fastapi.responses import StreamingResponse

from api.deps import ContextDep, CurrentUser, SessionDep, require_roles
from api.errors import problem_responses
from api.openapi import MAX_SAFE_INTEGER
from api.rights.schemas import OperationOut
from api.royalties import views
from api.royalties.schemas import (
    EXAMPLE_PLAYS_CSV,
    EXAMPLE_STATEMENT_CSV,
    EXAMPLE_STATEMENT_JSON,
    EXAMPLE_TREE_JSON,
    AuditOut,
    ClaimIn,
    ClaimsOut,
    EarningsOut,
    PeriodIn,
    PeriodJob,
    PeriodOut,
    RevenueIn,
    RevenueOut,
    RevenueVoidIn,
)
from harmoni.errors import ServiceUnavailable, ValidationFailed
from harmoni.jobs import enqueue_after_commit
from identity.errors import Forbidden, InvalidToken, Unauthenticated, WalletNotYours
from identity.models import Role, User
from ledger.royalties import audit, exports, periods
from ledger.royalties.errors import (
    ChainNotCaughtUp,
    InvalidPeriod,
    InvalidRevenue,
    NoClaimableAmount,
    PeriodNotClosed,
    PeriodNotFound,
    PeriodNotOpen,
    PeriodNotOver,
    PeriodOutOfOrder,
    PeriodTooLarge,
    RevenueNotFound,
    StatementNotFound,
)
from ledger.royalties.models import PeriodStatus
from ledger.royalties.tasks import close_period_job, publish_period_job

router = APIRouter(prefix="/v1", tags=["royalties"])
AdminUser = Annotated[User, require_roles(Role.admin)]
AuditorUser = Annotated[User, require_roles(Role.auditor, Role.admin)]
PeriodId = Annotated[int, Path(ge=1, le=MAX_SAFE_INTEGER, description="The period's number (its PayoutDistributor id)")]
_SIGNED_IN = (Unauthenticated, InvalidToken)
_ADMIN = (*_SIGNED_IN, Forbidden)


@router.post("/periods", status_code=status.HTTP_201_CREATED, summary="Open the next royalty period (admins)",
             responses=problem_responses(*_ADMIN, InvalidPeriod))
def open_period(body: PeriodIn, session: SessionDep, context: ContextDep, user: AdminUser) -> PeriodOut:
    return views.period_out(session, periods.open_period(session, body.ends_at, body.starts_at,
                                                         max_days_ahead=context.settings.period_max_days_ahead))


@router.get("/periods", summary="Every royalty period with its statement summary (public)")
def list_periods(session: SessionDep) -> list[PeriodOut]:
    return [views.period_out(session, p) for p in periods.list_periods(session)]


@router.get("/periods/{period_id}", summary="One royalty period (public)", responses=problem_responses(PeriodNotFound))
def get_period(period_id: PeriodId, session: SessionDep) -> PeriodOut:
    return views.period_out(session, periods.get_period(session, period_id))


@router.post("/periods/{period_id}/revenue", status_code=status.HTTP_201_CREATED,
             summary="Record revenue of an open period (admins); the same reference again returns the first entry",
             responses=problem_responses(*_ADMIN, PeriodNotFound, PeriodNotOpen, InvalidRevenue, ServiceUnavailable))
def record_revenue(period_id: PeriodId, body: RevenueIn, session: SessionDep, context: ContextDep, user: AdminUser,
                   response: Response) -> RevenueOut:
    ctx = views.royalty_context(context)
    entry, created = periods.record_revenue(
        session, period_id, source=body.source, amount=body.amount, currency=body.currency,
        reference=body.reference, asset_id=body.asset_id, chain_id=context.settings.chain_id,
        payout_currency=context.settings.payout_currency, unit_factor=ctx.unit_factor, created_by=user.id,
        confirm_above=context.settings.revenue_confirm_above, confirm_amount=body.confirm_amount)
    if not created:
        response.status_code = status.HTTP_200_OK
    return _revenue_out(entry)


def _revenue_out(entry) -> RevenueOut:
    return RevenueOut(id=str(entry.id), period_id=entry.period_id, source=entry.source, asset_id=entry.asset_id,
                      amount=str(entry.amount), currency=entry.currency, reference=entry.reference,
                      voided_at=entry.voided_at, void_reason=entry.void_reason)


@router.post("/periods/{period_id}/revenue/{entry_id}/void",
             summary="Void a wrong revenue entry of an open period (admins): kept on record, counted nowhere, its "
                     "journal entry reversed; again: no change",
             responses=problem_responses(*_ADMIN, PeriodNotFound, RevenueNotFound, PeriodNotOpen, ValidationFailed,
                                         ServiceUnavailable))
def void_revenue(period_id: PeriodId, entry_id: Annotated[uuid.UUID, Path(description="The entry's `id`")],
                 body: RevenueVoidIn, session: SessionDep, context: ContextDep, user: AdminUser) -> RevenueOut:
    entry = periods.void_revenue(session, period_id, entry_id, reason=body.reason,
                                 unit_factor=views.royalty_context(context).unit_factor, voided_by=user.id)
    return _revenue_out(entry)


@router.post("/periods/{period_id}/close", status_code=status.HTTP_202_ACCEPTED,
             summary="Close a period: statement, tree and journal, in the background (admins); safe to repeat",
             responses={200: {"model": PeriodOut, "description": "Closed already: the period as it is"},
                        **problem_responses(*_ADMIN, PeriodNotFound, PeriodNotOver, PeriodOutOfOrder,
                                            ChainNotCaughtUp, PeriodTooLarge)})
def close_period(period_id: PeriodId, session: SessionDep, context: ContextDep, user: AdminUser,
                 response: Response) -> PeriodOut:
    period = views.closable(session, period_id, context)
    if period.status in (PeriodStatus.closed, PeriodStatus.published):
        response.status_code = status.HTTP_200_OK  # done already: nothing to follow
        return views.period_out(session, period)
    enqueue_after_commit(session, close_period_job, period_id)
    return _following(session, period, response, PeriodJob(action="close", until="closed", url=""))


@router.post("/periods/{period_id}/publish", status_code=status.HTTP_202_ACCEPTED,
             summary="Publish a closed period's root with its funding on chain, in the background (admins)",
             responses={200: {"model": PeriodOut, "description": "Published already: the period as it is"},
                        **problem_responses(*_ADMIN, PeriodNotFound, PeriodNotClosed, PeriodOutOfOrder)})
def publish_period(period_id: PeriodId, session: SessionDep, user: AdminUser, response: Response) -> PeriodOut:
    period = views.publishable(session, period_id)
    if period.status != PeriodStatus.closed:
        response.status_code = status.HTTP_200_OK  # published already
        return views.period_out(session, period)
    enqueue_after_commit(session, publish_period_job, period_id)
    return _following(session, period, response, PeriodJob(action="publish", until="published", url=""))


def _following(session, period, response: Response, job: PeriodJob) -> PeriodOut:
    """The period as the job finds it, with the job to follow: its URL in the body and the Location header."""
    url = f"/v1/periods/{period.period_id}"
    response.headers["Location"] = url
    return views.period_out(session, period).model_copy(update={"job": job.model_copy(update={"url": url})})


@router.get("/periods/{period_id}/statement.{extension}", summary="A closed period's statement (public)",
            response_class=Response, responses={
                200: {"content": {"application/json": {"example": EXAMPLE_STATEMENT_JSON},
                                  "text/csv": {"example": EXAMPLE_STATEMENT_CSV}},
                      "description": "The document"},
                **problem_responses(PeriodNotFound, StatementNotFound, ServiceUnavailable)})
def statement(period_id: PeriodId,
              extension: Annotated[Literal["json", "csv"], Path(description="The document's format")],
              session: SessionDep,
              context: ContextDep) -> Response:
    data, media_type = exports.document(session, views.royalty_context(context), period_id, f"statement.{extension}")
    return Response(data, media_type=media_type)


@router.get("/me/earnings", summary="What your wallets earned, period by period (signed-in users)",
            responses=problem_responses(*_SIGNED_IN, ServiceUnavailable))
def my_earnings(session: SessionDep, context: ContextDep, user: CurrentUser) -> EarningsOut:
    return views.earnings(session, views.royalty_context(context), user)


@router.get("/me/claims", summary="Your claimable leaves with their proofs, and your claims so far",
            responses=problem_responses(*_SIGNED_IN, ServiceUnavailable))
def my_claims(session: SessionDep, context: ContextDep, user: CurrentUser) -> ClaimsOut:
    return views.claims(session, views.royalty_context(context), user)


@router.post("/me/claims", status_code=status.HTTP_202_ACCEPTED,
             summary="Claim a wallet's payout through the relayer (it pays the gas; the tokens go to the wallet)",
             description="202 with a new operation; the same claim again (nothing claimed since) answers 200 with "
                         "that operation as it stands now.",
             responses={200: {"model": OperationOut, "description": "The same claim again: its operation now"}} |
             problem_responses(*_SIGNED_IN, WalletNotYours, ValidationFailed, NoClaimableAmount,
                                         ServiceUnavailable))
def claim(body: ClaimIn, response: Response, session: SessionDep, context: ContextDep,
          user: CurrentUser) -> OperationOut:
    operation, created = views.relay_claim(session, context, user, body.account)
    if not created:
        response.status_code = status.HTTP_200_OK
    return operation


@router.get("/audit/periods/{period_id}", summary="Recompute and verify a period against the chain (auditors)",
            responses=problem_responses(*_ADMIN, PeriodNotFound, StatementNotFound, ServiceUnavailable))
def audit_period(period_id: PeriodId, context: ContextDep, user: AuditorUser) -> AuditOut:
    report = audit.verify_period(views.royalty_context(context), period_id)
    checks = [views.check_out(c) for c in report.checks]
    return AuditOut(period_id=period_id, passed=report.passed, checks=checks,
                    discrepancies=[c for c in checks if not c.passed])


@router.get("/audit/periods/{period_id}/inputs/{name}", summary="Download a raw input or output of a period "
            "(auditors): plays, partner lines, revenue, splits at the cut, journal, statement, tree",
            response_class=Response, responses={
                200: {"content": {
                    "text/csv": {"examples": {"plays.csv": {"value": EXAMPLE_PLAYS_CSV},
                                              "statement.csv": {"value": EXAMPLE_STATEMENT_CSV}}},
                    "application/json": {"examples": {"tree.json": {"value": EXAMPLE_TREE_JSON},
                                                      "statement.json": {"value": EXAMPLE_STATEMENT_JSON}}}},
                      "description": "The file"},
                **problem_responses(*_ADMIN, PeriodNotFound, StatementNotFound, ServiceUnavailable)})
def audit_input(period_id: PeriodId,
                name: Annotated[Literal[tuple(exports.NAMES)], Path(description="Which file")],  # type: ignore[valid-type]
                session: SessionDep,
                context: ContextDep, user: AuditorUser) -> Response:
    ctx = views.royalty_context(context)
    if name in exports.DOCUMENTS:
        data, media_type = exports.document(session, ctx, period_id, name)
        return Response(data, media_type=media_type)
    periods.get_period(session, period_id)

    def rows():  # the request's session ends with the handler; the stream reads in a session of its own
        with context.sessions() as own:
            yield from exports.TABLES[name](own, ctx, period_id)

    # The first chunk is read here: a refusal (no statement yet) is then a problem+json answer, not an error
    # after the 200's headers went out.
    stream = rows()
    first = next(stream, None)
    return StreamingResponse(itertools.chain(() if first is None else (first,), stream), media_type="text/csv",
                             headers={"Content-Disposition": f'attachment; filename="period-{period_id}-{name}"'})
