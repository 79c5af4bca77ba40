"""Ledger background jobs."""

from __future__ import annotations

import uuid

from chain.client import ChainClient
from chain.wallets import relayer_account
from harmoni.db import session_scope
from harmoni.jobs import celery_app
from harmoni.settings import get_settings
from ledger.operations import platform_sender
from ledger.registration import RightsOperation


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
