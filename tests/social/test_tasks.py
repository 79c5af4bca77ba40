"""`harmoni up` (and a Celery worker, with Redis) keeps registered recordings turning into releases: the social
job is registered with the worker and runs with the supervisor's periodic jobs."""

from __future__ import annotations

from sqlalchemy import select

from harmoni import jobs, stack
from harmoni.db import session_factory
from harmoni.settings import get_settings
from identity.models import Wallet
from ledger.models import Asset
from social.models import Release
from tests.social.factories import account


def test_the_periodic_jobs_turn_a_registered_recording_into_a_release(fresh_db, harmoni_env):
    url = fresh_db()
    harmoni_env.setenv("HARMONI_DATABASE_URL", url)
    get_settings.cache_clear()
    jobs.configure(get_settings())
    assert jobs.is_eager() and "social.tasks" in jobs.TASK_MODULES
    sessions = session_factory(url)
    wallet = "0x" + "6c" * 20
    with sessions.begin() as session:
        artist = account(session, "artist")
        session.add(Wallet(user_id=artist.id, address=wallet, kind="linked"))
        session.add(Asset(chain_id=get_settings().chain_id, asset_id=7301, kind="recording", controller=wallet,
                          industry_code="USRC17607301", work_ids=[], metadata_uri="", split_version=1,
                          split_hash="0x" + "00" * 32, split_recipients=[], split_allocations=[], split_locked=False,
                          frozen=False, registered_block=1, registered_tx="0x" + "00" * 32, updated_block=1))
        artist_id = artist.id
    stack._periodic_jobs()
    assert "social.sync_releases" in jobs.celery_app.tasks
    with sessions() as session:
        assert session.scalars(select(Release.artist_id).where(Release.asset_id == 7301)).all() == [artist_id]
