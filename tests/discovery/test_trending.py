"""Trending: scored from counted plays by trusted, distinct listeners; the manipulation cases of issue #16."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from discovery.trending import repository, service, signals
from discovery.trending.models import TrendingEntry, TrendingRun
from discovery.trending.signals import Engagement
from discovery.trending.tasks import refresh_if_due
from tests.discovery.listening import (
    CHAIN_ID,
    add_account,
    add_edition,
    add_many_plays,
    add_plays,
    add_recording,
    artist_address,
    now_of,
    organic_catalog,
)

ATTACKED = 999


def _no_engagement(since):
    return []


def _top(db, version: str, window: str = "7d", kind: str = "recording", n: int = 10) -> list[str]:
    return [e.entity for e in repository.entries(db, version, kind, window, "", "", n)]


def _refresh(db, now, **kwargs):
    return service.refresh(db, CHAIN_ID, genres=kwargs.pop("genres", {}),
                           engagement=kwargs.pop("engagement", _no_engagement), now=now)


def test_one_account_with_10000_plays_cannot_enter_the_top_10(db_session):
    now = now_of(db_session)
    organic_catalog(db_session, now)
    add_recording(db_session, ATTACKED, artist_address(77))
    # The strongest single account there is: a year old, verified, with a wallet, and every play counted (as if
    # it had slipped past the play checks).
    attacker = add_account(db_session, now - timedelta(days=365), verified=True, wallet=artist_address(500))
    add_many_plays(db_session, attacker, ATTACKED, 10_000, now - timedelta(minutes=1))
    add_plays(db_session, [(attacker, asset_id, now - timedelta(hours=h)) for h, asset_id in enumerate(range(1, 12))])
    _refresh(db_session, now)

    for version, window in ((v, w) for v in ("v1", "v2") for w in ("7d", "30d")):
        assert str(ATTACKED) not in _top(db_session, version, window)
        # The organic leader leads, and the list is full of organic recordings.
        assert _top(db_session, version, window)[0] == "1"
        assert len(_top(db_session, version, window)) == 10
    # 10,000 plays weigh what 5 do: one listener, its weight capped.
    plays = {int(e.entity): e for e in db_session.scalars(select(TrendingEntry).where(
        TrendingEntry.formula_version == "v1", TrendingEntry.kind == "recording", TrendingEntry.window == "7d"))}
    assert ATTACKED in plays and plays[ATTACKED].listeners == 1
    assert plays[ATTACKED].score <= service.PLAY_CAP * (1 + service.VELOCITY_BOOST)


def test_fifty_accounts_created_the_same_day_cannot_enter_the_top_10(db_session):
    now = now_of(db_session)
    organic_catalog(db_session, now)
    add_recording(db_session, ATTACKED, artist_address(77))
    signup = now - timedelta(days=1)
    # Verified e-mail and a wallet each, and a few other recordings played to look diverse.
    fresh = [add_account(db_session, signup, verified=True, wallet=artist_address(1000 + i)) for i in range(50)]
    add_plays(db_session, [(listener, asset_id, now - timedelta(hours=1 + k))
                           for listener in fresh for k, asset_id in enumerate((ATTACKED, ATTACKED, ATTACKED, 2, 3))])
    _refresh(db_session, now)

    # Plain distinct listeners (v0) are fooled: the attacked recording is in their top 10 ...
    assert str(ATTACKED) in _top(db_session, "v0", "7d")
    # ... the trusted scores (v1, v2) are not, in any window.
    for version, window in ((v, w) for v in ("v1", "v2") for w in ("24h", "7d", "30d")):
        assert str(ATTACKED) not in _top(db_session, version, window)
    assert _top(db_session, "v2", "7d")[0] == "1"


def _engage(db, table: str, user_id, asset_id: int, at) -> None:
    columns = "id, user_id, subject_type, subject_id, created_at" if table == "social_reposts" else \
        "user_id, subject_type, subject_id, created_at"
    values = "gen_random_uuid(), :u, 'recording', :s, :t" if table == "social_reposts" else \
        ":u, 'recording', :s, :t"
    db.execute(text(f"insert into {table} ({columns}) values ({values})"),  # noqa: S608 -- our names
               {"u": user_id, "s": str(asset_id), "t": at})


def test_likes_and_reposts_from_fifty_same_day_accounts_cannot_enter_the_top_10(db_session):
    now = now_of(db_session)
    organic_catalog(db_session, now)
    add_recording(db_session, ATTACKED, artist_address(77))
    signup = now - timedelta(days=1)
    fresh = [add_account(db_session, signup, verified=True, wallet=artist_address(1000 + i)) for i in range(50)]
    add_plays(db_session, [(listener, asset_id, now - timedelta(hours=2 + k))
                           for listener in fresh for k, asset_id in enumerate((ATTACKED, 2, 3))])
    for listener in fresh:
        _engage(db_session, "social_likes", listener, ATTACKED, now - timedelta(hours=1))
        _engage(db_session, "social_reposts", listener, ATTACKED, now - timedelta(minutes=30))
    engaged = signals.engagement_since(db_session, CHAIN_ID, now - timedelta(days=7))
    assert {(e.likes, e.reposts) for e in engaged if e.asset_id == ATTACKED} == {(1, 1)}
    assert len([e for e in engaged if e.asset_id == ATTACKED]) == 50
    service.refresh(db_session, CHAIN_ID, genres={},
                    engagement=lambda since: signals.engagement_since(db_session, CHAIN_ID, since), now=now)

    assert str(ATTACKED) in _top(db_session, "v0", "7d")
    for window in ("24h", "7d", "30d"):
        assert str(ATTACKED) not in _top(db_session, "v2", window)
    assert _top(db_session, "v2", "7d")[0] == "1"


def test_real_likes_and_reposts_count_once_per_account_never_for_payees(db_session):
    now = now_of(db_session)
    artist, payee = artist_address(1), artist_address(2)
    add_recording(db_session, 1, artist, payees=[artist, payee])
    add_recording(db_session, 2, artist_address(3))
    own = add_account(db_session, now - timedelta(days=90), verified=True, wallet=artist)
    co_payee = add_account(db_session, now - timedelta(days=90), verified=True, wallet=payee)
    fans = [add_account(db_session, now - timedelta(days=90 + i), verified=True) for i in range(3)]
    everyone = [own, co_payee, *fans]
    add_plays(db_session, [(f, a, now - timedelta(hours=5)) for f in fans for a in (1, 2)])
    for account in everyone:
        _engage(db_session, "social_likes", account, 1, now - timedelta(hours=1))
        _engage(db_session, "social_reposts", account, 1, now - timedelta(hours=1))
    engaged = signals.engagement_since(db_session, CHAIN_ID, now - timedelta(days=1))
    assert {e.listener_id for e in engaged} == set(fans)
    assert {e.artist for e in engaged} == {artist}
    service.refresh(db_session, CHAIN_ID, genres={},
                    engagement=lambda since: signals.engagement_since(db_session, CHAIN_ID, since), now=now)

    v2 = {e.entity: e for e in repository.entries(db_session, "v2", "recording", "7d", "", "", 10)}
    assert v2["1"].listeners == 3 and v2["1"].score > v2["2"].score
    # Each fan's plays, like and repost together stay under the account cap, times its trust.
    assert v2["1"].score <= 3 * service.ACCOUNT_CAP * (1 + service.VELOCITY_BOOST)
    assert _top(db_session, "v2", "7d", kind="artist")[0] == artist


def test_payees_do_not_count_for_their_own_recordings_and_frozen_recordings_never_trend(db_session):
    now = now_of(db_session)
    artist, payee = artist_address(1), artist_address(2)
    add_recording(db_session, 1, artist, payees=[artist, payee])
    add_recording(db_session, 2, artist_address(3), frozen=True)
    add_recording(db_session, 3, artist_address(4))
    own = add_account(db_session, now - timedelta(days=90), verified=True, wallet=artist)
    co_payee = add_account(db_session, now - timedelta(days=90), verified=True, wallet=payee)
    fans = [add_account(db_session, now - timedelta(days=90 + i), verified=True) for i in range(3)]
    add_plays(db_session, [(listener, asset_id, now - timedelta(hours=2))
                           for listener in (own, co_payee, *fans) for asset_id in (1, 2, 3)])
    _refresh(db_session, now)

    entries = {e.entity: e for e in repository.entries(db_session, "v1", "recording", "7d", "", "", 10)}
    assert set(entries) == {"1", "3"}
    assert entries["1"].listeners == 3  # the fans; not the artist's own account, not the co-payee
    assert entries["3"].listeners == 5  # the two payees of recording 1 are ordinary listeners here
    assert _top(db_session, "v1", "7d", kind="artist")[0] == artist_address(4)


def test_trust_rises_with_age_diversity_and_verification_and_falls_with_flagged_plays(db_session):
    now = now_of(db_session)
    for asset_id in range(1, 13):
        add_recording(db_session, asset_id, artist_address(asset_id))
    new = add_account(db_session, now - timedelta(hours=3))
    old = add_account(db_session, now - timedelta(days=60))
    diverse = add_account(db_session, now - timedelta(days=60), verified=True, wallet=artist_address(90))
    flagged = add_account(db_session, now - timedelta(days=60), verified=True, wallet=artist_address(91))
    for listener in (new, old, flagged):
        add_plays(db_session, [(listener, 1, now - timedelta(hours=1))])
    add_plays(db_session, [(diverse, a, now - timedelta(hours=a)) for a in range(1, 13)])
    add_plays(db_session, [(flagged, 1, now - timedelta(minutes=m)) for m in range(2, 5)], counted=False)
    inputs = repository.trust_inputs(db_session, [new, old, diverse, flagged], now - timedelta(days=30), now)
    scores = {k: service.trust(v, now) for k, v in inputs.items()}

    assert scores[new] < 0.05 < scores[old] < scores[diverse] == pytest.approx(1.0)
    # Three of its four plays were flagged: a quarter of its trust is left.
    assert scores[flagged] == pytest.approx(0.25 * (0.45 + 0.03 + 0.15 + 0.10))


def test_a_rising_recording_beats_a_fading_one_with_the_same_listeners(db_session):
    now = now_of(db_session)
    add_recording(db_session, 1, artist_address(1))
    add_recording(db_session, 2, artist_address(2))
    fans = [add_account(db_session, now - timedelta(days=100 + i), verified=True) for i in range(8)]
    add_plays(db_session, [(f, 1, now - timedelta(days=6, hours=i)) for i, f in enumerate(fans)])
    add_plays(db_session, [(f, 2, now - timedelta(hours=2 + i)) for i, f in enumerate(fans)])
    _refresh(db_session, now)

    ranked = repository.entries(db_session, "v1", "recording", "7d", "", "", 10)
    assert [e.entity for e in ranked] == ["2", "1"]
    assert ranked[0].listeners == ranked[1].listeners == 8
    assert ranked[0].score > 1.5 * ranked[1].score


def test_editions_trend_by_trusted_distinct_buyers_in_the_window(db_session):
    now = now_of(db_session)
    artist = artist_address(1)
    add_recording(db_session, 1, artist)
    add_recording(db_session, 2, artist_address(2))
    buyers = [artist_address(100 + i) for i in range(3)]
    for i, wallet in enumerate(buyers):
        add_account(db_session, now - timedelta(days=200 + i), verified=True, wallet=wallet)
    # Edition 1: three trusted buyers this week; edition 2: one buyer twice, plus its creator and an old sale.
    add_edition(db_session, 1, 1, artist, [(b, now - timedelta(days=2)) for b in buyers])
    add_edition(db_session, 2, 2, artist_address(2), [(buyers[0], now - timedelta(hours=3)),
                                                      (buyers[0], now - timedelta(hours=2)),
                                                      (artist_address(2), now - timedelta(hours=1)),
                                                      (buyers[1], now - timedelta(days=20))], first_block=2000)
    _refresh(db_session, now)

    week = repository.entries(db_session, "v1", "edition", "7d", "", "", 10)
    buyer_trust = 0.45 + 0.15 + 0.10  # old, verified, a wallet; no plays (no diversity)
    # Edition 2 counts one buyer: the repeat purchase is the same buyer, the creator's own mint and the old sale
    # do not count.
    assert [(e.entity, e.score) for e in week] == [("1", pytest.approx(3 * service.BUYER_WEIGHT * buyer_trust)),
                                                   ("2", pytest.approx(service.BUYER_WEIGHT * buyer_trust))]
    assert [e.listeners for e in week] == [3, 1]
    assert [e.entity for e in repository.entries(db_session, "v1", "edition", "24h", "", "", 10)] == ["2"]


def test_likes_reposts_and_genres_enter_the_lists(db_session):
    now = now_of(db_session)
    add_recording(db_session, 1, artist_address(1))
    add_recording(db_session, 2, artist_address(2))
    fans = [add_account(db_session, now - timedelta(days=100 + i), verified=True) for i in range(4)]
    add_plays(db_session, [(f, 1, now - timedelta(hours=3)) for f in fans])
    add_plays(db_session, [(fans[0], 2, now - timedelta(hours=3))])
    reposts = [Engagement(f, 2, likes=1, reposts=1, last_at=now - timedelta(hours=1)) for f in fans]
    _refresh(db_session, now, engagement=lambda since: reposts, genres={1: ["house"], 2: ["jazz", "house"]})

    # Likes and reposts lift recording 2 above 1, which has the same listeners by plays only.
    assert _top(db_session, "v2", "7d") == ["2", "1"]
    assert [e.entity for e in repository.entries(db_session, "v2", "recording", "7d", "jazz", "", 10)] == ["2"]
    assert [e.entity for e in repository.entries(db_session, "v2", "recording", "7d", "house", "", 10)] == ["2", "1"]
    # Formula versions are side by side: v0 and v1 count plays only.
    assert _top(db_session, "v0", "7d") == ["1", "2"]
    assert _top(db_session, "v1", "7d") == ["1", "2"]


def test_the_job_runs_once_per_interval_and_the_api_serves_its_lists(db_session, api):
    now = now_of(db_session)
    organic_catalog(db_session, now, listeners=30, recordings=12)
    assert refresh_if_due(db_session, CHAIN_ID, timedelta(minutes=5)) is not None
    assert refresh_if_due(db_session, CHAIN_ID, timedelta(minutes=5)) is None  # not due again yet
    db_session.commit()  # the api fixture's sessions share the test's rolled-back connection
    run = db_session.get(TrendingRun, "v2")

    body = api.get("/v1/trending", params={"kind": "recording", "window": "7d", "limit": 5}).json()
    assert body["formula_version"] == "v2" and body["computed_at"] is not None
    assert [item["rank"] for item in body["items"]] == [1, 2, 3, 4, 5]
    assert body["items"][0]["asset_id"] == 1 and body["items"][0]["score"] > body["items"][4]["score"]
    assert run.entries > 0
    artists = api.get("/v1/trending", params={"kind": "artist", "window": "30d"}).json()["items"]
    assert artists and all(item["artist"].startswith("0x") for item in artists)

    bad = api.get("/v1/trending", params={"window": "1y"})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    assert "window" in bad.text



def test_lists_per_territory_count_the_plays_from_that_country(db_session, api):
    now = now_of(db_session)
    for asset_id in (1, 2, 3):
        add_recording(db_session, asset_id, artist_address(asset_id))
    germans = [add_account(db_session, now - timedelta(days=100 + i), verified=True) for i in range(4)]
    french = [add_account(db_session, now - timedelta(days=100 + i), verified=True) for i in range(2)]
    add_plays(db_session, [(f, 1, now - timedelta(hours=3)) for f in germans])
    add_plays(db_session, [(f, 2, now - timedelta(hours=3)) for f in french])
    add_plays(db_session, [(french[0], 3, now - timedelta(hours=2))])
    db_session.execute(text("update plays set country = case when listener_id = any(:de) then 'DE' else 'FR' end"),
                       {"de": germans})
    nobody = add_account(db_session, now - timedelta(days=100), verified=True)
    add_plays(db_session, [(nobody, 3, now - timedelta(hours=2))])  # no country known: counted everywhere only
    _refresh(db_session, now, engagement=lambda since: [Engagement(f, 3, 1, 1, now - timedelta(hours=1))
                                                        for f in french])

    def top(territory, kind="recording", version="v2"):
        return [e.entity for e in repository.entries(db_session, version, kind, "7d", "", territory, 10)]

    assert set(top("")) == {"1", "2", "3"}
    assert top("DE") == ["1"]
    # In France recording 3 has one player but two accounts that liked and reposted it.
    assert top("FR") == ["3", "2"] and top("FR", version="v1") == ["2", "3"]
    assert top("FR", kind="artist") == [artist_address(3), artist_address(2)]
    assert top("US") == []
    db_session.commit()
    body = api.get("/v1/trending", params={"territory": "DE", "window": "7d"}).json()
    assert body["territory"] == "DE" and [i["asset_id"] for i in body["items"]] == [1]
