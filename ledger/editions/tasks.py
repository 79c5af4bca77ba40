"""Edition background jobs: a custodial wallet's `createEdition`, and on-chain sales into the open royalty period."""

from __future__ import annotations

import uuid

from chain.client import ChainClient
from harmoni.db import session_scope
from harmoni.errors import ConfigurationError
from harmoni.jobs import celery_app
from harmoni.settings import get_settings
from identity.custody import Keyring, signer_for
from ledger.editions.sales import record_sales
from ledger.operations import platform_sender
from ledger.registration import RightsOperation
from ledger.royalties.context import RoyaltyContext


@celery_app.task(name="ledger.editions.send_from_custodial_wallet", acks_late=True)
def send_from_custodial_wallet(operation_id: str) -> str:
    """Send a recorded operation from its user's custodial wallet, exactly once per idempotency key (the same
    `TransactionSender` machinery as the relayer's, with the nonces of that wallet)."""
    settings = get_settings()
    with session_scope(settings.database_url) as session:
        operation = session.get(RightsOperation, uuid.UUID(operation_id))
        signer = signer_for(session, operation.user_id, Keyring.from_settings(settings))
        if signer.address != operation.request["from"]:
            raise ConfigurationError(f"operation {operation_id} was recorded for {operation.request['from']}, not for "
                                     f"the custodial wallet {signer.address}")
        key, kind = operation.idempotency_key, operation.kind
        tx = {"to": operation.to_address, "data": operation.calldata}
    client = ChainClient(settings.effective_rpc_url, settings.rpc_timeout_s)
    return platform_sender(settings, client.w3, signer).send(key, tx, kind=kind).tx_hash


@celery_app.task(name="ledger.editions.record_sales")
def record_sales_job() -> int:
    """Record the mirrored payout-token mints of final blocks as revenue of the open period (once each)."""
    ctx = RoyaltyContext.from_settings(get_settings())
    final = ctx.client.finalized()
    if final is None:
        return 0
    with ctx.sessions.begin() as session:
        return record_sales(session, chain_id=ctx.deployment.chain_id, final_block=final.number,
                            payout_token=ctx.deployment.payout_token, unit_factor=ctx.unit_factor,
                            currency=ctx.settings.payout_currency)
