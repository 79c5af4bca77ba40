"""The FastAPI application factory (`uvicorn api.app:create_app --factory`)."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy.orm import configure_mappers

from api import errors, openapi
from api.assets.endpoints import router as assets_router
from api.auth.endpoints import router as auth_router
from api.bonus.endpoints import router as bonus_router
from api.chain.endpoints import router as chain_router
from api.deps import AppContext
from api.discovery.analytics import router as analytics_router
from api.discovery.endpoints import router as discovery_router
from api.disputes.endpoints import router as disputes_router
from api.docs.endpoints import install as install_docs
from api.editions.endpoints import router as editions_router
from api.gates.endpoints import router as gates_router
from api.health.endpoints import router as health_router
from api.invitations.endpoints import router as invitations_router
from api.me.endpoints import router as me_router
from api.middleware import BodySizeLimitMiddleware, HeaderSizeLimitMiddleware, RequestContextMiddleware
from api.notifications.endpoints import router as notifications_router
from api.notifications.privacy import router as privacy_router
from api.partners.endpoints import router as partners_router
from api.payments.endpoints import router as payments_router
from api.payments.orders import router as card_orders_router
from api.rights.endpoints import router as rights_router
from api.royalties.endpoints import router as royalties_router
from api.search.endpoints import router as search_router
from api.social.endpoints import router as social_router
from api.streams.endpoints import router as streams_router
from api.uploads.endpoints import router as uploads_router
from api.usage.endpoints import router as usage_router
from api.web.endpoints import install as install_web
from chain.client import ChainClient
from chain.toolchain import REPO_ROOT
from harmoni import embedded_db
from harmoni.db import session_factory
from harmoni.jobs import configure as configure_jobs
from harmoni.logging import configure_logging
from harmoni.settings import Settings, get_settings
from identity import passwords
from indexer.status import BoundedReadiness
from partners.webhooks import warn_when_unrestricted

log = logging.getLogger(__name__)


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    configure_mappers()  # now, not in the first request each worker serves (~60 ms)
    # What start-up built (modules, ABIs, mappers, routes: ~200k objects) lives as long as the app. Frozen, the
    # cyclic collector's full passes skip it; otherwise each walks it all, stalling every request of the worker
    # for 0.1-0.4 s, every few seconds under load.
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    configure_jobs(settings)
    warn_when_unrestricted(settings.env.value, log)
    database_url = settings.database_url or embedded_db.start(settings.data_dir)[0]
    app = FastAPI(
        lifespan=_lifespan,
        title="HARMONI API",
        version="1.0.0",
        description="Rights and royalty ledger for music: who owns a song, how its money splits, "
                    "and proof of every payout.",
        docs_url=None, redoc_url=None,  # served by api.docs with local assets
    )
    install_docs(app)
    openapi.install(app)  # the problems each route answers, derived from its dependencies
    passwords.slots.configure(settings.password_hashing_concurrency, settings.password_hashing_wait_s)
    app.state.context = AppContext(settings=settings, sessions=session_factory(database_url),
                                   chain=ChainClient(settings.effective_rpc_url, settings.rpc_timeout_s),
                                   readiness=BoundedReadiness(settings.readyz_timeout_s))
    errors.install(app)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_request_bytes, exempt=("/v1/uploads",))
    app.add_middleware(RequestContextMiddleware)
    app.add_middleware(HeaderSizeLimitMiddleware, max_bytes=settings.max_header_bytes)  # added last: outermost
    app.include_router(health_router)
    app.include_router(auth_router)
    app.include_router(me_router)
    app.include_router(invitations_router)
    app.include_router(assets_router)
    app.include_router(rights_router)
    app.include_router(disputes_router)
    app.include_router(partners_router)
    app.include_router(usage_router)
    app.include_router(royalties_router)
    app.include_router(uploads_router)
    app.include_router(streams_router)
    app.include_router(gates_router)
    app.include_router(bonus_router)
    app.include_router(notifications_router)
    app.include_router(privacy_router)
    app.include_router(chain_router)
    app.include_router(editions_router)
    app.include_router(payments_router)
    app.include_router(card_orders_router)
    app.include_router(search_router)
    app.include_router(discovery_router)
    app.include_router(analytics_router)
    app.include_router(social_router)
    install_web(app, settings.web_dist_dir or REPO_ROOT / "web" / "dist")  # last: it answers what nothing else does
    return app
