"""The outbox: written in the writers' transactions, drained into the index, converging after a SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, delete, func, select
from sqlalchemy.orm import sessionmaker

from discovery.search import service
from discovery.search.backend import SearchQuery
from discovery.search.models import SearchDocument, SearchOutbox
from harmoni import cli
from harmoni.settings import Settings, get_settings
from identity import service as identity
from ledger.models import Asset
from tests.discovery.factories import CHAIN_ID, artist, index_assets

ADA = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"
LEE = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(_env_file=None, env="test", database_url="postgresql://unused@127.0.0.1:1/x",
                    data_dir=tmp_path / "var", search_batch_size=7)


def _search(sessions, settings, text: str, **kw):
    with sessions() as session:
        return service.search(session, settings, SearchQuery(text, **kw)).hits


def test_writes_announce_changes_and_the_drain_indexes_current_state(sessions, settings):
    with sessions.begin() as session:
        ada = artist(session, "Ada Moreau", ADA)
        index_assets(session, [(1, "recording", ADA, "Blue Hour", {"genres": ["jazz", "not-a-genre"],
                                                                     "moods": ["calm"], "release": "Dawn"}),
                               (2, "work", LEE, "Blue Hour", {"contributors": [{"name": "Lee", "role": "composer"}]})],
                     editions=[(9, 1)])
        assert session.scalar(select(func.count()).select_from(SearchOutbox)) == 3  # the profile, assets 1 and 2
    assert _search(sessions, settings, "blue") == []  # nothing until the worker drains
    assert service.drain(sessions, settings, CHAIN_ID) == 3
    hits = _search(sessions, settings, "blue hour")
    assert {(h.kind, h.ref) for h in hits} == {("recording", "1"), ("work", "2"), ("edition", "9")}
    recording = next(h for h in hits if h.kind == "recording")
    assert recording.artists == ["Ada Moreau"] and recording.genres == ["jazz"] and recording.moods == ["calm"]
    assert recording.has_edition
    assert sorted(h.ref for h in _search(sessions, settings, "dawn")) == ["1", "9"]  # release (album) is searched
    assert [h.kind for h in _search(sessions, settings, "ada", kinds=("artist",))] == ["artist"]

    with sessions.begin() as session:  # a renamed artist: the profile and the artist's recordings follow
        identity.save_artist_profile(session, session.get(type(ada), ada.id), display_name="Ada Nightingale",
                                     bio="", links=[])
    service.drain(sessions, settings, CHAIN_ID)
    assert {h.kind for h in _search(sessions, settings, "nightingale")} == {"artist", "recording", "edition"}
    assert _search(sessions, settings, "moreau") == []

    with sessions.begin() as session:  # the asset goes (a reorg): announced the same way, its documents go too
        session.execute(delete(Asset).where(Asset.asset_id == 1))
        from discovery.search import repository

        repository.announce_assets(session, [1])
    service.drain(sessions, settings, CHAIN_ID)
    assert {(h.kind, h.ref) for h in _search(sessions, settings, "blue hour")} == {("work", "2")}
    with sessions() as session:
        report = service.check(session, settings, CHAIN_ID)
    assert report.matches and report.pending == 0, report.as_text()


def test_a_rolled_back_change_announces_nothing(sessions, settings):
    with pytest.raises(RuntimeError), sessions.begin() as session:
        index_assets(session, [(3, "recording", ADA, "Never Was", {})])
        raise RuntimeError("the indexer's transaction fails")
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(SearchOutbox)) == 0


def _harmoni(url: str, tmp_path, *args: str, failpoint: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "HARMONI_ENV": "test", "HARMONI_DATABASE_URL": url, "HARMONI_DATA_DIR": str(tmp_path),
           "HARMONI_SEARCH_BATCH_SIZE": "7", "HARMONI_FAILPOINTS": failpoint}
    env.pop("HARMONI_REDIS_URL", None)
    return subprocess.run([sys.executable, "-m", "harmoni.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def test_a_worker_killed_mid_batch_leaves_the_batch_to_the_next_and_the_index_converges(fresh_db, tmp_path,
                                                                                      monkeypatch, capsys):
    url = fresh_db()
    engine = create_engine(url)
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    settings = Settings(_env_file=None, env="test", database_url=url, data_dir=tmp_path, search_batch_size=7)
    with sessions.begin() as session:
        index_assets(session, [(n, "recording", ADA, f"Track {n}", {}) for n in range(1, 31)])

    def state() -> tuple[int, int]:
        with sessions() as session:
            return (session.scalar(select(func.count()).select_from(SearchOutbox)),
                    session.scalar(select(func.count()).select_from(SearchDocument)))

    killed = _harmoni(url, tmp_path, "search", "drain", failpoint="search:mid-batch")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert state() == (30, 0)  # its batch was written to the index but never committed
    assert service.drain(sessions, settings, CHAIN_ID, max_batches=2) == 14
    killed = _harmoni(url, tmp_path, "search", "drain", failpoint="search:mid-batch")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert state() == (16, 14)
    # The rest in this process, through the same commands (a subprocess costs seconds of imports each).
    for key, value in {"HARMONI_ENV": "test", "HARMONI_DATABASE_URL": url, "HARMONI_DATA_DIR": str(tmp_path),
                       "HARMONI_SEARCH_BATCH_SIZE": "7"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("HARMONI_REDIS_URL", raising=False)
    get_settings.cache_clear()
    assert cli.main(["search", "drain"]) == 0
    assert state() == (0, 30)
    assert cli.main(["search", "check"]) == 0
    assert "recording         30        30" in capsys.readouterr().out
    assert cli.main(["search", "reindex"]) == 0 and "30 documents" in capsys.readouterr().out
    with sessions.begin() as session:  # an index that lost a document: the check says so, exit 1
        session.execute(delete(SearchDocument).where(SearchDocument.ref == "30"))
    assert cli.main(["search", "check"]) == 1 and "MISMATCH" in capsys.readouterr().out
    get_settings.cache_clear()
    engine.dispose()
