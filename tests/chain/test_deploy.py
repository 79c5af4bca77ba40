import dataclasses
import os
import subprocess
import sys

import pytest

from chain import artifacts, deployments
from chain.deploy import DeploymentExists, deploy_all, verify_on_chain
from chain.deployments import DeployedContract
from chain.wallets import anvil_dev_account
from harmoni.errors import ConfigurationError


def _contract(chain, name):
    return chain.client.w3.eth.contract(address=chain.deployment.address(name), abi=artifacts.load(name).abi)


def test_deployment_record_and_roles(chain):
    record = deployments.load(31337, chain.data_dir)
    assert record == chain.deployment
    assert set(record.contracts) == set(artifacts.CONTRACT_SOURCES)
    assert record.compiler_version.startswith("0.8.28")
    assert record.compiler_settings["optimizer"]["enabled"] is True
    for contract in record.contracts.values():
        assert chain.client.code_at(contract.address), contract
    relayer = anvil_dev_account(1).address
    distributor, editions = _contract(chain, "PayoutDistributor"), _contract(chain, "HarmoniEditions")
    assert distributor.functions.hasRole(distributor.functions.PUBLISHER_ROLE().call(), relayer).call()
    assert editions.functions.hasRole(editions.functions.MINTER_ROLE().call(), relayer).call()
    registry = _contract(chain, "RightsRegistry")
    arbiter = registry.functions.ARBITER_ROLE().call()
    assert registry.functions.hasRole(arbiter, record.deployer).call()
    assert registry.functions.hasRole(arbiter, relayer).call()  # admins arbitrate disputes through the relayer
    assert record.roles["ARBITER_ROLE"] == [record.deployer, relayer]
    assert distributor.functions.token().call() == record.payout_token


def test_second_deploy_is_refused_unless_forced(chain):
    with pytest.raises(DeploymentExists, match="already has a deployment"):
        deploy_all(chain.client, anvil_dev_account(0), anvil_dev_account(1).address, chain.data_dir)


def test_forced_redeploy_writes_new_addresses(chain, tmp_path):
    first = deploy_all(chain.client, anvil_dev_account(0), anvil_dev_account(1).address, tmp_path)
    second = deploy_all(chain.client, anvil_dev_account(0), anvil_dev_account(1).address, tmp_path, force=True)
    assert first.address("RightsRegistry") != second.address("RightsRegistry")
    assert deployments.load(31337, tmp_path) == second


def test_a_record_without_code_on_chain_is_refused(chain):
    ghost = dataclasses.replace(chain.deployment, contracts={
        "RightsRegistry": DeployedContract("0x000000000000000000000000000000000000dEaD", 1, "0x00", "0x00")})
    with pytest.raises(ConfigurationError, match="no code on this chain"):
        verify_on_chain(chain.client, ghost)


def test_public_chains_are_recorded_in_the_repository(tmp_path):
    assert deployments.record_path(137, tmp_path) == deployments.PUBLIC_DEPLOYMENTS_DIR / "137.json"
    assert deployments.record_path(31337, tmp_path) == tmp_path / "deployments" / "31337.json"


def test_cli_deploy_checks_the_chain_id(chain, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARMONI_")}
    env["HARMONI_DATA_DIR"] = str(tmp_path)
    cmd = [sys.executable, "-m", "harmoni.cli", "contracts", "deploy", "--rpc-url", chain.client.rpc_url]
    wrong = subprocess.run([*cmd, "--chain-id", "137"], env=env, capture_output=True, text=True, timeout=120)
    assert wrong.returncode == 2 and "serves chain 31337, not 137" in wrong.stderr
    ok = subprocess.run([*cmd, "--chain-id", "31337"], env=env, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    record = deployments.load(31337, tmp_path)
    assert record.address("RightsRegistry") in ok.stdout
    again = subprocess.run([*cmd, "--chain-id", "31337"], env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 2 and "pass --force" in again.stderr
