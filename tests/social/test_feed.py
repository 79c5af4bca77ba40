"""Home feeds: the cached path equals the SQL path after random activity; reposts shown once under the first
reposter; blocked, muted and hidden content never appears; a cold reader gets the SQL answer."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import redis
from sqlalchemy import func, select

from harmoni.settings import Settings
from social import feed, feed_sql, graph, moderation, posts, service
from social.models import Post, Release, Repost
from tests.social.factories import account, post

CACHE_ITEMS = 20


@pytest.fixture
def settings(redis_url, database_url) -> Settings:
    return Settings(_env_file=None, env="test", database_url=database_url, redis_url=redis_url,
                    social_feed_cache_items=CACHE_ITEMS, social_feed_cache_fresh_s=0)


def _all(db, settings, viewer, use_cache: bool, limit: int = 7) -> list[str]:
    keys, after, sources = [], None, set()
    while True:
        page = feed.home(db, settings, viewer, after, limit, use_cache=use_cache)
        keys += [item.key for item in page.items]
        sources.add(page.source)
        after = page.next_cursor
        if after is None:
            return keys


class Clock:
    """Distinct times from the database's now on (rows written later never carry earlier times than the
    transactions that wrote them started, which the cache's mark relies on)."""

    def __init__(self, db) -> None:
        self.at = db.scalar(select(func.now()))

    def tick(self) -> datetime:
        self.at += timedelta(seconds=1)
        return self.at


def _scanned(db, settings, viewer, monkeypatch) -> list[str]:
    """The SQL feed read in the shape of a reader of many accounts (one scan newest first)."""
    with monkeypatch.context() as patch:
        patch.setattr(feed_sql, "LATERAL_MAX_FOLLOWEES", 0)
        assert feed_sql.shape_for(db, viewer) == "scan"
        return _all(db, settings, viewer, False)


def test_cached_and_sql_feeds_are_equal_after_random_activity(db_session, settings, monkeypatch):
    db, rng, clock = db_session, random.Random(15), Clock(db_session)
    viewer = account(db)
    artists = [account(db, "artist") for _ in range(8)]
    blocked, muted = artists[6], artists[7]
    for artist in [*artists[:5], blocked, muted]:
        graph.follow(db, viewer.id, artist.id)
    graph.block(db, viewer.id, blocked.id)
    graph.mute(db, viewer.id, muted.id)
    db.commit()
    made: list[Post] = []
    for round_ in range(6):
        for _ in range(20):
            choice = rng.random()
            actor = rng.choice(artists)
            if choice < 0.5 or not made:
                row = post(db, actor, f"post {round_}", created_at=clock.tick(),
                           visibility=rng.choice(["public", "public", "followers"]))
                made.append(row)
            elif choice < 0.8:
                target = rng.choice(made)
                if target.author_id != actor.id and target.deleted_at is None and posts.can_see(
                        db, settings, actor.id, target):
                    row, _ = graph.repost(db, settings, actor.id, "post", str(target.id), None)
                    row.created_at = clock.tick()
            elif choice < 0.9:
                db.add(Release(chain_id=settings.chain_id, asset_id=rng.randrange(10**6), artist_id=actor.id,
                               released_at=clock.tick()))
            elif (target := rng.choice(made)).deleted_at is None:
                service.delete_post(db, settings, db.get(type(actor), target.author_id), target.id)
            db.flush()
        db.commit()
        cached, sql = _all(db, settings, viewer.id, True), _all(db, settings, viewer.id, False)
        assert cached == sql, f"round {round_}"
        assert _scanned(db, settings, viewer.id, monkeypatch) == sql, f"round {round_}"
        shown = {uuid.UUID(i.actor_id) for i in feed.home(db, settings, viewer.id, None, 100, use_cache=False).items}
        assert not shown & {blocked.id, muted.id, artists[5].id}
    assert len(sql) > CACHE_ITEMS  # the later pages came from SQL past the cache
    assert feed.home(db, settings, viewer.id, None, 5).source == "cache"
    subjects = [i.subject_id for i in feed.home(db, settings, viewer.id, None, 500, use_cache=False).items
                if i.kind == "repost"]
    assert len(subjects) == len(set(subjects))  # a subject reposted by several followees is shown once


