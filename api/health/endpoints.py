"""Liveness, readiness and metrics."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.deps import ContextDep, SessionDep
from api.errors import problem_response
from harmoni.errors import ServiceUnavailable
from indexer.status import readiness

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is alive")
def healthz() -> dict:
    return {"status": "ok"}


@router.get("/readyz", summary="Database, chain and indexer are all usable",
            responses={503: {"description": "A part is not ready; the problem body names it"}})
def readyz(session: SessionDep, context: ContextDep) -> JSONResponse:
    state = readiness(session, context.chain, context.settings.chain_id, context.settings.indexer_max_lag_blocks)
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


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
