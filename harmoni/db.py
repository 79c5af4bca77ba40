"""Database engine, sessions and the declarative base shared by every domain package."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, MetaData, Table, create_engine, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from harmoni.errors import ConfigurationError

# Stable constraint names, so Alembic migrations never depend on server-generated names.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def normalize_url(url: str) -> str:
    """Accept `postgresql://` or `postgres://` URLs and select the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    try:
        parsed = make_url(url)
    except ArgumentError as err:
        raise ConfigurationError(f"database URL is not a valid URL: {err}") from err
    if not parsed.drivername.startswith("postgresql"):
        raise ConfigurationError(f"database URL must be PostgreSQL, got '{parsed.drivername}'")
    return url


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    """One pooled engine per database URL per process."""
    return create_engine(normalize_url(url), pool_pre_ping=True, pool_size=10, max_overflow=20)


def check_connection(url: str) -> None:
    """Connect once; raise ConfigurationError with the server's reason (never the password)."""
    engine = get_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    except OperationalError as err:
        reason = str(err.orig).strip().splitlines()[0] if err.orig else "unreachable"
        safe = engine.url.render_as_string(hide_password=True)
        raise ConfigurationError(f"cannot connect to database {safe}: {reason}") from err


def session_factory(url: str) -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(url), expire_on_commit=False)


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """A unit of work for scripts and jobs: commit on success, roll back on error."""
    session = session_factory(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


_SNAPSHOT_ID = re.compile(r"[0-9A-F]+-[0-9A-F]+(-[0-9]+)?")


@contextmanager
def snapshot_twin(session: Session, sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A second session that sees exactly what `session` sees, so one consistent read can run on two connections
    at once. `session` must be in a REPEATABLE READ transaction (PostgreSQL's exported snapshots; pg_dump's way)."""
    snapshot = session.scalar(text("SELECT pg_export_snapshot()"))
    if not _SNAPSHOT_ID.fullmatch(snapshot or ""):  # SET TRANSACTION SNAPSHOT takes no bind parameter
        raise RuntimeError(f"unexpected snapshot id {snapshot!r}")
    with sessions() as twin:
        twin.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        twin.execute(text(f"SET TRANSACTION SNAPSHOT '{snapshot}'"))
        try:
            yield twin
        finally:
            twin.rollback()


def fetch_all(session: Session, sql: str, params: dict[str, Any] | None = None) -> list[tuple]:
    """Rows as plain tuples from the driver in binary format, in the session's transaction: no row objects and no
    text parsing, half the time of `session.execute` at 100k rows with arrays. `sql` takes `%(name)s` parameters."""
    raw = session.connection().connection.driver_connection
    with raw.cursor(binary=True) as cursor:
        return cursor.execute(sql, params).fetchall()


def copy_rows(session: Session, table: Table, rows: Iterable[dict[str, Any]]) -> None:
    """Bulk-insert `rows` (dicts by column name) with COPY, in the session's transaction."""
    names = [c.name for c in table.columns]
    as_json = {c.name for c in table.columns if isinstance(c.type, JSONB)}
    raw = session.connection().connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(
            f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([json.dumps(row[name]) if name in as_json else row.get(name) for name in names])
