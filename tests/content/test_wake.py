"""The polling content worker is woken by the upload's own transaction: a NOTIFY that arrives on commit only."""

from __future__ import annotations

import threading
import uuid

import psycopg
from sqlalchemy.orm import sessionmaker

from content import tasks
from harmoni import jobs
from harmoni.db import normalize_url
from harmoni.settings import Settings


def _listener(database_url: str) -> psycopg.Connection:
    conn = psycopg.connect(normalize_url(database_url).replace("postgresql+psycopg://", "postgresql://", 1),
                           autocommit=True)
    conn.execute(f"listen {tasks.WAKE_CHANNEL}")
    return conn


def test_the_notice_arrives_on_commit_and_never_for_a_rolled_back_upload(db_engine, database_url):
    jobs.configure(Settings(_env_file=None, env="test", database_url=database_url, redis_url=""))  # no Redis: polling
    sessions = sessionmaker(bind=db_engine)
    conn = _listener(database_url)
    try:
        dropped, kept = uuid.uuid4(), uuid.uuid4()
        with sessions() as session:
            tasks.enqueue(session, dropped)
            session.rollback()
        with sessions() as session:
            tasks.enqueue(session, kept)
            assert list(conn.notifies(timeout=0.2, stop_after=1)) == []  # not before the commit
            session.commit()
        received = [n.payload for n in conn.notifies(timeout=5, stop_after=1)]
        assert received == [str(kept)]
    finally:
        conn.close()


def test_the_listening_thread_wakes_an_idle_claimer(database_url):
    settings = Settings(_env_file=None, env="test", database_url=database_url)
    wake, stop = threading.Condition(), threading.Event()
    listening = threading.Thread(target=tasks._listen, args=(settings, wake, stop), daemon=True)
    listening.start()
    try:
        woken = False
        sender = _listener(database_url)
        for _attempt in range(50):  # until the thread listens: a notice before its LISTEN is not kept
            with wake:
                sender.execute(f"notify {tasks.WAKE_CHANNEL}")
                if wake.wait(0.2):
                    woken = True
                    break
        sender.close()
        assert woken
    finally:
        stop.set()
        listening.join(10)
    assert not listening.is_alive()
