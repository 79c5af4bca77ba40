"""Where a running `harmoni up` listens, recorded in its data directory so that other commands find it.

`harmoni up` writes `<data dir>/stack.json` once the API answers and removes it when it stops. A command run in
another terminal, without the same `HARMONI_*` variables, reads it and talks to the running parts; variables
set explicitly still win. A record whose supervisor is no longer alive is ignored.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from harmoni.settings import Settings

RECORD_NAME = "stack.json"


def record_path(data_dir: Path) -> Path:
    return data_dir / RECORD_NAME


def record(settings: Settings, database_url: str) -> Path:
    """Write where this supervisor's parts listen (readable by its user only: it holds the database URL)."""
    path = record_path(settings.data_dir)
    document = {"pid": os.getpid(), "api_host": settings.api_host, "api_port": settings.api_port,
                "rpc_url": settings.effective_rpc_url, "chain_id": settings.chain_id, "database_url": database_url}
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(document, out, indent=2)
    os.replace(temporary, path)
    return path


def forget(data_dir: Path) -> None:
    path = record_path(data_dir)
    with contextlib.suppress(OSError, ValueError):  # no record, or one another supervisor wrote: leave it
        if json.loads(path.read_text()).get("pid") == os.getpid():
            path.unlink()


def running(data_dir: Path) -> dict | None:
    """The record of a live `harmoni up` on this data directory, if any."""
    try:
        document = json.loads(record_path(data_dir).read_text())
        os.kill(int(document["pid"]), 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return document


def attach(settings: Settings, environ: dict[str, str] | None = None) -> Settings:
    """These settings, pointed at the running stack wherever the user did not choose a value."""
    environ = os.environ if environ is None else environ
    found = running(settings.data_dir)
    if found is None:
        return settings
    chosen = {name for name in ("API_HOST", "API_PORT", "RPC_URL", "DATABASE_URL") if f"HARMONI_{name}" in environ}
    update = {key: found[key] for key in ("api_host", "api_port", "rpc_url", "database_url")
              if key.upper() not in chosen and found.get(key)}
    return settings.model_copy(update=update)
