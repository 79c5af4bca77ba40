"""Related recordings and artists from listening sessions; ALS recommendations with their filters."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import text

from content.models import RecordingGate
from discovery.recommendations import als, service
from discovery.recommendations.models import RecommendationModel
from discovery.recommendations.tasks import rebuild_related_if_due, train_if_due
from harmoni.settings import Settings
from tests.discovery.listening import (
    CHAIN_ID,
    add_account,
    add_plays,
    add_recording,
    artist_address,
    now_of,
    tag_genres,
)
from tests.identity.factories import make_user

HISTORY = timedelta(days=90)
PARAMS = als.AlsParams(factors=8, iterations=10)


def _fan(db, now, i=0):
    return add_account(db, now - timedelta(days=100 + i), verified=True)


def test_related_recordings_come_from_sessions_split_at_30_minute_gaps(db_session):
    now = now_of(db_session)
    for asset_id in (1, 2, 3, 4):
        add_recording(db_session, asset_id, artist_address(asset_id))
    plays = []
    for i in range(3):  # three listeners play 1 then 2 within minutes; 3 comes an hour after 2
        fan = _fan(db_session, now, i)
        start = now - timedelta(days=2, hours=i)
        plays += [(fan, 1, start), (fan, 2, start + timedelta(minutes=4)), (fan, 3, start + timedelta(minutes=70))]
    add_plays(db_session, plays)
    service.rebuild_related(db_session, CHAIN_ID, HISTORY)

    related = service.related_recordings(db_session, CHAIN_ID, 1, 10)
    assert [(i.asset_id, i.source) for i in related] == [(2, "sessions")]
    assert related[0].score == pytest.approx(1.0)  # every listener of 1 played 2 in the same session
    assert service.related_recordings(db_session, CHAIN_ID, 3, 10) == []  # never in a session with the others


def test_cold_recordings_fall_back_to_the_artists_other_streamable_recordings(db_session):
    now = now_of(db_session)
    artist = artist_address(1)
    for asset_id in (1, 2, 3, 4):
        add_recording(db_session, asset_id, artist, frozen=asset_id == 4)
    add_recording(db_session, 5, artist_address(2))
    add_plays(db_session, [(_fan(db_session, now, i), 3, now - timedelta(hours=i + 1)) for i in range(2)])
    db_session.add(RecordingGate(chain_id=CHAIN_ID, asset_id=2, edition_id=1,
                                 set_by=_fan(db_session, now)))  # exclusive: not for everyone
    db_session.flush()
    service.rebuild_related(db_session, CHAIN_ID, HISTORY)

    related = service.related_recordings(db_session, CHAIN_ID, 1, 10)
    assert [(i.asset_id, i.source) for i in related] == [(3, "artist")]  # not gated 2, not frozen 4, not 5
    with pytest.raises(service.RecordingNotFound):
        service.related_recordings(db_session, CHAIN_ID, 4, 10)  # frozen: hidden


def test_related_artists_share_listeners(db_session):
    now = now_of(db_session)
    a, b, c = artist_address(1), artist_address(2), artist_address(3)
    for asset_id, artist in ((1, a), (2, b), (3, c)):
        add_recording(db_session, asset_id, artist)
    fans = [_fan(db_session, now, i) for i in range(4)]
    add_plays(db_session, [(f, 1, now - timedelta(days=1)) for f in fans]
              + [(f, 2, now - timedelta(days=3)) for f in fans[:3]] + [(fans[3], 3, now - timedelta(days=5))])
    service.rebuild_related(db_session, CHAIN_ID, HISTORY)

    related = service.related_artists(db_session, CHAIN_ID, a, 10)
    assert [(artist, listeners) for artist, _, listeners in related] == [(b, 3), (c, 1)]
    assert related[0][1] == pytest.approx(3 / (4 * 3) ** 0.5)


def _genre_world(db, now, *, listeners=40, per_genre=12, genres=3, seed=3):
    """Listeners who each stick to one genre; recordings of a genre by 4 artists of that genre."""
    rng = random.Random(seed)
    catalog = {g: [g * 100 + k for k in range(per_genre)] for g in range(genres)}
    for g, ids in catalog.items():
        for k, asset_id in enumerate(ids):
            add_recording(db, asset_id, artist_address(g * 10 + k % 4))
    fans = {}
    plays = []
    for i in range(listeners):
        g = i % genres
        fan = _fan(db, now, i)
        fans[fan] = g
        for asset_id in rng.sample(catalog[g], 6):
            plays.append((fan, asset_id, now - timedelta(days=rng.uniform(61, 200))))
    add_plays(db, plays)
    return catalog, fans


def test_recommendations_follow_the_listeners_taste_and_keep_the_filters(db_session):
    now = now_of(db_session)
    catalog, fans = _genre_world(db_session, now)
    listener, genre = next(iter(fans.items()))
    recent = catalog[genre][0]
    add_plays(db_session, [(listener, recent, now - timedelta(days=3))])  # played within 60 days: never again
    model = service.train(db_session, CHAIN_ID, timedelta(days=365), PARAMS)
    assert model is not None and model.params["listeners"] == len(fans)

    result = service.recommend(db_session, CHAIN_ID, listener, 20)
    assert not result.cold_start and result.model_version == model.version
    ids = [i.asset_id for i in result.for_you]
    assert recent not in ids
    assert ids and sum(1 for a in ids[:6] if a // 100 == genre) >= 5  # the top is the listener's genre
    for start in range(len(result.for_you)):
        window = [i.artist for i in result.for_you[start:start + 20]]
        assert max(window.count(artist) for artist in window) <= 2
    seed, because = result.because[0]
    assert because and all(i.asset_id != seed.asset_id for i in because)


def test_cold_start_listeners_get_popular_recordings_and_stored_models_are_versioned(db_session):
    now = now_of(db_session)
    for asset_id in range(1, 6):
        add_recording(db_session, asset_id, artist_address(asset_id))
    add_plays(db_session, [(_fan(db_session, now, i), a, now - timedelta(days=2)) for i in range(6)
                           for a in range(1, 7 - i) if a < 6])
    newcomer = add_account(db_session, now)
    result = service.recommend(db_session, CHAIN_ID, newcomer, 3)
    assert result.cold_start and result.model_version is None
    assert [i.asset_id for i in result.for_you] == [1, 2, 3]

    settings = Settings(_env_file=None, env="test", recommendations_factors=4, recommendations_iterations=5)
    first = train_if_due(db_session, settings)
    assert first is not None and train_if_due(db_session, settings) is None  # trained recently: not due
    stored = db_session.get(RecommendationModel, first)
    factors = als.Factors.from_bytes(stored.blob)
    assert factors.item_factors.shape == (5, 4) and stored.algorithm == als.ALGORITHM
    assert rebuild_related_if_due(db_session, settings) is not None


def test_the_api_serves_related_and_recommendations(db_session, api, sessions, api_settings):
    artist = artist_address(1)
    add_recording(db_session, 1, artist)
    add_recording(db_session, 2, artist)
    db_session.commit()
    fan = make_user(sessions, api_settings, "fan")

    related = api.get("/v1/recordings/1/related").json()
    assert related["items"][0]["asset_id"] == 2 and related["items"][0]["source"] == "artist"
    assert api.get("/v1/recordings/77/related").status_code == 404
    assert api.get(f"/v1/artists/{artist.lower()}/related").json() == {"artist": artist, "items": []}
    bad = api.get("/v1/artists/not-an-address/related")
    assert bad.status_code == 422 and "address" in bad.json()["detail"]
    assert api.get(f"/v1/artists/{artist_address(9)}/related").status_code == 404

    mine = api.get("/v1/me/recommendations", headers=fan.headers).json()
    assert mine["cold_start"] is True and mine["new_from_followed"] == []  # follows nobody
    assert api.get("/v1/me/recommendations").status_code == 401


def _genre_catalog(db, now):
    """Jazz 1-3, rock 4-6, techno 7-9 (artists of their own); rock is the most listened, then jazz."""
    for asset_id, genre in enumerate(["jazz"] * 3 + ["rock"] * 3 + ["techno"] * 3, start=1):
        add_recording(db, asset_id, artist_address(asset_id))
        tag_genres(db, asset_id, [genre])
    listeners = {1: 3, 2: 2, 3: 1, 4: 6, 5: 5, 6: 4, 7: 1}
    add_plays(db, [(_fan(db, now, 10 * a + i), a, now - timedelta(days=1)) for a, n in listeners.items()
                   for i in range(n)])


def test_cold_start_is_popular_in_the_genres_of_what_the_listener_likes_and_follows(db_session):
    now = now_of(db_session)
    _genre_catalog(db_session, now)
    newcomer = add_account(db_session, now)
    # Likes a jazz recording; follows the artist of a techno one.
    db_session.execute(text("insert into social_likes (user_id, subject_type, subject_id) "
                            "values (:u, 'recording', '3')"), {"u": newcomer})
    techno_artist = add_account(db_session, now - timedelta(days=300), wallet=artist_address(8))
    db_session.execute(text("insert into social_follows (follower_id, followee_id) values (:a, :b)"),
                       {"a": newcomer, "b": techno_artist})

    result = service.recommend(db_session, CHAIN_ID, newcomer, 6)
    assert result.cold_start and result.genres == ["jazz", "techno"]
    # Jazz and techno take turns (most listened first), then what is popular overall fills the list.
    assert [i.asset_id for i in result.for_you] == [1, 7, 2, 3, 4, 5]
    assert [i.source for i in result.for_you][:3] == ["popular:jazz", "popular:techno", "popular:jazz"]


def test_cold_start_without_any_taste_takes_the_catalogs_top_genres_and_leaves_blocked_artists_out(db_session):
    now = now_of(db_session)
    _genre_catalog(db_session, now)
    newcomer = add_account(db_session, now)
    blocked = add_account(db_session, now - timedelta(days=300), wallet=artist_address(4))
    db_session.execute(text("insert into social_blocks (blocker_id, blocked_id) values (:a, :b)"),
                       {"a": newcomer, "b": blocked})

    result = service.recommend(db_session, CHAIN_ID, newcomer, 4)
    assert result.genres == ["rock", "jazz", "techno"]
    assert [i.asset_id for i in result.for_you] == [1, 7, 5, 2]  # rock leads with 4, whose artist is blocked


def test_new_from_followed_lists_the_last_30_days_of_followed_accounts_releases_newest_first(db_session):
    now = now_of(db_session)
    _genre_catalog(db_session, now)
    fan = add_account(db_session, now)
    followed = add_account(db_session, now - timedelta(days=300), wallet=artist_address(8))
    stranger = add_account(db_session, now - timedelta(days=300), wallet=artist_address(7))
    db_session.execute(text("insert into social_follows (follower_id, followee_id) values (:a, :b)"),
                       {"a": fan, "b": followed})
    add_recording(db_session, 10, artist_address(8))  # the followed artist's second release
    for asset_id, artist, age in ((8, followed, 2), (9, followed, 40), (7, stranger, 1), (10, followed, 5)):
        db_session.execute(text("insert into social_releases (chain_id, asset_id, artist_id, released_at) "
                                "values (:c, :a, :u, :at)"),
                           {"c": CHAIN_ID, "a": asset_id, "u": artist, "at": now - timedelta(days=age)})

    result = service.recommend(db_session, CHAIN_ID, fan, 10)
    assert [i.asset_id for i in result.new_from_followed] == [8, 10]  # 9 is too old, 7's artist is not followed
    assert [i.source for i in result.new_from_followed] == ["followed", "followed"]
    assert result.new_from_followed[0].score > result.new_from_followed[1].score

    db_session.execute(text("insert into social_blocks (blocker_id, blocked_id) values (:a, :b)"),
                       {"a": fan, "b": followed})
    assert service.recommend(db_session, CHAIN_ID, fan, 10).new_from_followed == []  # blocked: left out
