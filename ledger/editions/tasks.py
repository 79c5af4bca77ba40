"""Edition background jobs: on-chain sales into the open royalty period (periodic)."""

from __future__ import annotations

from harmoni.jobs import celery_app
from harmoni.settings import get_settings
from ledger.editions.sales import record_sales
from ledger.royalties.context import RoyaltyContext


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
