"""Usage in: playback sessions and plays from the player, partners' usage reports."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status

from api.deps import ContextDep, SessionDep, client_ip, proxy_country
from api.errors import problem_responses
from api.gates.deps import edition_balance
from api.openapi import MAX_SAFE_INTEGER
from api.usage.deps import ListenerDep, UsageReporter, ip_over_hourly_plays
from api.usage.schemas import (
    EXAMPLE_CSV,
    GrantOut,
    PlaybackSessionIn,
    PlaybackSessionOut,
    PlayIn,
    PlayOut,
    UsageReportOut,
)
from content import gating, streaming
from content.errors import NotEditionHolder, NotStreamable
from content.storage import object_store
from harmoni.errors import ValidationFailed
from identity.errors import Forbidden, InvalidToken, Unauthenticated
from identity.repository import wallets_of
from ledger.usage import plays, reports
from ledger.usage.errors import (
    InvalidPlaybackToken,
    PeriodNotFound,
    PeriodNotOpen,
    PlayAlreadyReported,
    PlaybackSessionNotYours,
    RecordingFrozen,
    RecordingNotFound,
    UsageReportInvalid,
    UsageReportNotFound,
)
from ledger.usage.models import UsageReport
from partners.errors import InvalidApiKey, RateLimited, ScopeMissing
from payments import service as subscriptions

router = APIRouter(prefix="/v1", tags=["usage"])
_LISTENER_PROBLEMS = (Unauthenticated, InvalidToken, RateLimited, ValidationFailed)
_REPORTER_PROBLEMS = (Unauthenticated, InvalidToken, Forbidden, InvalidApiKey, ScopeMissing, RateLimited)
PeriodId = Annotated[int, Path(ge=0, le=MAX_SAFE_INTEGER, description="Royalty period id")]


async def _raw_body(request: Request) -> bytes:
    return await request.body()


def _report_out(report: UsageReport) -> UsageReportOut:
    return UsageReportOut(id=report.id, period_id=report.period_id, filename=report.filename,
                          sha256=bytes(report.sha256).hex(), line_count=report.line_count,
                          total_usage=int(report.total_usage), total_net_revenue=int(report.total_net_revenue),
                          currency=report.currency, created_at=report.created_at)


@router.post("/playback-sessions", status_code=status.HTTP_201_CREATED,
             summary="Start playing a recording: a session whose token reports the play (any signed-in user)",
             responses=problem_responses(*_LISTENER_PROBLEMS, RecordingNotFound, RecordingFrozen))
def start_playback(body: PlaybackSessionIn, request: Request, session: SessionDep, context: ContextDep,
                   user: ListenerDep) -> PlaybackSessionOut:
    settings = context.settings
    started = plays.start_session(session, listener_id=user.id, chain_id=settings.chain_id, asset_id=body.asset_id,
                                  ip=client_ip(request), secret=settings.secret_key.get_secret_value(),
                                  ttl=timedelta(seconds=settings.playback_session_ttl_s),
                                  store=object_store(settings), source=body.source,
                                  country=proxy_country(request) or subscriptions.buyer_country(session, user.id))
    out = PlaybackSessionOut(session_id=started.session.id, token=started.token,
                             expires_at=started.session.expires_at, counts_after_ms=started.counts_after_ms,
                             duration_ms=started.session.duration_ms)
    try:
        upload = streaming.playing_upload(session, settings.chain_id, body.asset_id)
    except NotStreamable as err:
        out.not_streamable = err.detail
        return out
    base = str(request.base_url).rstrip("/")
    if settings.streaming_requires_subscription and not subscriptions.is_subscriber(session, user.id):
        out.streams = streaming.urls(settings, upload, body.asset_id, user.id, base, public_only=True)
        out.not_streamable = "full tracks need a subscription (POST /v1/me/subscription); the preview plays"
        return out
    wallets = [w.address for w in wallets_of(session, user.id)]
    expires = datetime.now(UTC) + timedelta(seconds=settings.stream_url_ttl_s)
    try:
        granted = gating.grant(session, settings.chain_id, body.asset_id, wallets, expires,
                               on_chain=edition_balance(context))
    except NotEditionHolder as err:
        out.streams = streaming.urls(settings, upload, body.asset_id, user.id, base, public_only=True)
        out.not_streamable = err.detail
        return out
    if granted is not None:
        out.grant = GrantOut(wallet=granted.wallet, edition_id=granted.edition_id, expires_at=granted.expires_at)
    out.streams = streaming.urls(settings, upload, body.asset_id, user.id, base)
    out.loudness_gain_db = (upload.loudness or {}).get("gain_db")
    if out.duration_ms is None and upload.probe:
        out.duration_ms = upload.probe["duration_ms"]
    return out


@router.post("/plays", status_code=status.HTTP_201_CREATED,
             summary="Report a playback session's play, once; it is kept, counted or flagged (its listener)",
             responses=problem_responses(*_LISTENER_PROBLEMS, InvalidPlaybackToken, PlaybackSessionNotYours,
                                         PlayAlreadyReported))
def report_play(body: PlayIn, request: Request, session: SessionDep, context: ContextDep,
                user: ListenerDep) -> PlayOut:
    ip = client_ip(request)
    extra = [plays.Flag.ip_rate] if ip_over_hourly_plays(context, ip) else []
    play = plays.record_play(session, token=body.token, listener_id=user.id, played_ms=body.played_ms, ip=ip,
                             secret=context.settings.secret_key.get_secret_value(),
                             max_counted_per_hour=context.settings.play_listener_max_counted_per_hour,
                             extra_flags=extra)
    return PlayOut(play_id=play.id, counted=play.counted, flags=play.flags)


_CSV_BODY = {"requestBody": {"required": True, "description": "The report as CSV (header line first)",
                             "content": {"text/csv": {"schema": {"type": "string"}, "example": EXAMPLE_CSV}}}}


@router.post("/periods/{period_id}/usage-reports", status_code=status.HTTP_201_CREATED,
             summary="Upload a usage report (CSV) for an open period: accepted whole or refused whole, with every "
                     "bad line (key with usage:write, or a signed-in partner)",
             openapi_extra=_CSV_BODY,
             responses={200: {"model": UsageReportOut,
                              "description": "The same file was accepted before: that report, unchanged"},
                        **problem_responses(*_REPORTER_PROBLEMS, PeriodNotFound, PeriodNotOpen, UsageReportInvalid)})
def submit_usage_report(period_id: PeriodId, data: Annotated[bytes, Depends(_raw_body)], response: Response,
                        session: SessionDep, context: ContextDep, caller: UsageReporter,
                        filename: Annotated[str | None, Query(min_length=1, max_length=255,
                                                              pattern=r"^[^\x00-\x1f\x7f]+$",
                                                              description="Your name for the file")] = None,
                        ) -> UsageReportOut:
    report, created = reports.submit_report(session, period_id=period_id, owner_id=caller.user_id,
                                            key_id=caller.key_id, chain_id=context.settings.chain_id,
                                            currency=context.settings.payout_currency, data=data, filename=filename)
    if not created:
        response.status_code = status.HTTP_200_OK
    return _report_out(report)


@router.get("/periods/{period_id}/usage-reports", summary="The account's usage reports of a period, oldest first "
                                                          "(key with usage:write, or a signed-in partner)",
            responses=problem_responses(*_REPORTER_PROBLEMS, PeriodNotFound, ValidationFailed))
def list_usage_reports(period_id: PeriodId, session: SessionDep, caller: UsageReporter) -> list[UsageReportOut]:
    return [_report_out(report) for report in reports.reports_of(session, caller.user_id, period_id)]


@router.get("/usage-reports/{report_id}", summary="One of the account's usage reports "
                                                  "(key with usage:write, or a signed-in partner)",
            responses=problem_responses(*_REPORTER_PROBLEMS, UsageReportNotFound, ValidationFailed))
def get_usage_report(report_id: Annotated[uuid.UUID, Path(description="The `id` the report was accepted with")],
                     session: SessionDep,
                     caller: UsageReporter) -> UsageReportOut:
    return _report_out(reports.report_of(session, caller.user_id, report_id))
