"""Liveness, readiness and metrics."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.deps import ContextDep
from api.errors import problem_response
from harmoni.errors import ServiceUnavailable

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is alive",
            responses={200: {"content": {"application/json": {"example": {"status": "ok"}}}}})
def healthz() -> dict:
    return {"status": "ok"}


@router.get("/readyz", summary="Database, chain and indexer are all usable",
            responses={200: {"content": {"application/json": {"example": {"status": "ready", "checks": {
                "database": {"ok": True, "error": None},
                "chain": {"ok": True, "error": None, "head_block": 1210},
                "indexer": {"ok": True, "error": None, "indexed_block": 1209,
                            "indexed_hash": "0x20b53acf0daefc8c6ad68c861fb3b543ca541abd101abc1edfcbf6606b838ef4",
                            "lag": 1}}}}}},
                       503: {"description": "A part is not ready, or did not answer within HARMONI_READYZ_TIMEOUT_S; "
                                             "the problem body names it"}})
def readyz(context: ContextDep) -> JSONResponse:
    # No request session: a hanging database must not hold the answer past the probe's deadline.
    state = context.readiness.check(context.sessions, context.chain, context.settings.chain_id,
                                    context.settings.indexer_max_lag_blocks)
    checks = {
        "database": {"ok": state.database is None, "error": state.database},
        "chain": {"ok": state.chain is None, "error": state.chain, "head_block": state.head_block},
        "indexer": {"ok": state.indexer is None, "error": state.indexer, "indexed_block": state.indexed_block,
                    "indexed_hash": state.indexed_hash, "lag": state.lag},
    }
    if not state.ready:
        reasons = "; ".join(f"{name}: {getattr(state, name)}" for name in state.failing())
        body = ServiceUnavailable(f"not ready: {reasons}", failing=state.failing(), checks=checks).problem("/readyz")
        return problem_response(body)
    return JSONResponse({"status": "ready", "checks": checks})


@router.get("/metrics", summary="Prometheus metrics", response_class=Response, responses={
    200: {"description": "The Prometheus text exposition format", "content": {"text/plain": {
        "schema": {"type": "string"},
        "example": "# HELP harmoni_http_requests_total HTTP requests\n"
                   "# TYPE harmoni_http_requests_total counter\n"
                   'harmoni_http_requests_total{method="GET",route="/v1/assets",status="200"} 1532.0\n'
                   "# HELP harmoni_indexer_lag_blocks Blocks the mirror trails the head\n"
                   "# TYPE harmoni_indexer_lag_blocks gauge\n"
                   "harmoni_indexer_lag_blocks 1.0\n"}}}})
def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
