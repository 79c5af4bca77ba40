import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import column, func, select, table, text
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from harmoni.db import check_connection, get_engine, normalize_url, snapshot_twin
from harmoni.errors import ConfigurationError


def test_urls_select_psycopg3():
    assert normalize_url("postgres://u@h/db").startswith("postgresql+psycopg://")
    assert normalize_url("postgresql://u@h/db").startswith("postgresql+psycopg://")


def test_non_postgres_url_is_refused():
    with pytest.raises(ConfigurationError, match="must be PostgreSQL"):
        normalize_url("mysql://u@h/db")


def test_unreachable_database_is_one_clear_error_without_password(tmp_path):
    url = "postgresql://harmoni:s3cr3t-pass@127.0.0.1:1/harmoni?connect_timeout=2"
    with pytest.raises(ConfigurationError) as info:
        check_connection(url)
    assert "cannot connect to database" in info.value.detail
    assert "s3cr3t-pass" not in info.value.detail


@pytest.fixture
def scratch_table(database_url) -> Iterator[str]:
    """A table of this test's own, committed in the run's database (not inside a rolled-back transaction)."""
    name = f"scratch_twin_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False),
                         autocommit=True) as conn:
        conn.execute(sql.SQL("create table {} (id integer primary key)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("insert into {} values (1), (2)").format(sql.Identifier(name)))
        try:
            yield name
        finally:
            conn.execute(sql.SQL("drop table if exists {}").format(sql.Identifier(name)))


def test_snapshot_twin_sees_the_sessions_snapshot_not_later_commits(database_url, scratch_table):
    sessions = sessionmaker(bind=get_engine(database_url), expire_on_commit=False)
    scratch = table(scratch_table, column("id"))
    ids = select(func.array_agg(aggregate_order_by(scratch.c.id, scratch.c.id)))
    backend = text("select pg_backend_pid()")
    plain_dsn = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)

    with sessions() as session:
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        assert session.scalar(ids) == [1, 2]  # the snapshot is taken here
        with psycopg.connect(plain_dsn, autocommit=True) as other:
            other.execute(sql.SQL("insert into {} values (3)").format(sql.Identifier(scratch_table)))

        with snapshot_twin(session, sessions) as twin:
            twin_pid = twin.scalar(backend)
            assert twin_pid != session.scalar(backend)  # another connection...
            assert twin.scalar(text("show transaction_isolation")) == "repeatable read"
            assert twin.scalar(ids) == [1, 2]  # ...that does not see the row committed after the snapshot
            assert session.scalar(ids) == [1, 2]
            with sessions() as fresh:
                assert fresh.scalar(ids) == [1, 2, 3]
                assert fresh.scalar(backend) not in (twin_pid, session.scalar(backend))

        # The twin's transaction is over and its connection went back to the pool at the default isolation level.
        with psycopg.connect(plain_dsn, autocommit=True) as other:
            state = other.execute("select state from pg_stat_activity where pid = %s", (twin_pid,)).fetchone()
        assert state is None or state[0] == "idle"
        with sessions() as later:
            assert later.scalar(text("show transaction_isolation")) == "read committed"
            assert later.scalar(ids) == [1, 2, 3]
        assert session.scalar(ids) == [1, 2]  # the first session kept its snapshot throughout
