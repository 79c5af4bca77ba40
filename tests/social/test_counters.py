"""Counters stay exact under concurrency: 10,000 random follows, unfollows, likes and unlikes from 8 threads, then
every counter equals a recount of the edges."""

from __future__ import annotations

import random
import threading

from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker

from harmoni.db import normalize_url
from harmoni.settings import Settings
from identity.models import User
from social import graph
from social.models import Follow, Like, SocialCounter
from tests.social.factories import account, post

THREADS, OPS, PER_TRANSACTION = 8, 10_000, 1


def _recount(session) -> dict[tuple[str, str, str], int]:
    expected: dict[tuple[str, str, str], int] = {}
    for followee, n in session.execute(select(Follow.followee_id, func.count()).group_by(Follow.followee_id)):
        expected[("account", str(followee), "followers")] = n
    for follower, n in session.execute(select(Follow.follower_id, func.count()).group_by(Follow.follower_id)):
        expected[("account", str(follower), "following")] = n
    for kind, subject, n in session.execute(select(Like.subject_type, Like.subject_id, func.count())
                                            .group_by(Like.subject_type, Like.subject_id)):
        expected[(kind, subject, "likes")] = n
    for user, n in session.execute(select(Like.user_id, func.count()).group_by(Like.user_id)):
        expected[("account", str(user), "likes")] = n
    return expected


def test_counters_equal_a_recount_after_concurrent_random_edges(fresh_db):
    url = fresh_db()
    # Commits not waiting for the WAL flush (the server's own setting, per connection): the same locks and
    # isolation, without 10,000 fsyncs of a test machine's disk.
    engine = create_engine(normalize_url(url), pool_size=THREADS, connect_args={"options": "-c synchronous_commit=off"})
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    settings = Settings(_env_file=None, env="test", database_url=url)
    with sessions.begin() as session:
        users = [account(session, "artist").id for _ in range(200)]
        author = session.get(User, users[0])
        post_ids = [str(post(session, author).id) for _ in range(50)]
    errors: list[BaseException] = []
    applied = [0] * THREADS

    def worker(index: int) -> None:
        rng = random.Random(index)
        done = 0
        while done < OPS // THREADS:
            batch = [(rng.choice("ffuLl"), rng.choice(users), rng.choice(users), rng.choice(post_ids))
                     for _ in range(PER_TRANSACTION)]
            try:
                with sessions.begin() as session:
                    for op, a, b, p in batch:
                        if op == "f" and a != b:
                            graph.follow(session, a, b)
                        elif op == "u":
                            graph.unfollow(session, a, b)
                        elif op == "L":
                            graph.like(session, settings, a, "post", p)
                        elif op == "l":
                            graph.unlike(session, a, "post", p)
            except OperationalError as err:  # a deadlock between two batches: the whole batch is retried
                if "deadlock" not in str(err):
                    errors.append(err)
                    return
                continue
            except BaseException as err:  # reported by the main thread
                errors.append(err)
                return
            done += PER_TRANSACTION
        applied[index] = done

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(applied) == OPS
    with sessions() as session:
        counted = {(r.subject_type, r.subject_id, r.counter): r.n for r in session.scalars(select(SocialCounter))}
        expected = _recount(session)
        assert session.scalar(select(func.count()).select_from(Follow)) > 0
        assert session.scalar(select(func.count()).select_from(Like)) > 0
    engine.dispose()
    assert {k: v for k, v in counted.items() if v} == expected
    assert all(v >= 0 for v in counted.values())
