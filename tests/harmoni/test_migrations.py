from sqlalchemy import create_engine, inspect

from harmoni import migrate
from harmoni.db import Base, normalize_url


def test_head_schema_matches_the_models(database_url):
    engine = create_engine(normalize_url(database_url))
    inspector = inspect(engine)
    tables = set(inspector.get_table_names())
    import harmoni.models  # noqa: F401 -- registers tables
    import indexer.models  # noqa: F401

    assert set(Base.metadata.tables) <= tables
    for name, table in Base.metadata.tables.items():
        assert {c["name"] for c in inspector.get_columns(name)} == {c.name for c in table.columns}, name
    assert inspector.get_pk_constraint("indexed_blocks")["name"] == "pk_indexed_blocks"
    assert migrate.current_revision(database_url) is not None
    engine.dispose()


def test_downgrade_to_base_and_back(database_server_url):
    import uuid

    import psycopg
    from sqlalchemy.engine import make_url

    name = f"harmoni_mig_{uuid.uuid4().hex[:8]}"
    admin = make_url(database_server_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    url = make_url(database_server_url).set(database=name).render_as_string(hide_password=False)
    try:
        migrate.upgrade(url)
        head = migrate.current_revision(url)
        from alembic import command

        command.downgrade(migrate.alembic_config(url), "base")
        assert migrate.current_revision(url) is None
        engine = create_engine(normalize_url(url))
        assert inspect(engine).get_table_names() == ["alembic_version"]
        engine.dispose()
        migrate.upgrade(url)
        assert migrate.current_revision(url) == head
    finally:
        from harmoni.db import get_engine

        get_engine(url).dispose()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')
