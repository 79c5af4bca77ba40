"""`harmoni discovery refresh` on a database of its own (it commits)."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from discovery.recommendations.models import RecommendationModel
from discovery.trending.models import TrendingEntry
from harmoni.cli import main
from harmoni.db import get_engine
from harmoni.settings import get_settings
from tests.discovery.listening import add_account, add_plays, add_recording, artist_address, now_of


def test_refresh_runs_every_job_and_reports_what_it_wrote(fresh_db, monkeypatch, tmp_path, capsys):
    url = fresh_db()
    for key, value in {"HARMONI_ENV": "test", "HARMONI_DATABASE_URL": url, "HARMONI_DATA_DIR": str(tmp_path),
                       "HARMONI_RECOMMENDATIONS_FACTORS": "4", "HARMONI_RECOMMENDATIONS_ITERATIONS": "3"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("HARMONI_REDIS_URL", raising=False)
    get_settings.cache_clear()
    with Session(get_engine(url)) as session:
        now = now_of(session)
        for asset_id in (1, 2, 3):
            add_recording(session, asset_id, artist_address(asset_id))
        fans = [add_account(session, now - timedelta(days=60 + i), verified=True) for i in range(4)]
        add_plays(session, [(f, a, now - timedelta(hours=2, minutes=a)) for f in fans for a in (1, 2, 3)])
        session.commit()
    try:
        assert main(["discovery", "refresh"]) == 0
    finally:
        get_settings.cache_clear()
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert summary["trending_entries"]["v1"] > 0 and summary["related_recordings"] == 6
    with Session(get_engine(url)) as session:
        assert session.scalar(select(RecommendationModel.version)) == summary["model_version"]
        assert session.scalar(select(TrendingEntry.entity).where(TrendingEntry.kind == "recording",
                                                                 TrendingEntry.window == "24h",
                                                                 TrendingEntry.formula_version == "v1",
                                                                 TrendingEntry.rank == 1)) in {"1", "2", "3"}
    get_engine(url).dispose()
