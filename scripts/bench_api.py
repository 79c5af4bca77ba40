"""API throughput and latency for asset reads, beside a trivial endpoint of the same server.

    python scripts/bench_api.py [--seconds 10] [--warmup 2] [--clients 50] [--workers 2]

Starts anvil, deploys, registers a few hundred assets, indexes them into PostgreSQL (HARMONI_DATABASE_URL
if set, else an embedded server), runs `harmoni api` with several workers, and drives it from another
process with N concurrent keep-alive clients: each endpoint first for `--warmup` seconds (not counted: a
worker's first requests pay one-off costs, first connections, first statements), then for `--seconds`.
Prints one JSON line: `detail_rps`, `detail_p99_ms`, `list_rps`, `list_p99_ms`, `baseline_rps`
(GET /healthz) and the ratios to the baseline. The load generator is `wrk` (Debian's package), installed with
apt when missing; without it the benchmark refuses to run rather than report a figure its client limits.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy.orm import sessionmaker

from chain import artifacts
from chain.client import ChainClient
from chain.deploy import deploy_all
from chain.node import AnvilNode
from chain.rpc import JsonRpc
from chain.wallets import anvil_dev_account
from harmoni import embedded_db
from harmoni.db import get_engine
from indexer.runner import INDEXED_CONTRACTS
from indexer.service import Indexer, IndexerConfig
from scripts.bench_indexer import free_port, fresh_database
from scripts.workload import Workload


def system_tool(command: str, package: str, bench: str) -> str:
    """The path of `command`, installing Debian's `package` with apt when it is missing; exits when it cannot."""
    found = shutil.which(command)
    if found is None:
        installed = subprocess.run(f"apt-get update -qq && apt-get install -y -qq {package}", shell=True,  # noqa: S602
                                   capture_output=True, text=True)
        found = shutil.which(command)
        if found is None:
            sys.exit(f"{bench}: needs {command} and could not install it "
                     f"(apt-get install {package}: {(installed.stderr or installed.stdout).strip()[-200:]})")
    return found


def load_generator() -> str:
    """`wrk` (Debian's package: a C load generator, so the client is never the bottleneck), installed when missing.

    There is no fallback: a Python client caps near 600 requests/s here and would report its own limit."""
    return system_tool("wrk", "wrk", "bench_api")


def drive(url: str, clients: int, seconds: float, headers: dict[str, str] | None = None,
          script: Path | None = None) -> dict:
    """wrk's figures for `clients` keep-alive connections; `script`: a wrk Lua script (e.g. a think time)."""
    extra = [arg for name, value in (headers or {}).items() for arg in ("-H", f"{name}: {value}")]
    if script is not None:
        extra += ["-s", str(script)]
    out = subprocess.run([load_generator(), "-t2", f"-c{clients}", f"-d{max(1, round(seconds))}s", "--latency",
                          *extra, url], capture_output=True, text=True, check=True).stdout
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)\s*$", out, re.MULTILINE))
    if "99" not in percentiles:
        raise RuntimeError(f"wrk printed no latency distribution:\n{out}")
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50_ms": _ms(percentiles["50"]), "p99_ms": _ms(percentiles["99"]),
            "errors": (int(non_2xx.group(1)) if non_2xx else 0)
            + (sum(map(int, socket_errors.groups())) if socket_errors else 0),
            "generator": "wrk"}


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of load per endpoint before measuring")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--assets", type=int, default=400)
    args = parser.parse_args()
    load_generator()  # before any setup: refuse at once rather than after minutes of it

    artifacts.ensure_built()
    work_dir = Path(tempfile.mkdtemp(prefix="harmoni-bench-api-"))
    node = AnvilNode(free_port(), 31337, state_path=None, extra_args=("--order", "fifo"))
    node.start()
    started_pg, api = False, None
    try:
        deployment = deploy_all(ChainClient(node.url), anvil_dev_account(0), anvil_dev_account(1).address, work_dir)
        workload = Workload(node.url, deployment, seed=2)
        workload.bulk(args.assets * 4, per_block=200)
        server = os.environ.get("HARMONI_DATABASE_URL")
        if not server:
            server, started_pg = embedded_db.start(work_dir, database="postgres")
        url = fresh_database(server)
        config = IndexerConfig(chain_id=31337, start_block=deployment.start_block,
                               addresses={n: deployment.address(n) for n in INDEXED_CONTRACTS})
        Indexer(sessionmaker(bind=get_engine(url)), JsonRpc(node.url), config).run_until_caught_up()

        port = free_port()
        env = {**os.environ, "HARMONI_DATABASE_URL": url, "HARMONI_RPC_URL": node.url,
               "HARMONI_DATA_DIR": str(work_dir), "HARMONI_API_PORT": str(port),
               "HARMONI_API_WORKERS": str(args.workers), "HARMONI_LOG_LEVEL": "WARNING"}
        api = subprocess.Popen([sys.executable, "-m", "harmoni.cli", "api"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).close()  # noqa: S310 -- our local server
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        runs = {}
        for name, path in (("baseline", "/healthz"), ("detail", "/v1/assets/7"), ("list", "/v1/assets?limit=20")):
            if args.warmup > 0:
                drive(base + path, args.clients, args.warmup)
            runs[name] = drive(base + path, args.clients, args.seconds)
        baseline, detail, listing = runs["baseline"], runs["detail"], runs["list"]
    finally:
        if api is not None:
            api.terminate()
            api.wait(20)
        node.stop()
        if started_pg:
            embedded_db.stop(work_dir)

    print(json.dumps({
        "detail_rps": round(detail["rps"]), "detail_p50_ms": round(detail["p50_ms"], 2),
        "detail_p99_ms": round(detail["p99_ms"], 2),
        "list_rps": round(listing["rps"]), "list_p50_ms": round(listing["p50_ms"], 2),
        "list_p99_ms": round(listing["p99_ms"], 2),
        "baseline_rps": round(baseline["rps"]), "baseline_p99_ms": round(baseline["p99_ms"], 2),
        "detail_to_baseline": round(detail["rps"] / baseline["rps"], 3),
        "list_to_baseline": round(listing["rps"] / baseline["rps"], 3),
        "errors": detail["errors"] + listing["errors"] + baseline["errors"],
        "clients": args.clients, "workers": args.workers, "warmup_s": args.warmup, "generator": baseline["generator"],
    }))


if __name__ == "__main__":
    main()
