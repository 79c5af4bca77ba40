"""Where the chain is, for browsers that read it themselves (the auditor's page checks `PeriodPublished` there)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import ContextDep
from chain.deployments import load as load_deployment

router = APIRouter(prefix="/v1", tags=["chain"])


class ContractOut(BaseModel):
    address: str
    block_number: int = Field(description="Block of its deployment: read its logs from here")


class ChainOut(BaseModel):
    chain_id: int
    rpc_url: str | None = Field(description="JSON-RPC URL a browser may read from; null when the platform's own "
                                            "RPC is private (set HARMONI_PUBLIC_RPC_URL)")
    contracts: dict[str, ContractOut] = Field(description="Deployed contracts by name; empty before the deploy")
    payout_token: str | None

    model_config = {"json_schema_extra": {"examples": [{
        "chain_id": 31337, "rpc_url": "http://127.0.0.1:8545",
        "contracts": {"PayoutDistributor": {"address": "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9",
                                            "block_number": 4}},
        "payout_token": "0x5FbDB2315678afecb367f032d93F642f64180aa3"}]}}


@router.get("/chain", summary="Chain id, a public JSON-RPC URL and the contract addresses (public)")
def chain_info(context: ContextDep) -> ChainOut:
    settings = context.settings
    deployment = load_deployment(settings.chain_id, settings.data_dir)
    contracts = {} if deployment is None else {
        name: ContractOut(address=c.address, block_number=c.block_number) for name, c in deployment.contracts.items()}
    return ChainOut(chain_id=settings.chain_id, rpc_url=settings.browser_rpc_url, contracts=contracts,
                    payout_token=(deployment.payout_token or None) if deployment else None)
