"""`harmoni indexer run`: the long-running indexer process."""

from __future__ import annotations

import logging
import signal

from chain import deployments
from chain.client import ChainClient
from harmoni import embedded_db
from harmoni.db import check_connection, session_factory
from harmoni.errors import ConfigurationError
from harmoni.settings import Settings
from indexer.follower import Follower

log = logging.getLogger(__name__)


def run(settings: Settings) -> int:
    deployment = deployments.load(settings.chain_id, settings.data_dir)
    if deployment is None:
        raise ConfigurationError(f"no deployment recorded for chain {settings.chain_id}: deploy the contracts first")
    client = ChainClient(settings.effective_rpc_url, settings.rpc_timeout_s)
    stop = False

    def _stop(_signum, _frame):
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    with embedded_db.database_url(settings) as url:
        check_connection(url)
        follower = Follower(session_factory(url), client, settings.chain_id, deployment.start_block,
                            settings.indexer_poll_interval_s)
        log.info("indexer started", extra={"chain_id": settings.chain_id, "from_block": deployment.start_block})
        follower.run_forever(lambda: stop)
    log.info("indexer stopped")
    return 0
