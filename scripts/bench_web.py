"""The web app's weight and Lighthouse scores, beside a trivial page measured the same way in the same run.

    python scripts/bench_web.py [--runs 1]

Builds the app when its sources changed (`make web`), sums the gzipped size of the initial JavaScript (the entry
module of `web/dist/index.html` and every chunk it preloads: what a first visit downloads before the app runs),
starts `harmoni up` on a fresh data directory (the stack a user runs, serving the build at `/`), and runs
Lighthouse 12 (`web/node_modules`, offline, Debian's Chromium) on the home page and on a baseline: a static
one-paragraph HTML page served from loopback by Python's own HTTP server. Lighthouse's default mobile profile
with simulated throttling is used for both, so the ratio says what the app costs over an empty page.
Prints one JSON line: `initial_js_kb` (target <= 200), `performance`, `accessibility`, `best_practices`
(0-100; targets >= 90, 100) for the home page, the baseline's `baseline_performance` and
`performance_ratio` (home / baseline).
"""

from __future__ import annotations

import argparse
import gzip
import http.server
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WEB = REPO / "web"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROME_FLAGS = ("--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update "
                "--disable-sync --no-first-run")
BASELINE = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Baseline</title>"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<meta name=\"description\" content=\"An empty page\"></head>"
            "<body><main><h1>Baseline</h1><p>An empty page.</p></main></body></html>")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def initial_js_kb(dist: Path) -> float:
    """Gzipped KiB of the entry module and the chunks index.html preloads with it."""
    html = (dist / "index.html").read_text()
    paths = re.findall(r'<script[^>]*type="module"[^>]*src="([^"]+)"', html)
    paths += re.findall(r'<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"', html)
    if not paths:
        sys.exit("bench_web: no module script in web/dist/index.html (is the build there?)")
    total = sum(len(gzip.compress((dist / p.lstrip("/")).read_bytes(), compresslevel=9)) for p in set(paths))
    return round(total / 1024, 1)


def start_stack(directory: Path) -> tuple[subprocess.Popen, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARMONI_")}
    api_port, anvil_port = free_port(), free_port()
    env.update(HARMONI_DATA_DIR=str(directory / "var"), HARMONI_API_PORT=str(api_port),
               HARMONI_ANVIL_PORT=str(anvil_port), HARMONI_ENV="development",
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])))
    log = (directory / "stack.log").open("w")
    stack = subprocess.Popen([sys.executable, "-m", "harmoni.cli", "up"], cwd=directory, env=env, stdout=log,
                             stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{api_port}"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if stack.poll() is not None:
            tail = (directory / "stack.log").read_text()[-2000:]
            sys.exit(f"bench_web: harmoni up exited {stack.returncode}:\n{tail}")
        try:
            with urllib.request.urlopen(f"{url}/readyz", timeout=2) as answer:  # noqa: S310 (loopback)
                if answer.status == 200:
                    return stack, url
        except OSError:
            pass
        time.sleep(0.5)
    stop(stack)
    sys.exit("bench_web: the stack was not ready in 240 s")


def stop(stack: subprocess.Popen) -> None:
    os.killpg(stack.pid, signal.SIGTERM)
    try:
        stack.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(stack.pid, signal.SIGKILL)


def serve_baseline(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    (directory / "index.html").write_text(BASELINE)
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(directory), **kwargs)

        def log_message(self, *args) -> None:  # the JSON line is the only output
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


LIGHTHOUSE = "lighthouse@12.8.2"  # 13 needs Node 22
TOOLS = REPO / "var" / "bench-tools"


def lighthouse_binary() -> Path:
    """The benchmark's own Lighthouse, installed once under var/ (not a dependency of the app or its tests)."""
    binary = TOOLS / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        done = subprocess.run(["npm", "install", "--prefix", str(TOOLS), "--no-audit", "--no-fund", "--no-save",
                               LIGHTHOUSE], capture_output=True, text=True, timeout=900, check=False)
        if done.returncode != 0 or not binary.exists():
            sys.exit(f"bench_web: could not install {LIGHTHOUSE}: {done.stderr.strip()[-500:]}")
    return binary


def lighthouse(url: str) -> dict[str, int]:
    binary = lighthouse_binary()
    done = subprocess.run(
        [str(binary), url, "--output=json", "--output-path=stdout", "--quiet",
         "--only-categories=performance,accessibility,best-practices", f"--chrome-flags={CHROME_FLAGS}"],
        env={**os.environ, "CHROME_PATH": CHROMIUM}, capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        sys.exit(f"bench_web: lighthouse failed on {url}: {done.stderr.strip()[-1000:]}")
    report = json.loads(done.stdout)
    scores = {name: round((cat["score"] or 0) * 100) for name, cat in report["categories"].items()}
    return {"performance": scores["performance"], "accessibility": scores["accessibility"],
            "best_practices": scores["best-practices"]}


def median(values: list[int]) -> int:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs per page (the median is kept)")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        subprocess.run(["make", "-C", str(REPO), "chromium"], check=True)
    subprocess.run(["make", "-C", str(REPO), "--no-print-directory", "web"], check=True, stdout=subprocess.DEVNULL)
    js_kb = initial_js_kb(WEB / "dist")
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        root = Path(tmp)
        (root / "baseline").mkdir()
        server, baseline_url = serve_baseline(root / "baseline")
        stack, url = start_stack(root)
        try:
            home = [lighthouse(f"{url}/") for _ in range(args.runs)]
            base = [lighthouse(baseline_url) for _ in range(args.runs)]
        finally:
            stop(stack)
            server.shutdown()
    result = {key: median([run[key] for run in home]) for key in ("performance", "accessibility", "best_practices")}
    baseline_performance = median([run["performance"] for run in base])
    print(json.dumps({
        "initial_js_kb": js_kb, **result, "baseline_performance": baseline_performance,
        "baseline_accessibility": median([run["accessibility"] for run in base]),
        "performance_ratio": round(result["performance"] / baseline_performance, 3) if baseline_performance else None,
        "runs": args.runs, "lighthouse": "12", "page": "/",
    }))


if __name__ == "__main__":
    main()
