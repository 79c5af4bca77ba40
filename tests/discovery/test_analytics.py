"""Artist analytics: the daily rollup, whose recordings a caller sees, territories, CSV, the partner key scope."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from discovery.analytics import service
from discovery.analytics.models import DailyRecordingPlays
from discovery.analytics.tasks import rollup_if_due
from harmoni.settings import Settings
from identity.models import Wallet
from ledger.usage.models import UsageReport, UsageReportLine
from partners import service as partners
from partners.models import ApiScope
from tests.discovery.listening import CHAIN_ID, add_account, add_plays, add_recording, artist_address, now_of
from tests.identity.factories import make_user
from tests.usage.factories import add_period

DAY = date(2026, 11, 2)


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _world(db):
    """Artist A (recordings 1, 2), artist B (3); fans play on two days, one of them twice on one day."""
    a, b = artist_address(1), artist_address(2)
    add_recording(db, 1, a)
    add_recording(db, 2, a)
    add_recording(db, 3, b)
    now = now_of(db)
    fans = [add_account(db, now - timedelta(days=100 + i)) for i in range(3)]
    add_plays(db, [(fans[0], 1, _at(DAY, 1)), (fans[0], 1, _at(DAY, 5)), (fans[1], 1, _at(DAY, 7)),
                   (fans[1], 2, _at(DAY, 8)), (fans[2], 3, _at(DAY, 9)),
                   (fans[2], 1, _at(DAY + timedelta(days=1), 23))])
    add_plays(db, [(fans[2], 2, _at(DAY, 10))], counted=False)  # flagged: never in analytics
    return a, b


def test_the_rollup_counts_plays_and_distinct_listeners_per_recording_and_artist_per_day(db_session):
    a, _b = _world(db_session)
    owner = add_account(db_session, now_of(db_session), wallet=a)
    settings = Settings(_env_file=None, env="test")
    assert rollup_if_due(db_session, settings) == DAY
    assert rollup_if_due(db_session, settings) is None  # ran just now: not due again within the interval

    series = service.daily_plays(db_session, CHAIN_ID, owner, DAY, DAY + timedelta(days=2), asset_id=1)
    assert [(p.plays, p.listeners) for p in series] == [(3, 2), (1, 1), (0, 0)]
    by_artist = service.daily_plays(db_session, CHAIN_ID, owner, DAY, DAY, artist=a)
    assert [(p.plays, p.listeners) for p in by_artist] == [(4, 2)]  # fan 1 played both recordings: one listener

    # A late play on the last rolled-up day is taken in by the next run; the rows are replaced, not added to.
    add_plays(db_session, [(owner, 1, _at(DAY + timedelta(days=1), 12))])
    assert service.rollup(db_session, CHAIN_ID) == DAY + timedelta(days=1)
    series = service.daily_plays(db_session, CHAIN_ID, owner, DAY, DAY + timedelta(days=1), asset_id=1)
    assert [(p.plays, p.listeners) for p in series] == [(3, 2), (2, 2)]
    assert db_session.query(DailyRecordingPlays).count() == 4  # (1, DAY), (2, DAY), (3, DAY), (1, DAY + 1)


def test_a_caller_sees_only_recordings_its_wallets_control_or_are_paid_by(db_session):
    a, b = _world(db_session)
    owner = add_account(db_session, now_of(db_session), wallet=a)
    service.rollup(db_session, CHAIN_ID)
    with pytest.raises(service.AnalyticsNotYours):
        service.daily_plays(db_session, CHAIN_ID, owner, DAY, DAY, asset_id=3)
    with pytest.raises(service.AnalyticsNotYours):
        service.daily_plays(db_session, CHAIN_ID, owner, DAY, DAY, artist=b)
    with pytest.raises(service.ValidationFailed):
        service.daily_plays(db_session, CHAIN_ID, owner, DAY, DAY - timedelta(days=1), asset_id=1)
    with pytest.raises(service.ValidationFailed):
        service.daily_plays(db_session, CHAIN_ID, owner, DAY, DAY + timedelta(days=400), asset_id=1)


def test_territories_sum_partner_reports_of_the_recording(db_session):
    a, _ = _world(db_session)
    owner = add_account(db_session, now_of(db_session), wallet=a)
    add_period(db_session, 1)
    partner = add_account(db_session, now_of(db_session))
    for n, lines in enumerate(([("US", 10, 500), ("DE", 4, 200)], [("US", 5, 100)])):
        report = UsageReport(id=uuid.uuid4(), period_id=1, owner_id=partner, chain_id=CHAIN_ID,
                             sha256=hashlib.sha256(bytes([n])).digest(), line_count=len(lines), total_usage=0,
                             total_net_revenue=0, currency="USD")
        db_session.add(report)
        db_session.flush()
        db_session.add_all([UsageReportLine(report_id=report.id, line_no=i + 2, isrc="QZ0000000001", asset_id=1,
                                            territory=t, usage_count=u, net_revenue=r, currency="USD")
                            for i, (t, u, r) in enumerate(lines)])
    db_session.flush()
    rows = service.territories(db_session, CHAIN_ID, owner, 1, 1)
    assert [(t.territory, t.usage, t.net_revenue) for t in rows] == [("US", 15, 600), ("DE", 4, 200)]
    assert service.territories(db_session, CHAIN_ID, owner, 1, 2) == []


def test_the_api_serves_json_and_csv_to_the_artist_and_a_key_with_analytics_read(db_session, api, sessions,
                                                                                 api_settings):
    a, _ = _world(db_session)
    service.rollup(db_session, CHAIN_ID)
    db_session.commit()
    # An artist who is also a label's partner account (keys belong to partner accounts).
    artist = make_user(sessions, api_settings, "artist", "partner")
    with sessions.begin() as session:
        session.add(Wallet(user_id=artist.id, address=a, kind="linked"))
        key = partners.issue_key(session, artist.id, "label", [ApiScope.analytics_read]).key
        no_scope = partners.issue_key(session, artist.id, "sync", [ApiScope.assets_read]).key
    params = {"from": DAY.isoformat(), "to": (DAY + timedelta(days=1)).isoformat(), "asset_id": 1}

    body = api.get("/v1/analytics/plays", params=params, headers=artist.headers).json()
    assert body["points"] == [{"day": "2026-11-02", "plays": 3, "listeners": 2},
                              {"day": "2026-11-03", "plays": 1, "listeners": 1}]
    csv = api.get("/v1/analytics/plays", params={**params, "format": "csv"}, headers={"X-API-Key": key})
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text == "day,plays,listeners\n2026-11-02,3,2\n2026-11-03,1,1\n"
    assert api.get("/v1/analytics/plays", params=params, headers={"X-API-Key": no_scope}).status_code == 403
    assert api.get("/v1/analytics/plays", params={**params, "asset_id": 3},
                   headers=artist.headers).status_code == 404
    bad = api.get("/v1/analytics/plays", params={**params, "to": "2026-10-01"}, headers=artist.headers)
    assert bad.status_code == 422 and bad.json()["field"] == "to"
