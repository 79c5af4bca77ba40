"""What gated streams need from the chain: an edition balance the mirror may not have seen yet."""

from __future__ import annotations

import logging

from api.deps import AppContext
from chain.deployments import load as load_deployment
from content.gating import OnChainBalance

log = logging.getLogger(__name__)


def edition_balance(context: AppContext) -> OnChainBalance | None:
    """`balanceOf(wallet, edition)` on the chain, for wallets the mirror shows empty (0 when the chain is down)."""
    deployment = load_deployment(context.settings.chain_id, context.settings.data_dir)
    if deployment is None or "HarmoniEditions" not in deployment.contracts:
        return None
    editions = context.chain.contract(deployment, "HarmoniEditions")

    def balance(wallet: str, edition_id: int) -> int:
        try:
            return int(editions.functions.balanceOf(wallet, edition_id).call())
        except Exception:  # the mirror already said no; an unreachable chain must not turn that into a yes
            log.warning("edition balance: the chain did not answer", exc_info=True)
            return 0

    return balance
