"""Deploy the HARMONI contracts to a chain, wire their roles and write the deployment record."""

from __future__ import annotations

import logging
from pathlib import Path

from eth_account.signers.local import LocalAccount
from web3 import Web3

from chain import artifacts, deployments
from chain.client import ChainClient
from chain.deployments import DeployedContract, Deployment
from chain.sender import TransactionSender
from chain.wallets import LOCAL_CHAIN_IDS
from harmoni.errors import ConfigurationError, Conflict

log = logging.getLogger(__name__)


class DeploymentExists(Conflict):
    slug = "deployment-exists"
    title = "Deployment exists"


def deploy_all(client: ChainClient, deployer: LocalAccount, relayer: str, data_dir: Path, *,
               payout_token: str = "", treasury: str = "", platform_fee_bps: int = 500,
               metadata_base_uri: str = "", min_priority_fee_wei: int = 0, force: bool = False) -> Deployment:
    """Deploy registry, vault, distributor and editions (plus a dev stablecoin on local chains)."""
    chain_id = client.chain_id()
    existing = deployments.load(chain_id, data_dir)
    if existing is not None and not force:
        raise DeploymentExists(
            f"chain {chain_id} already has a deployment ({deployments.record_path(chain_id, data_dir)}); "
            "pass --force to deploy again")
    if not payout_token and chain_id not in LOCAL_CHAIN_IDS:
        raise ConfigurationError(f"set HARMONI_PAYOUT_TOKEN_ADDRESS for chain {chain_id} (e.g. its USDC)")
    w3 = client.w3
    sender = TransactionSender(w3, deployer, min_priority_fee_wei=min_priority_fee_wei)
    treasury = treasury or deployer.address
    deployed: dict[str, DeployedContract] = {}

    def create(name: str, *args) -> str:
        artifact = artifacts.load(name)
        factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
        result = sender.send(f"deploy:{chain_id}:{name}",
                             factory.constructor(*args).build_transaction({"from": deployer.address}),
                             kind=f"deploy:{name}")
        deployed[name] = DeployedContract(address=result.contract_address, block_number=result.block_number,
                                          tx_hash=result.tx_hash, bytecode_hash=artifact.bytecode_hash)
        log.info("deployed", extra={"contract": name, "address": result.contract_address})
        return result.contract_address

    registry = create("RightsRegistry", deployer.address)
    vault = create("SplitVault", registry)
    if not payout_token:
        payout_token = create("DevStablecoin", deployer.address)
    create("PayoutDistributor", deployer.address, Web3.to_checksum_address(payout_token))
    create("HarmoniEditions", deployer.address, registry, vault, Web3.to_checksum_address(treasury),
                      platform_fee_bps, metadata_base_uri.rstrip("/") + "/v1/editions/{id}.json")

    # The relayer is an arbiter too, so admins can freeze and unfreeze disputed assets through the platform.
    roles = {"ARBITER_ROLE": ("RightsRegistry", [deployer.address, relayer]),
             "PUBLISHER_ROLE": ("PayoutDistributor", [relayer]),
             "MINTER_ROLE": ("HarmoniEditions", [relayer])}
    for role, (contract_name, grantees) in roles.items():
        contract = w3.eth.contract(address=deployed[contract_name].address, abi=artifacts.load(contract_name).abi)
        role_id = getattr(contract.functions, role)().call()
        for i, grantee in enumerate(grantees):
            # The first grant keeps the key older deployments used, so a resumed deploy never grants twice.
            key = f"deploy:{chain_id}:grant:{role}" + (f":{grantee.lower()}" if i else "")
            sender.send(key, contract.functions.grantRole(role_id, grantee).build_transaction(
                {"from": deployer.address}), kind="grantRole")

    sample = artifacts.load("RightsRegistry")
    deployment = Deployment(
        chain_id=chain_id, deployer=deployer.address, compiler_version=sample.compiler_version,
        compiler_settings=sample.compiler_settings, contracts=deployed,
        roles={role: grantees for role, (_, grantees) in roles.items()},
        payout_token=Web3.to_checksum_address(payout_token))
    deployments.save(deployment, data_dir)
    return deployment


def verify_on_chain(client: ChainClient, deployment: Deployment) -> None:
    """Refuse a record whose contracts are not on this chain (e.g. anvil state was deleted)."""
    missing = [name for name, c in deployment.contracts.items() if not client.code_at(c.address)]
    if missing:
        raise ConfigurationError(
            f"the deployment record for chain {deployment.chain_id} names contracts with no code on this chain "
            f"({', '.join(missing)}): the chain state was lost; remove the data directory to start afresh")
