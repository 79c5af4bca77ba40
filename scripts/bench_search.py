"""Search latency and throughput beside a trivial endpoint of the same server.

    python scripts/bench_search.py [--recordings 100000] [--artists 20000] [--clients 50] [--seconds 10]

Loads a generated catalog (Zipf-popular recordings by generated artists, genres and moods from the vocabulary)
straight into the PostgreSQL backend's documents (HARMONI_DATABASE_URL's server if set, else an embedded one;
a database of its own, dropped afterwards), runs `harmoni api`, and drives it with `wrk` (Debian's package,
installed when missing) and a Lua script that picks every request from a generated query log (whole titles,
artist names, prefixes, one-letter typos, accented forms; suggest: 1 to 6 first letters). Prints one JSON line:
`search_p95_ms`, `suggest_p95_ms`, `search_rps`, `suggest_rps`, `baseline_rps` (GET /healthz, same server, same
run) and `search_to_baseline`, with the sizes used. Targets (issue #16): search p95 < 50 ms, suggest p95 < 20 ms,
search at least 0.3 of baseline rps.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from discovery import vocabulary
from discovery.search.backend import Document
from discovery.search.postgres import PostgresBackend
from harmoni import embedded_db
from harmoni.db import get_engine, normalize_url
from scripts.bench_api import load_generator
from scripts.bench_indexer import free_port, fresh_database

SYLLABLES = ["la", "mo", "ri", "ka", "zu", "ne", "do", "vi", "sa", "té", "lu", "ø", "ba", "co", "fé", "ri", "an",
             "el", "or", "is", "um", "ya", "ko", "ji"]
WORDS = ["blue", "hour", "night", "love", "dream", "fire", "city", "river", "heart", "gold", "rain", "dance",
         "light", "shadow", "summer", "winter", "stone", "wild", "ocean", "echo", "velvet", "neon", "silver", "café"]
_LUA = """
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
math.randomseed(%d)
request = function() return wrk.format("GET", paths[math.random(#paths)]) end
done = function(summary, latency, requests)
  io.write(string.format("P95_US %%d\\nP50_US %%d\\n", latency:percentile(95.0), latency:percentile(50.0)))
end
"""


def word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def catalog(recordings: int, artists: int, seed: int) -> tuple[list[Document], list[str], list[str]]:
    rng = random.Random(seed)
    names = [f"{word(rng).capitalize()} {word(rng).capitalize()}" if rng.random() < 0.6 else word(rng).capitalize()
             for _ in range(artists)]
    ids = [uuid.uuid4() for _ in range(artists)]
    genres, moods = [t.slug for t in vocabulary.GENRES], [t.slug for t in vocabulary.MOODS]
    docs = [Document(kind="artist", ref=str(ids[i]), title=names[i], artists=[names[i]], account_ids=[ids[i]],
                     plays=int(1e6 / (i + 1))) for i in range(artists)]
    titles = []
    for n in range(recordings):
        a = min(int(rng.paretovariate(1.1)) - 1, artists - 1)
        title = " ".join(rng.choice(WORDS) if rng.random() < 0.5 else word(rng) for _ in range(rng.randint(1, 4)))
        titles.append(title)
        docs.append(Document(kind="recording", ref=str(n + 1), title=title.title(), artists=[names[a]],
                             genres=rng.sample(genres, rng.randint(0, 2)), moods=rng.sample(moods, rng.randint(0, 1)),
                             year=rng.randint(1960, 2026), plays=int(2e6 / (n + 1) ** 1.1), asset_id=n + 1,
                             account_ids=[ids[a]]))
    return docs, titles, names


def query_log(titles: list[str], names: list[str], size: int, seed: int) -> tuple[list[str], list[str]]:
    rng = random.Random(seed + 1)
    searches, suggests = [], []
    for _ in range(size):
        text = rng.choice(titles) if rng.random() < 0.6 else rng.choice(names)
        roll = rng.random()
        if roll < 0.2 and len(text) > 5:  # one typo: two neighbouring letters swapped
            i = rng.randrange(1, len(text) - 2)
            text = text[:i] + text[i + 1] + text[i] + text[i + 2:]
        elif roll < 0.4:
            text = " ".join(text.split()[:2])[: rng.randint(3, 12)]
        searches.append("/v1/search?" + urllib.parse.urlencode({"q": text.lower(), "limit": 20}))
        suggests.append("/v1/search/suggest?" + urllib.parse.urlencode({"q": text.lower()[: rng.randint(1, 6)]}))
    return searches, suggests


def drive(base: str, paths: list[str], clients: int, seconds: float, work: Path, name: str) -> dict:
    log = work / f"{name}.paths"
    log.write_text("\n".join(base + p for p in paths) + "\n")
    script = work / f"{name}.lua"
    script.write_text(_LUA % (log, 7))
    out = subprocess.run([load_generator(), "-t2", f"-c{clients}", f"-d{max(1, round(seconds))}s", "-s", str(script),
                          base], capture_output=True, text=True, check=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p95_ms": int(re.search(r"P95_US (\d+)", out).group(1)) / 1000,
            "p50_ms": int(re.search(r"P50_US (\d+)", out).group(1)) / 1000,
            "errors": int(non_2xx.group(1)) if non_2xx else 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recordings", type=int, default=100_000)
    parser.add_argument("--artists", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--queries", type=int, default=5_000, help="size of the generated query log")
    args = parser.parse_args()
    load_generator()
    work = Path(tempfile.mkdtemp(prefix="harmoni-bench-search-"))
    started_pg, api, url = False, None, None
    server = os.environ.get("HARMONI_DATABASE_URL")
    try:
        if not server:
            server, started_pg = embedded_db.start(work, database="postgres")
        url = fresh_database(server)
        docs, titles, names = catalog(args.recordings, args.artists, seed=16)
        loaded = time.perf_counter()
        with Session(get_engine(url)) as session, session.begin():
            backend = PostgresBackend(session)
            for start in range(0, len(docs), 2_000):
                backend.upsert(docs[start:start + 2_000], version=1)
        load_s = time.perf_counter() - loaded
        with psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False),
                             autocommit=True) as conn:
            conn.execute("vacuum analyze search_documents")
            conn.execute("vacuum analyze search_terms")
        searches, suggests = query_log(titles, names, args.queries, seed=16)

        port = free_port()
        env = {**os.environ, "HARMONI_DATABASE_URL": url, "HARMONI_RPC_URL": "http://127.0.0.1:9",
               "HARMONI_DATA_DIR": str(work), "HARMONI_API_PORT": str(port),
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
        for name, paths in (("baseline", ["/healthz"]), ("search", searches), ("suggest", suggests)):
            if args.warmup > 0:
                drive(base, paths, args.clients, args.warmup, work, name)
            runs[name] = drive(base, paths, args.clients, args.seconds, work, name)
    finally:
        if api is not None:
            api.terminate()
            api.wait(20)
        if url is not None:
            get_engine(url).dispose()
            admin = make_url(normalize_url(server)).set(drivername="postgresql").render_as_string(hide_password=False)
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'drop database if exists "{make_url(url).database}" with (force)')
        if started_pg:
            embedded_db.stop(work)
    search, suggest, baseline = runs["search"], runs["suggest"], runs["baseline"]
    print(json.dumps({
        "search_p95_ms": round(search["p95_ms"], 2), "search_p50_ms": round(search["p50_ms"], 2),
        "search_rps": round(search["rps"]), "suggest_p95_ms": round(suggest["p95_ms"], 2),
        "suggest_p50_ms": round(suggest["p50_ms"], 2), "suggest_rps": round(suggest["rps"]),
        "baseline_rps": round(baseline["rps"]), "search_to_baseline": round(search["rps"] / baseline["rps"], 3),
        "errors": search["errors"] + suggest["errors"] + baseline["errors"], "recordings": args.recordings,
        "artists": args.artists, "clients": args.clients, "workers": args.workers, "load_s": round(load_s, 1),
        "seconds": args.seconds,
        "full_size": args.recordings >= 100_000 and args.artists >= 20_000,
    }))


if __name__ == "__main__":
    main()
