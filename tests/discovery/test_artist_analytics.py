"""An artist's analytics beyond daily plays: plays by country and source, followers over time, revenue per
period, edition sales; over HTTP as JSON and CSV."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from discovery.analytics import service
from identity.models import Wallet
from ledger.royalties.models import PayeeEntitlement, PeriodPlayTally, RevenueEntry
from partners import service as partners
from partners.models import ApiScope
from tests.discovery.listening import (
    CHAIN_ID,
    add_account,
    add_edition,
    add_plays,
    add_recording,
    artist_address,
    now_of,
)
from tests.identity.factories import make_user
from tests.usage.factories import add_period

DAY = date(2026, 11, 2)
A, B = artist_address(1), artist_address(2)


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _plays(db):
    """Artist A (recordings 1, 2): plays from DE (search, twice one fan), FR (trending), unknown; B (3) from US."""
    for asset_id, artist in ((1, A), (2, A), (3, B)):
        add_recording(db, asset_id, artist)
    fans = [add_account(db, now_of(db) - timedelta(days=100 + i)) for i in range(4)]
    add_plays(db, [(fans[0], 1, _at(DAY, 1)), (fans[0], 2, _at(DAY, 3)), (fans[1], 1, _at(DAY, 4)),
                   (fans[2], 2, _at(DAY, 5)), (fans[3], 1, _at(DAY, 6)), (fans[3], 3, _at(DAY, 7)),
                   (fans[0], 1, _at(DAY + timedelta(days=1), 8))])
    db.execute(text("""update plays set country = case when listener_id = :de1 or listener_id = :de2 then 'DE'
                                                       when listener_id = :fr then 'FR'
                                                       when asset_id = 3 then 'US' end,
                                      source = case when listener_id = :fr then 'trending'
                                                    when listener_id = :de1 then 'search' end"""),
               {"de1": fans[0], "de2": fans[1], "fr": fans[2]})
    service.rollup(db, CHAIN_ID)
    return fans


def test_plays_by_country_and_by_source_come_from_the_rollup(db_session):
    _plays(db_session)
    owner = add_account(db_session, now_of(db_session), wallet=A)
    countries = service.breakdown(db_session, CHAIN_ID, owner, A, "country", DAY, DAY + timedelta(days=1), 10)
    assert [(s.value, s.plays, s.listener_days) for s in countries] == [("DE", 4, 3), ("FR", 1, 1),
                                                                        ("unknown", 1, 1)]
    sources = service.breakdown(db_session, CHAIN_ID, owner, A, "source", DAY, DAY, 10)
    assert [(s.value, s.plays) for s in sources] == [("search", 2), ("unknown", 2), ("trending", 1)]
    assert [s.value for s in service.breakdown(db_session, CHAIN_ID, owner, A, "country", DAY, DAY, 1)] == ["DE"]
    with pytest.raises(service.AnalyticsNotYours):
        service.breakdown(db_session, CHAIN_ID, owner, B, "country", DAY, DAY, 10)
    with pytest.raises(service.ValidationFailed):
        service.breakdown(db_session, CHAIN_ID, owner, A, "city", DAY, DAY, 10)


def test_followers_per_day_count_those_who_follow_now_by_the_day_they_followed(db_session):
    artist = add_account(db_session, now_of(db_session) - timedelta(days=400))
    fans = [add_account(db_session, now_of(db_session) - timedelta(days=400)) for _ in range(4)]
    for fan, day in zip(fans, (DAY - timedelta(days=3), DAY, DAY, DAY + timedelta(days=2)), strict=True):
        db_session.execute(text("insert into social_follows (follower_id, followee_id, created_at) "
                                "values (:a, :b, :t)"), {"a": fan, "b": artist, "t": _at(day, 12)})
    points = service.followers(db_session, artist, DAY, DAY + timedelta(days=2))
    assert [(p.day, p.new, p.total) for p in points] == [(DAY, 2, 3), (DAY + timedelta(days=1), 0, 3),
                                                         (DAY + timedelta(days=2), 1, 4)]


def _money(db):
    """Periods 1 and 2: A is entitled in both; recording 1 sold directly in period 2 (and a voided sale)."""
    add_recording(db, 1, A)
    add_recording(db, 3, B)
    for period_id in (1, 2):
        add_period(db, period_id, "published")
    db.add_all([PayeeEntitlement(period_id=1, account=A, amount=1500, cumulative_amount=1500, tree_index=0),
                PayeeEntitlement(period_id=2, account=A, amount=2500, cumulative_amount=4000, tree_index=0),
                PayeeEntitlement(period_id=2, account=B, amount=900, cumulative_amount=900, tree_index=1),
                RevenueEntry(period_id=2, source="direct_sales", asset_id=1, amount=3000, currency="USD",
                             reference="sale-1"),
                RevenueEntry(period_id=2, source="direct_sales", asset_id=1, amount=700, currency="USD",
                             reference="sale-2", voided_at=datetime.now(UTC)),
                RevenueEntry(period_id=2, source="direct_sales", asset_id=3, amount=5000, currency="USD",
                             reference="sale-3"),
                PeriodPlayTally(period_id=2, chain_id=CHAIN_ID, asset_id=1, plays=41)])
    db.flush()
    buyers = [artist_address(100 + i) for i in range(3)]
    now = now_of(db)
    add_edition(db, 5, 1, A, [(buyers[0], now), (buyers[0], now), (buyers[1], now), (A, now)])
    add_edition(db, 6, 3, B, [(buyers[2], now)], first_block=2000)


def test_revenue_per_period_and_edition_sales_of_the_callers_wallets(db_session):
    _money(db_session)
    owner = add_account(db_session, now_of(db_session), wallet=A)
    periods = service.revenue(db_session, CHAIN_ID, owner, 10)
    assert [(p.period_id, p.earned) for p in periods] == [(2, 2500), (1, 1500)]
    assert [(a.asset_id, a.revenue, a.plays) for a in periods[0].assets] == [(1, 3000, 41)]  # not B's, not voided
    assert periods[1].assets == []
    assert [p.period_id for p in service.revenue(db_session, CHAIN_ID, owner, 1)] == [2]
    sales = service.edition_sales(db_session, CHAIN_ID, owner)
    # Three tokens to two buyers (the creator's own mint is no sale), 10 paid each.
    assert [(e.edition_id, e.sold, e.buyers, e.paid) for e in sales] == [(5, 3, 2, 30)]
    assert service.revenue(db_session, CHAIN_ID, add_account(db_session, now_of(db_session)), 10) == []


def test_the_api_serves_the_new_series_as_json_and_csv(db_session, api, sessions, api_settings):
    _plays(db_session)
    db_session.commit()
    artist = make_user(sessions, api_settings, "artist", "partner")
    with sessions.begin() as session:
        session.add(Wallet(user_id=artist.id, address=A, kind="linked"))
        key = partners.issue_key(session, artist.id, "label", [ApiScope.analytics_read]).key
    days = {"from": DAY.isoformat(), "to": DAY.isoformat()}

    body = api.get("/v1/analytics/breakdown", params={**days, "artist": A.lower(), "by": "source"},
                   headers=artist.headers).json()
    assert body["artist"] == A and body["data"][0] == {"value": "search", "plays": 2, "listener_days": 1}
    csv = api.get("/v1/analytics/breakdown", params={**days, "artist": A, "format": "csv"},
                  headers={"X-API-Key": key})
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text == "value,plays,listener_days\nDE,3,2\nFR,1,1\nunknown,1,1\n"
    assert api.get("/v1/analytics/breakdown", params={**days, "artist": B},
                   headers=artist.headers).status_code == 404
    bad = api.get("/v1/analytics/breakdown", params={**days, "artist": A, "by": "city"}, headers=artist.headers)
    assert bad.status_code == 422 and "by" in bad.text

    followers = api.get("/v1/analytics/followers", params=days, headers=artist.headers).json()
    assert followers == {"points": [{"day": DAY.isoformat(), "new": 0, "total": 0}]}
    assert api.get("/v1/analytics/followers", params={**days, "format": "csv"},
                   headers=artist.headers).text == f"day,new,total\n{DAY.isoformat()},0,0\n"
    assert api.get("/v1/analytics/revenue", headers=artist.headers).json() == {"periods": []}
    assert api.get("/v1/analytics/editions", headers={"X-API-Key": key}).json() == {"editions": []}
    assert api.get("/v1/analytics/editions").status_code == 401