def test_a_repost_is_shown_under_its_first_reposter(db_session, settings, monkeypatch):
    db = db_session
    viewer, author, first, second = account(db), account(db, "artist"), account(db, "artist"), account(db, "artist")
    original = post(db, author, "original", created_at=datetime(2026, 11, 1, tzinfo=UTC))
    for who, day in ((second, 3), (first, 2)):
        row, _ = graph.repost(db, settings, who.id, "post", str(original.id), "listen")
        row.created_at = datetime(2026, 11, day, tzinfo=UTC)
    graph.follow(db, viewer.id, first.id)
    graph.follow(db, viewer.id, second.id)
    db.commit()
    items = feed.home(db, settings, viewer.id, None, 10).items
    assert [(i.kind, uuid.UUID(i.actor_id)) for i in items] == [("repost", first.id)]
    assert _scanned(db, settings, viewer.id, monkeypatch) == [items[0].key]
    assert db.query(Repost).filter(Repost.subject_id == str(original.id)).count() == 2


def test_hidden_posts_leave_feeds_and_timelines_and_cached_feeds_follow(db_session, settings):
    db = db_session
    viewer, artist, admin, reporter = account(db), account(db, "artist"), account(db, "admin"), account(db)
    graph.follow(db, viewer.id, artist.id)
    row = post(db, artist, "rude")
    db.commit()
    assert [i.subject_id for i in feed.home(db, settings, viewer.id, None, 10).items] == [str(row.id)]  # cached
    report = moderation.report(db, reporter.id, "post", str(row.id), "insulting")
    moderation.act(db, settings, admin, report.id, "hide")
    db.commit()
    assert feed.home(db, settings, viewer.id, None, 10).items == []
    assert feed.timeline(db, settings, None, artist.id, None, 10).items == []
    with pytest.raises(Exception, match="no post"):
        posts.visible_post(db, settings, viewer.id, row.id)
    assert moderation.queue(db, "open", 10) == []
    assert moderation.queue(db, "actioned", 10)[0].action == "hide"


def test_a_suspended_account_disappears_from_feeds(db_session, settings):
    db = db_session
    viewer, artist = account(db), account(db, "artist")
    graph.follow(db, viewer.id, artist.id)
    post(db, artist, "hello")
    db.commit()
    assert len(feed.home(db, settings, viewer.id, None, 10).items) == 1
    moderation.suspend(db, artist.id)
    service_forget = feed.forget_everyone
    service_forget(db, settings)
    db.commit()
    assert feed.home(db, settings, viewer.id, None, 10).items == []


def test_a_cold_reader_without_redis_gets_the_sql_feed(db_session, database_url):
    db = db_session
    settings = Settings(_env_file=None, env="test", database_url=database_url, redis_url="")
    viewer, artist = account(db), account(db, "artist")
    graph.follow(db, viewer.id, artist.id)
    post(db, artist, "hi")
    page = feed.home(db, settings, viewer.id, None, 10)
    assert (page.source, len(page.items)) == ("sql", 1)


def test_a_redis_outage_falls_back_to_sql(db_session, database_url):
    db = db_session
    settings = Settings(_env_file=None, env="test", database_url=database_url, redis_url="redis://127.0.0.1:1/0")
    viewer, artist = account(db), account(db, "artist")
    graph.follow(db, viewer.id, artist.id)
    post(db, artist, "hi")
    with pytest.raises(redis.RedisError):
        redis.Redis.from_url(settings.redis_url, socket_connect_timeout=0.2).ping()
    page = feed.home(db, settings, viewer.id, None, 10)
    assert (page.source, len(page.items)) == ("sql", 1)


def test_a_cache_topped_up_a_moment_ago_answers_alone_but_removals_show_at_once(db_session, settings):
    db = db_session
    settings = settings.model_copy(update={"social_feed_cache_fresh_s": 3600})  # "a moment" is an hour here
    viewer, artist = account(db), account(db, "artist")
    graph.follow(db, viewer.id, artist.id)
    first = post(db, artist, "first")
    db.commit()
    assert [i.subject_id for i in feed.home(db, settings, viewer.id, None, 10).items] == [str(first.id)]
    post(db, artist, "second")
    db.commit()
    page = feed.home(db, settings, viewer.id, None, 10)
    assert (page.source, [i.subject_id for i in page.items]) == ("cache", [str(first.id)])  # SQL not asked
    assert len(feed.home(db, settings, viewer.id, None, 10, use_cache=False).items) == 2
    service.delete_post(db, settings, db.get(type(artist), artist.id), first.id)
    db.commit()  # a deletion moves the epoch: the cache rebuilds from SQL at once
    assert [i.subject_id for i in feed.home(db, settings, viewer.id, None, 10).items] != [str(first.id)]
