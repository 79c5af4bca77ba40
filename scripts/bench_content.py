"""Upload-to-ready time beside plain ffmpeg, and signed range streaming beside a static file route.

    python scripts/bench_content.py [--seconds 10] [--clients 200] [--workers 2] [--track-s 240]

Generates a 4-minute 44.1 kHz stereo WAV, starts `harmoni api` (with one extra static-file route) and a
`harmoni content worker` on a fresh database (HARMONI_DATABASE_URL's server if set, else an embedded one), and:
- `ready_s`: from POST /v1/uploads to `ready` (validate + full decode, fingerprint, loudness, every rendition,
  each decoded again and checked, stored by CID); `ffmpeg_s`: the same renditions by plain `ffmpeg` calls
  (Debian's, installed with apt when missing), run as many at a time as the worker's encoder pool;
  `ready_to_ffmpeg` their ratio; `realtime_x` = track length / ready_s.
- streaming with `--clients` concurrent keep-alive clients (wrk), a signed 64 KiB range request of the Opus 160
  rendition against the same file and range from the static route: flat out, `stream_rps`, `static_rps`, their
  ratio `stream_to_static`, the saturated p99s and the API's CPU per request (its processes' counters: the figure
  the machine's other load moves least); paced, each client pausing `--think-ms` (±50%) between requests, as a
  listener who seeks or skips often does (playing Opus 160 needs one 64 KiB range every 3.3 s),
  `stream_p99_ttfb_ms` and `static_p99_ttfb_ms`. Flat out, latency is only clients / throughput (Little's law),
  so TTFB is read paced. On loopback a 64 KiB answer's latency is its TTFB.
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import psutil
from sqlalchemy.orm import sessionmaker

from content.models import Upload, UploadObject
from harmoni import embedded_db
from harmoni.db import get_engine
from scripts.bench_api import drive, load_generator, system_tool
from scripts.bench_indexer import free_port, fresh_database
from tests.content.media.audiogen import write
from tests.usage.factories import add_recording

RANGE = "bytes=0-65535"


def ffmpeg() -> str:
    return system_tool("ffmpeg", "ffmpeg", "bench_content")


def track(path: Path, seconds: float) -> Path:
    rate = 44100
    t = np.arange(int(seconds * rate)) / rate
    notes = 220.0 * 2 ** (np.floor(t / 0.5) % 12 / 12)  # a new note every half second
    left = 0.3 * np.sin(2 * np.pi * notes * t) + 0.05 * np.random.default_rng(1).standard_normal(t.size)
    right = 0.3 * np.sin(2 * np.pi * notes * 1.5 * t)
    return write(path, np.stack([left, right]).astype(np.float32), rate, "wav")


def baseline(source: Path, out: Path, workers: int) -> float:
    """The renditions by plain ffmpeg calls, `workers` at a time; seconds."""
    binary = ffmpeg()
    for folder in ("hls256", "hls128"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    hls = ["-f", "hls", "-hls_time", "6", "-hls_segment_type", "fmp4", "-hls_playlist_type", "vod"]
    jobs = [
        ["-c:a", "libmp3lame", "-b:a", "320k", out / "mp3_320.mp3"],
        ["-ss", "5", "-t", "30", "-c:a", "libmp3lame", "-b:a", "192k", out / "preview.mp3"],
        ["-c:a", "aac", "-b:a", "256k", "-movflags", "+faststart", out / "aac_256.m4a"],
        ["-c:a", "aac", "-b:a", "256k", *hls, out / "hls256" / "playlist.m3u8"],
        ["-c:a", "aac", "-b:a", "128k", *hls, out / "hls128" / "playlist.m3u8"],
        ["-c:a", "libopus", "-b:a", "160k", out / "opus_160.opus"],
        ["-c:a", "libopus", "-b:a", "96k", out / "opus_96.opus"],
        ["-c:a", "flac", out / "original.flac"],
    ]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for done in pool.map(lambda job: subprocess.run([binary, "-v", "error", "-y", "-i", str(source),
                                                          *map(str, job)], capture_output=True), jobs):
            if done.returncode != 0:
                raise RuntimeError(done.stderr.decode()[-500:])
    return time.perf_counter() - started


def _request(method: str, url: str, body: bytes | None = None, headers: dict | None = None) -> dict:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})  # noqa: S310
    with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 -- our local server
        return json.loads(response.read() or b"null")


def _signup(base: str, email: str, role: str | None = None) -> dict[str, str]:
    body = {"email": email, "password": "correct horse 42!", **({"role": role} if role else {})}
    token = _request("POST", base + "/v1/auth/signup", json.dumps(body).encode(),
                     {"content-type": "application/json"})["access_token"]
    return {"Authorization": f"Bearer {token}"}


def _cpu_s(process: psutil.Process) -> float:
    """CPU seconds of the API: its master and every worker process."""
    total = 0.0
    for p in [process, *process.children(recursive=True)]:
        try:
            times = p.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def _wait_http(base: str, processes: list[subprocess.Popen], log: Path) -> None:
    deadline = time.monotonic() + 180  # a loaded 2-core machine starts two API workers slowly
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1).close()  # noqa: S310
            return
        except OSError:
            ended = [p for p in processes if p.poll() is not None]
            if ended or time.monotonic() > deadline:
                tail = log.read_text(errors="replace").strip().splitlines()[-1:] if log.exists() else []
                sys.exit(f"bench_content: the API or the worker {'exited' if ended else 'did not answer'}: "
                         f"{tail[0] if tail else 'no output'}")
            time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2, help="API worker processes")
    parser.add_argument("--track-s", type=float, default=240.0)
    parser.add_argument("--think-ms", type=int, default=1000,
                        help="each paced client's pause between range requests (TTFB is measured paced)")
    args = parser.parse_args()
    load_generator()  # refuse at once, before any setup, when a tool is missing
    ffmpeg()

    work = Path(tempfile.mkdtemp(prefix="harmoni-bench-content-"))
    source = track(work / "track.wav", args.track_s)
    server = os.environ.get("HARMONI_DATABASE_URL")
    started_pg = False
    if not server:
        server, started_pg = embedded_db.start(work / "pg", database="postgres")
    url = fresh_database(server)
    port = free_port()
    log_path = work / "servers.log"
    log = log_path.open("wb")
    env = {**os.environ, "HARMONI_DATABASE_URL": url, "HARMONI_RPC_URL": "http://127.0.0.1:1",
           "HARMONI_DATA_DIR": str(work / "var"), "HARMONI_API_PORT": str(port), "HARMONI_REDIS_URL": "",
           "HARMONI_LOG_LEVEL": "WARNING", "HARMONI_ENV": "development"}
    processes = [
        subprocess.Popen([sys.executable, "-m", "uvicorn", "scripts.bench_content_app:create", "--factory",
                          "--port", str(port), "--workers", str(args.workers), "--log-level", "warning",
                          "--no-access-log"], env=env, cwd=Path(__file__).resolve().parents[1],
                         stdout=log, stderr=subprocess.STDOUT),
        subprocess.Popen([sys.executable, "-m", "harmoni.cli", "content", "worker"], env=env,
                         stdout=log, stderr=subprocess.STDOUT)]
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_http(base, processes, log_path)
        artist = _signup(base, "bench-artist@example.org", "artist")
        data = source.read_bytes()
        started = time.perf_counter()
        upload = _request("POST", base + "/v1/uploads?filename=track.wav", data, artist)
        upload_s = time.perf_counter() - started
        claimed_s = None
        while (state := _request("GET", f"{base}/v1/uploads/{upload['id']}", headers=artist))["state"] not in (
                "ready", "rejected", "failed"):
            if claimed_s is None and state["state"] == "processing":
                claimed_s = time.perf_counter() - started
            time.sleep(0.1)
        ready_s = time.perf_counter() - started
        if state["state"] != "ready":
            sys.exit(f"bench_content: the upload ended {state['state']}: {state['error']}")
        ffmpeg_s = baseline(source, work / "ffmpeg", os.cpu_count() or 2)

        sessions = sessionmaker(bind=get_engine(url))
        with sessions.begin() as db:
            add_recording(db, 1, "USHRM2600001", content_hash=state["sha256"])
            main = db.get(Upload, upload["id"]).renditions["opus_160"]["main"]
            object_key = db.get(UploadObject, (upload["id"], main)).key
        fan = _signup(base, "bench-fan@example.org")
        played = _request("POST", base + "/v1/playback-sessions", json.dumps({"asset_id": 1}).encode(),
                          {**fan, "content-type": "application/json"})
        signed = urlsplit(played["streams"]["opus_160"])
        stream_url = f"{base}{signed.path}?{signed.query}"
        static_url = f"{base}/bench-static/{object_key}"
        pace = work / "listener.lua"
        # wrk waits this long on each connection between its requests: a listener, not a flood
        low, high = args.think_ms // 2, args.think_ms * 3 // 2
        pace.write_text(f"function delay()\n  return math.random({low}, {high})\nend\n")
        api = psutil.Process(processes[0].pid)
        runs, paced, cpu_ms = {}, {}, {}
        for name, target in (("static", static_url), ("stream", stream_url)):
            if args.warmup > 0:
                drive(target, args.clients, args.warmup, headers={"Range": RANGE})
            before = _cpu_s(api)
            runs[name] = drive(target, args.clients, args.seconds, headers={"Range": RANGE})
            cpu_ms[name] = (_cpu_s(api) - before) * 1000 / max(1.0, runs[name]["rps"] * round(args.seconds))
            paced[name] = drive(target, args.clients, args.seconds, headers={"Range": RANGE}, script=pace)
    finally:
        for process in processes:
            process.terminate()
            process.wait(20)
        if started_pg:
            embedded_db.stop(work / "pg")
        shutil.rmtree(work, ignore_errors=True)

    print(json.dumps({
        "ready_s": round(ready_s, 2), "ffmpeg_s": round(ffmpeg_s, 2), "ready_to_ffmpeg": round(ready_s / ffmpeg_s, 3),
        "realtime_x": round(args.track_s / ready_s, 1), "upload_s": round(upload_s, 2),
        "processing_from_s": round(claimed_s or 0, 2),
        "stream_rps": round(runs["stream"]["rps"]), "static_rps": round(runs["static"]["rps"]),
        "stream_to_static": round(runs["stream"]["rps"] / runs["static"]["rps"], 3),
        "stream_p99_ttfb_ms": round(paced["stream"]["p99_ms"], 2),
        "static_p99_ttfb_ms": round(paced["static"]["p99_ms"], 2),
        "paced_rps": round(paced["stream"]["rps"]), "think_ms": args.think_ms,
        "stream_p99_saturated_ms": round(runs["stream"]["p99_ms"], 2),
        "static_p99_saturated_ms": round(runs["static"]["p99_ms"], 2),
        "stream_cpu_ms_per_request": round(cpu_ms["stream"], 3),
        "static_cpu_ms_per_request": round(cpu_ms["static"], 3),
        "errors": sum(r["errors"] for r in (*runs.values(), *paced.values())), "clients": args.clients,
        "api_workers": args.workers, "track_s": args.track_s, "generator": "wrk",
    }))


if __name__ == "__main__":
    main()
