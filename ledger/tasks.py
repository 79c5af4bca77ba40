"""Ledger background jobs."""

from __future__ import annotations

import logging
import uuid

from chain.client import ChainClient
from chain.errors import ChainError
from chain.wallets import deployer_account, relayer_account
from harmoni.db import session_scope
from harmoni.errors import ConfigurationError
from harmoni.jobs import celery_app
from harmoni.settings import get_settings
from ledger.operations import platform_sender
from ledger.registration import RightsOperation

log = logging.getLogger(__name__)


@celery_app.task(name="ledger.relay_rights_operation", acks_late=True)
def relay_rights_operation(operation_id: str) -> str:
    """Send a recorded rights request through the relayer, exactly once per idempotency key."""
    settings = get_settings()
    with session_scope(settings.database_url) as session:
        operation = session.get(RightsOperation, uuid.UUID(operation_id))
        key, kind = operation.idempotency_key, operation.kind
        tx = {"to": operation.to_address, "data": operation.calldata}
    client = ChainClient(settings.effective_rpc_url, settings.rpc_timeout_s)
    sender = platform_sender(settings, client.w3, relayer_account(settings, settings.chain_id))
    return sender.send(key, tx, kind=kind).tx_hash


@celery_app.task(name="ledger.resume_operations")
def resume_operations() -> dict[str, str]:
    """Drive every unfinished operation of the platform's accounts to its end: after a crash mid-send, or when the
    indexer sent an inclusion back because its block left the chain. Runs at start and periodically."""
    settings = get_settings()
    client = ChainClient(settings.effective_rpc_url, settings.rpc_timeout_s)
    outcomes: dict[str, str] = {}
    for account in _sending_accounts(settings):
        for key, outcome in platform_sender(settings, client.w3, account).resume_unfinished().items():
            failed = isinstance(outcome, ChainError)
            outcomes[key] = f"{type(outcome).__name__}: {outcome}" if failed else outcome.tx_hash
            (log.warning if failed else log.info)("operation resumed", extra={"key": key, "outcome": outcomes[key]})
    return outcomes


def _sending_accounts(settings) -> list:
    """The relayer, and the deployer (it mints) where its key is configured; each account once."""
    accounts = {}
    for load in (relayer_account, deployer_account):
        try:
            account = load(settings, settings.chain_id)
        except ConfigurationError:
            continue  # no such key here: nothing can have been sent from it
        accounts[account.address] = account
    return list(accounts.values())
