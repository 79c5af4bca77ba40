"""Nothing answered as confirmed is lost: `harmoni up` killed with SIGKILL right after a confirmation, a crashed
child restarted by the supervisor, and the CLI finding the running stack from another shell."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager

import pytest

from tests.conftest import free_port
from tests.harmoni.test_stack import _env, _start, _wait_gone, _wait_ready


def _call(port, method, path, body=None, token=None, key=None):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    if key:
        headers["idempotency-key"] = key
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data, headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as err:
        return err.code, json.load(err)


def _artist(port, name) -> str:
    code, signed_up = _call(port, "POST", "/v1/auth/signup",
                            {"email": f"{name}@example.org", "password": "correct horse 42!", "role": "artist"})
    assert code == 201, signed_up
    token = signed_up["access_token"]
    code, wallet = _call(port, "POST", "/v1/me/wallets/custodial", token=token)
    assert code == 201, wallet
    return token


def _register(port, token, iswc, title) -> dict:
    me = _call(port, "GET", "/v1/me/wallets", token=token)[1][0]["address"]
    body = {"title": title, "iswc": iswc, "contributors": [{"name": title, "role": "composer"}],
            "split": [{"address": me, "share_percent": "100"}]}
    code, operation = _call(port, "POST", "/v1/works", body, token=token, key=f"work-{iswc}")
    assert code == 202, operation
    return operation


def _until(predicate, what, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"{what} within {timeout}s")


def _confirmed(port, token, operation_id):
    def check():
        code, op = _call(port, "GET", f"/v1/operations/{operation_id}", token=token)
        assert code == 200 and op["status"] not in ("failed",), op
        return op if op["status"] == "confirmed" else None
    return _until(check, "the operation was not confirmed")


def _kill(proc, api_port, anvil_port):
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert _wait_gone(api_port) and _wait_gone(anvil_port), "children outlived their supervisor"


# ISWCs with valid check digits (ledger.identifiers), one per kill moment.
WORKS = [("T-000.000.001-0", 0.0), ("T-000.000.002-1", 0.3), ("T-000.000.003-2", 1.2)]


def test_kill_9_right_after_confirmed_loses_nothing(tmp_path):
    api_port, anvil_port = free_port(), free_port()
    env = _env(tmp_path, api_port, anvil_port)
    proc = _start(tmp_path, env, "run0")
    _wait_ready(proc, api_port, tmp_path, "run0")
    token = _artist(api_port, "durable")
    confirmed = []
    try:
        for round_, (iswc, delay) in enumerate(WORKS, start=1):
            operation = _register(api_port, token, iswc, f"Take {round_}")
            done = _confirmed(api_port, token, operation["id"])
            assert done["asset_id"] is not None, done
            confirmed.append(done)
            time.sleep(delay)
            _kill(proc, api_port, anvil_port)

            proc = _start(tmp_path, env, f"run{round_}")
            _wait_ready(proc, api_port, tmp_path, f"run{round_}")
            token = _call(api_port, "POST", "/v1/auth/login",
                          {"email": "durable@example.org", "password": "correct horse 42!"})[1]["access_token"]
            for earlier in confirmed:  # every confirmation so far survived every kill
                code, op = _call(api_port, "GET", f"/v1/operations/{earlier['id']}", token=token)
                assert code == 200 and op["status"] == "confirmed", op
                assert op["tx_hash"] == earlier["tx_hash"], op
                code, asset = _call(api_port, "GET", f"/v1/assets/{earlier['asset_id']}")
                assert code == 200, asset
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)


@contextmanager
def _running(tmp_path):
    """`harmoni up` on free ports, ready; stopped with SIGTERM afterwards. Yields (process, API port, anvil port)."""
    api_port, anvil_port = free_port(), free_port()
    proc = _start(tmp_path, _env(tmp_path, api_port, anvil_port), "up")
    try:
        _wait_ready(proc, api_port, tmp_path, "up")
        yield proc, api_port, anvil_port
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)


def test_a_crashed_child_is_restarted_and_its_operation_resumed(tmp_path):
    with _running(tmp_path) as (proc, api_port, _anvil_port):
        token = _artist(api_port, "crash")
        me = _call(api_port, "GET", "/v1/me/wallets", token=token)[1][0]["address"]
        api_pid = _child_pid(proc.pid, "api")
        # In-process jobs relay inside the request: kill the API while it waits for the transaction to be mined.
        body = {"title": "Interrupted", "iswc": "T-000.000.004-3", "contributors": [{"name": "X", "role": "composer"}],
                "split": [{"address": me, "share_percent": "100"}]}
        posting = subprocess.Popen([sys.executable, "-c", _POST_AND_IGNORE, str(api_port), token, json.dumps(body)])
        _until(lambda: _operation_row(tmp_path, "submitted"), "the relay never submitted its transaction", 30)
        os.kill(api_pid, signal.SIGKILL)
        posting.wait(30)

        _until(lambda: _child_pid(proc.pid, "api") not in (None, api_pid), "the API was not restarted", 30)
        assert proc.poll() is None, "the supervisor stopped with its child"
        _wait_ready(proc, api_port, tmp_path, "up")
        _until(lambda: _operation_row(tmp_path, "confirmed"), "the interrupted operation was not resumed", 60)
        code, listed = _call(api_port, "GET", "/v1/assets?kind=work")
        assert code == 200 and [a["industry_code"] for a in listed["data"]] == ["T0000000043"], listed
        assert "api exited with code -9; restarting" in (tmp_path / "up.log").read_text()


def test_the_cli_finds_the_running_stack_without_its_variables(tmp_path):
    with _running(tmp_path) as (proc, api_port, anvil_port):
        bare = {k: v for k, v in os.environ.items() if not k.startswith("HARMONI_")}  # a second terminal
        status = subprocess.run([sys.executable, "-m", "harmoni.cli", "status"], env=bare, cwd=tmp_path,
                                capture_output=True, text=True, timeout=60)
        assert status.returncode == 0, status.stdout + status.stderr
        assert f"127.0.0.1:{api_port}" in status.stdout and f"127.0.0.1:{anvil_port}" in status.stdout
        record = json.loads((tmp_path / "var" / "stack.json").read_text())
        assert record["pid"] == proc.pid and oct((tmp_path / "var" / "stack.json").stat().st_mode)[-3:] == "600"
    assert not (tmp_path / "var" / "stack.json").exists()


_POST_AND_IGNORE = """
import json, sys, urllib.request
port, token, body = sys.argv[1], sys.argv[2], sys.argv[3]
request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/works", body.encode(), {
    "content-type": "application/json", "authorization": f"Bearer {token}", "idempotency-key": "interrupted"})
try:
    urllib.request.urlopen(request, timeout=30)
except Exception as err:  # expected: the API is killed while this request waits
    print(f"request ended: {type(err).__name__}")
"""


def _child_pid(parent: int, name: str) -> int | None:
    """The pid of `python -m harmoni.cli <name>` among the supervisor's children."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                args = cmdline.read().split(b"\0")
        except OSError:
            continue
        if ppid == parent and b"harmoni.cli" in args and name.encode() in args:
            return int(entry)
    return None


def _operation_row(tmp_path, status: str) -> bool:
    from sqlalchemy import create_engine, text

    from harmoni import embedded_db

    url, _ = embedded_db.start(tmp_path / "var")
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("select count(*) from chain_operations where status = :s and kind like "
                                     "'register_work%'"), {"s": status}).scalar() > 0
    finally:
        engine.dispose()
