"""`harmoni up` as a user runs it: a real subprocess with embedded PostgreSQL and a managed anvil."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from web3 import Web3

from chain import artifacts
from chain.deployments import Deployment
from chain.node import port_in_use
from chain.wallets import anvil_dev_account
from harmoni import embedded_db
from tests.conftest import free_port


def _env(tmp_path: Path, api_port: int, anvil_port: int, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARMONI_")}
    env.update({"HARMONI_DATA_DIR": str(tmp_path / "var"), "HARMONI_API_PORT": str(api_port),
                "HARMONI_ANVIL_PORT": str(anvil_port), "HARMONI_ENV": "development",
                "HARMONI_SMTP_CATCHER_PORT": str(free_port()), "HARMONI_STRIPE_LOCAL_PORT": str(free_port())},
               **extra)
    return env


def _start(tmp_path, env, name):
    log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115
    return subprocess.Popen([sys.executable, "-m", "harmoni.cli", "up"], env=env, cwd=tmp_path,
                            stdout=log, stderr=subprocess.STDOUT)


def _wait_ready(proc, port, tmp_path, name, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"harmoni up exited {proc.returncode}: {(tmp_path / f'{name}.log').read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
                return json.load(response)
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"not ready in {timeout}s: {(tmp_path / f'{name}.log').read_text()[-3000:]}")


def _wait_gone(port, seconds=20):
    deadline = time.monotonic() + seconds
    while port_in_use("127.0.0.1", port) and time.monotonic() < deadline:
        time.sleep(0.2)
    return not port_in_use("127.0.0.1", port)


def test_up_survives_kill_9_with_the_same_contracts_and_data(tmp_path):
    api_port, anvil_port = free_port(), free_port()
    env = _env(tmp_path, api_port, anvil_port)
    record = tmp_path / "var" / "deployments" / "31337.json"

    first = _start(tmp_path, env, "first")
    ready = _wait_ready(first, api_port, tmp_path, "first")
    assert ready["status"] == "ready"
    deployed = json.loads(record.read_text())
    record_mtime = record.stat().st_mtime_ns
    indexed_block = ready["checks"]["indexer"]["indexed_block"]
    indexed_hash = ready["checks"]["indexer"]["indexed_hash"]
    _register_work_and_see_it_mirrored(tmp_path, anvil_port, record)
    with urllib.request.urlopen(f"http://127.0.0.1:{api_port}/v1/assets?kind=work", timeout=5) as response:
        listed = json.load(response)
        assert response.headers["x-harmoni-block"] == str(listed["block"]["number"])
    assert [a["industry_code"] for a in listed["data"]] == ["T0000000011"]

    first.send_signal(signal.SIGKILL)
    first.wait()
    assert _wait_gone(api_port) and _wait_gone(anvil_port), "children outlived their supervisor"

    second = _start(tmp_path, env, "second")
    try:
        again = _wait_ready(second, api_port, tmp_path, "second")
        assert json.loads(record.read_text()) == deployed  # nothing redeployed
        assert record.stat().st_mtime_ns == record_mtime
        assert again["checks"]["indexer"]["indexed_block"] >= indexed_block
        status = subprocess.run([sys.executable, "-m", "harmoni.cli", "status"], env=env, cwd=tmp_path,
                                capture_output=True, text=True, timeout=60)
        assert status.returncode == 0, status.stdout + status.stderr
        assert "content    ok   heartbeat" in status.stdout and "(polling, 1 at a time)" in status.stdout
        for name, contract in deployed["contracts"].items():
            assert f"{name}" in status.stdout and contract["address"] in status.stdout
        # The block indexed before the kill is still the same block on the restored chain.
        block = _rpc(anvil_port, "eth_getBlockByNumber", [hex(indexed_block), False])
        assert block["hash"] == indexed_hash
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(60) == 0
    assert _wait_gone(api_port, 5) and _wait_gone(anvil_port, 5)
    assert not (tmp_path / "var" / "postgres" / "postmaster.pid").exists(), "embedded PostgreSQL left running"


def _register_work_and_see_it_mirrored(tmp_path, anvil_port, record):
    """A registration sent straight to the chain shows up in PostgreSQL as soon as its block is indexed."""
    deployment = Deployment.from_json(record.read_text())
    w3 = Web3(Web3.HTTPProvider(f"http://127.0.0.1:{anvil_port}"))
    registry = w3.eth.contract(address=deployment.address("RightsRegistry"), abi=artifacts.load("RightsRegistry").abi)
    artist = anvil_dev_account(3).address
    tx = registry.functions.registerWork(artist, b"T0000000011\0", "ipfs://bafy-work", [artist], [1_000_000]).transact(
        {"from": artist})
    mined = w3.eth.wait_for_transaction_receipt(tx)["blockNumber"]
    url, started = embedded_db.start(tmp_path / "var")
    assert not started  # the running platform's server
    engine = create_engine(url)
    deadline = time.monotonic() + 30
    try:
        while True:
            with engine.connect() as conn:
                row = conn.execute(text("select controller, industry_code, registered_block from assets")).first()
                indexed = conn.execute(text("select block_number from indexer_checkpoints")).scalar()
            if row is not None:
                break
            assert time.monotonic() < deadline, "the registration never reached the mirror"
            time.sleep(0.2)
    finally:
        engine.dispose()
    assert tuple(row) == (artist, "T0000000011", mined) and indexed >= mined


def _rpc(port, method, params):
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}", body, {"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)["result"]


def _up_fails(tmp_path, env) -> list[str]:
    result = subprocess.run([sys.executable, "-m", "harmoni.cli", "up"], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    return result.stderr.strip().splitlines()


def test_api_port_in_use_is_one_clear_line(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        lines = _up_fails(tmp_path, _env(tmp_path, port, free_port()))
    assert lines == [f"harmoni: error: port {port} is in use: cannot start the API (set HARMONI_API_PORT)"]
    assert not (tmp_path / "var" / "postgres").exists()


def test_bad_database_url_is_one_clear_line(tmp_path):
    env = _env(tmp_path, free_port(), free_port(),
               HARMONI_DATABASE_URL="postgresql://harmoni:hunter22@127.0.0.1:1/nothing?connect_timeout=2")
    lines = _up_fails(tmp_path, env)
    assert len(lines) == 1 and lines[0].startswith("harmoni: error: cannot connect to database")
    assert "hunter22" not in lines[0]


def test_malformed_database_url_is_one_clear_line(tmp_path):
    lines = _up_fails(tmp_path, _env(tmp_path, free_port(), free_port(), HARMONI_DATABASE_URL="mysql://x@y/z"))
    assert lines == ["harmoni: error: database URL must be PostgreSQL, got 'mysql'"]


def test_missing_node_toolchain_is_one_clear_line(tmp_path):
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    lines = _up_fails(tmp_path, _env(tmp_path, free_port(), free_port(), PATH=str(empty_bin)))
    assert lines == ["harmoni: error: Node.js is missing: install Node 20+ and run `make deps`"]


def test_production_with_placeholder_secrets_is_one_clear_line(tmp_path):
    env = _env(tmp_path, free_port(), free_port(), HARMONI_ENV="production")
    lines = _up_fails(tmp_path, env)
    assert len(lines) == 1 and lines[0].startswith("harmoni: error: refusing to start in production:")
    assert "HARMONI_SECRET_KEY" in lines[0] and "HARMONI_DATABASE_URL" in lines[0]
