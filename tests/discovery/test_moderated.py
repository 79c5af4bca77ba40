"""Posts and accounts are searchable through the same outbox; what moderation hides, deletes or suspends leaves
search, trending and recommendations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from discovery.recommendations import service as recommendations
from discovery.search import service
from discovery.search.backend import SearchQuery
from discovery.trending import repository as trending_repository
from discovery.trending import service as trending
from harmoni.settings import Settings
from identity.models import User, Wallet
from social import moderation, posts
from social.models import Visibility
from tests.discovery.factories import CHAIN_ID, artist, index_assets
from tests.discovery.listening import add_account, add_plays, add_recording, artist_address, now_of
from tests.social.factories import account

ADA = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(_env_file=None, env="test", database_url="postgresql://unused@127.0.0.1:1/x",
                    data_dir=tmp_path / "var", redis_url="")


def _found(sessions, settings, text: str, *kinds: str) -> set[tuple[str, str]]:
    with sessions() as session:
        hits = service.search(session, settings, SearchQuery(text, kinds=kinds or SearchQuery.kinds)).hits
    return {(h.kind, h.ref) for h in hits}


def test_posts_and_accounts_are_found_and_leave_the_index_when_hidden_deleted_or_suspended(sessions, settings):
    with sessions.begin() as session:
        ada = artist(session, "Ada Moreau", ADA)
        index_assets(session, [(1, "recording", ADA, "Blue Hour", {})])
        posts.set_profile(session, ada.id, "ada_moreau", None)
        admin, fan = account(session, "admin"), account(session, "fan", handle="lagoon_fan")
        posts.set_profile(session, fan.id, "lagoon_fan", None)  # a handle change announces itself too
        author = session.get(User, ada.id)
        tour = posts.create_post(session, settings, author, "Tour dates for the lagoon summer", "public", None, [])
        spam = posts.create_post(session, settings, author, "Lagoon giveaway, click here", "public", None, [])
        gone = posts.create_post(session, settings, author, "Lagoon demo, soon deleted", "public", None, [])
        private = posts.create_post(session, settings, author, "Lagoon, followers only", Visibility.followers,
                                    None, [])
    service.drain(sessions, settings, CHAIN_ID)
    assert _found(sessions, settings, "lagoon", "post") == {("post", str(tour.id)), ("post", str(spam.id)),
                                                             ("post", str(gone.id))}  # not the followers' post
    assert _found(sessions, settings, "ada", "user") == {("user", str(ada.id))}
    assert ("user", str(fan.id)) in _found(sessions, settings, "lagoon_fan")
    assert private.visibility == "followers"

    with sessions.begin() as session:
        report = moderation.report(session, fan.id, "post", str(spam.id), "spam")
        moderation.act(session, settings, session.get(User, admin.id), report.id, "hide")
        posts.delete_post(session, session.get(User, ada.id), gone.id)
    service.drain(sessions, settings, CHAIN_ID)
    assert _found(sessions, settings, "lagoon", "post") == {("post", str(tour.id))}

    with sessions.begin() as session:
        moderation.suspend(session, ada.id)
    service.drain(sessions, settings, CHAIN_ID)
    # The suspended artist: account, artist profile, recordings and posts are gone; the fan is still there.
    assert _found(sessions, settings, "ada") == set()
    assert _found(sessions, settings, "blue hour") == set()
    assert _found(sessions, settings, "lagoon") == {("user", str(fan.id))}
    with sessions() as session:
        check = service.check(session, settings, CHAIN_ID)
    assert check.matches and check.expected.get("post", 0) == 0 and check.expected["user"] == 1, check.as_text()
    # A rebuild from the database agrees.
    assert service.reindex(sessions, settings, CHAIN_ID) == 1


def test_a_suspended_artists_recordings_leave_trending_and_recommendations(db_session):
    now = now_of(db_session)
    suspended, kept = artist_address(1), artist_address(2)
    add_recording(db_session, 1, suspended)
    add_recording(db_session, 2, kept)
    owner = add_account(db_session, now - timedelta(days=400), wallet=suspended)
    fans = [add_account(db_session, now - timedelta(days=100 + i), verified=True) for i in range(5)]
    add_plays(db_session, [(f, a, now - timedelta(hours=2 + a)) for f in fans for a in (1, 2)])
    newcomer = add_account(db_session, now)
    before = recommendations.recommend(db_session, CHAIN_ID, newcomer, 5)
    assert [i.asset_id for i in before.for_you] == [1, 2]
    moderation.suspend(db_session, owner)
    trending.refresh(db_session, CHAIN_ID, genres={}, engagement=lambda since: [], now=now)

    for version in trending.VERSIONS:
        assert [e.entity for e in trending_repository.entries(db_session, version, "recording", "7d", "", "", 10)
                ] == ["2"]
    assert [i.asset_id for i in recommendations.recommend(db_session, CHAIN_ID, newcomer, 5).for_you] == [2]
    with pytest.raises(recommendations.RecordingNotFound):
        recommendations.related_recordings(db_session, CHAIN_ID, 1, 5)
    assert db_session.scalar(select(Wallet.user_id).where(Wallet.address == suspended)) == owner


def test_the_api_searches_posts_and_users_by_their_plural_names(sessions, settings, api):
    with sessions.begin() as session:
        ada = artist(session, "Ada Moreau", ADA)
        posts.set_profile(session, ada.id, "ada_moreau", None)
        note = posts.create_post(session, settings, session.get(User, ada.id), "Moreau live at the harbour",
                                 "public", None, [])
    service.drain(sessions, api.app.state.context.settings, CHAIN_ID)
    body = api.get("/v1/search", params={"q": "moreau", "type": "posts,users"}).json()
    assert {(h["kind"], h["ref"]) for h in body["data"]} == {("post", str(note.id)), ("user", str(ada.id))}
    bad = api.get("/v1/search", params={"q": "moreau", "type": "posts,tweets"})
    assert bad.status_code == 422 and "tweets" in bad.json()["detail"]
