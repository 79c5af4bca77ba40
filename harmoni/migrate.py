"""Apply Alembic migrations programmatically (`harmoni db upgrade`, `harmoni up`, tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection

from harmoni.db import get_engine, normalize_url

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head", connection: Connection | None = None) -> None:
    """Bring the schema to `revision`; serialised by an advisory lock so replicas may all call it."""
    config = alembic_config(url)
    if connection is not None:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        return
    with get_engine(url).begin() as conn:
        conn.exec_driver_sql("select pg_advisory_xact_lock(727300001)")
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def current_revision(url: str) -> str | None:
    with get_engine(url).connect() as conn:
        exists = conn.exec_driver_sql("select to_regclass('alembic_version')").scalar()
        if not exists:
            return None
        return conn.exec_driver_sql("select version_num from alembic_version").scalar()
