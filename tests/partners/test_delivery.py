"""Fan-out and delivery of webhooks in eager mode, to a real HTTP receiver, with retries and reorgs."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from chain.rpc import JsonRpc
from harmoni import jobs
from harmoni.settings import get_settings
from indexer.runner import INDEXED_CONTRACTS
from indexer.service import Indexer, IndexerConfig
from partners import delivery, tasks
from partners.models import WebhookDelivery, WebhookDeliveryAttempt
from partners.webhooks import verify_signature
from scripts.workload import Workload
from tests.partners.factories import (
    add_block,
    add_event,
    block_hash,
    endpoint,
    published,
    registered,
)

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


def _deliveries(sessions):
    with sessions() as session:
        return list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.created_at,
                                                                     WebhookDelivery.event_type)))


def _attempts(sessions, delivery_id):
    with sessions() as session:
        return list(session.scalars(select(WebhookDeliveryAttempt).where(
            WebhookDeliveryAttempt.delivery_id == delivery_id).order_by(WebhookDeliveryAttempt.attempt)))


def _make_due(sessions):
    """Let time pass: every scheduled retry is due now."""
    with sessions.begin() as session:
        session.execute(update(WebhookDelivery).where(WebhookDelivery.next_attempt_at.is_not(None))
                        .values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1)))


def test_real_chain_events_reach_the_receiver_signed(eager_jobs, sessions, chain, partner, receiver):
    hook = endpoint(sessions, partner.id, receiver.url)
    work = Workload(chain.client.rpc_url, chain.deployment, seed=3)
    work.setup_payouts()
    asset_id = work.next_asset_id()
    work.send([work.register(asset_id)])
    recipients, _ = work.model.assets[asset_id]
    work.send([work.tx(work.model.controllers[asset_id], "RightsRegistry", "updateSplit",
                       [asset_id, recipients[::-1][:1], [1_000_000]])])
    work.send([work.publish_period()])
    config = IndexerConfig(chain_id=31337, start_block=chain.deployment.start_block,
                           addresses={n: chain.deployment.address(n) for n in INDEXED_CONTRACTS})
    Indexer(sessions, JsonRpc(chain.client.rpc_url), config).run_until_caught_up()

    assert tasks.dispatch_chain_events.delay().get() == 3
    bodies = [json.loads(r.body) for r in receiver.requests]
    # The registration's own SplitUpdated (version 1) is not a split change.
    assert [b["type"] for b in bodies] == ["asset.registered", "split.changed", "payout.published"]
    for request, body in zip(receiver.requests, bodies, strict=True):
        assert verify_signature(hook.secret, request.headers["harmoni-signature"], request.body)
        assert not verify_signature("whsec_" + "0" * 48, request.headers["harmoni-signature"], request.body)
        assert request.headers["harmoni-event-id"] == body["id"]
        block = chain.client.w3.eth.get_block(body["block"]["number"])
        assert body["block"]["hash"] == "0x" + bytes(block["hash"]).hex()
    registered_data, split_data, payout_data = (b["data"] for b in bodies)
    assert registered_data["asset_id"] == asset_id and registered_data["controller"] == work.model.controllers[asset_id]
    assert split_data["version"] == 2 and split_data["recipients"] == recipients[::-1][:1]
    assert payout_data["period_id"] == 1 and payout_data["cumulative_total"] == str(work.model.cumulative_total)
    assert {d.status for d in _deliveries(sessions)} == {"succeeded"}

    # Dispatching again reads nothing new and sends nothing again.
    assert tasks.dispatch_chain_events.delay().get() == 0
    assert len(receiver.requests) == 3 and len(_deliveries(sessions)) == 3


def test_failed_attempt_is_logged_and_retried_when_due(eager_jobs, sessions, partner, receiver):
    # Development: the answer of a private address (the receiver on 127.0.0.1) is kept for the partner to read.
    eager_jobs.setenv("HARMONI_ENV", "development")
    get_settings.cache_clear()
    hook = endpoint(sessions, partner.id, receiver.url, events=("payout.published",))
    with sessions.begin() as session:
        add_block(session, 10)
        add_event(session, 10, 0, "PayoutDistributor", "PeriodPublished", published(1))
        add_event(session, 10, 1, "RightsRegistry", "AssetRegistered", registered(1))  # not subscribed
    receiver.statuses = [500]
    before = datetime.now(UTC)
    tasks.dispatch_chain_events.delay()

    [failed] = _deliveries(sessions)
    assert (failed.status, failed.attempts, failed.last_status_code) == ("pending", 1, 500)
    assert before + timedelta(seconds=29) < failed.next_attempt_at < datetime.now(UTC) + timedelta(seconds=31)
    [first] = _attempts(sessions, failed.id)
    assert (first.succeeded, first.status_code, first.error) == (False, 500, "HTTP 500")
    assert first.response_excerpt.startswith("receiver exploded") and len(first.response_excerpt) == 1000

    tasks.dispatch_chain_events.delay()  # not due yet: nothing is sent
    assert len(receiver.requests) == 1
    _make_due(sessions)
    tasks.dispatch_chain_events.delay()
    [done] = _deliveries(sessions)
    assert (done.status, done.attempts, done.last_status_code, done.next_attempt_at) == ("succeeded", 2, 200, None)
    assert [a.succeeded for a in _attempts(sessions, done.id)] == [False, True]
    first_body, second_body = (r.body for r in receiver.requests)
    assert first_body == second_body and json.loads(second_body)["data"]["cumulative_total"] == str(10**30 + 7)
    assert verify_signature(hook.secret, receiver.requests[1].headers["harmoni-signature"], second_body)


def test_delivery_is_given_up_after_the_last_retry(eager_jobs, sessions, partner, receiver):
    endpoint(sessions, partner.id, receiver.url)
    with sessions.begin() as session:
        add_block(session, 5)
        add_event(session, 5, 0, "RightsRegistry", "AssetRegistered", registered(1))
    receiver.statuses = [503] * delivery.MAX_ATTEMPTS
    tasks.dispatch_chain_events.delay()
    for _ in range(delivery.MAX_ATTEMPTS - 1):
        _make_due(sessions)
        tasks.dispatch_chain_events.delay()
    [given_up] = _deliveries(sessions)
    assert (given_up.status, given_up.attempts, given_up.next_attempt_at) == ("failed", 6, None)
    _make_due(sessions)
    tasks.dispatch_chain_events.delay()
    assert len(receiver.requests) == delivery.MAX_ATTEMPTS


def test_unreachable_endpoint_is_logged_without_a_status(eager_jobs, sessions, partner):
    from tests.conftest import free_port

    endpoint(sessions, partner.id, f"http://127.0.0.1:{free_port()}/nobody-listens")
    with sessions.begin() as session:
        add_block(session, 5)
        add_event(session, 5, 0, "RightsRegistry", "AssetRegistered", registered(1))
    tasks.dispatch_chain_events.delay()
    [pending] = _deliveries(sessions)
    [attempt] = _attempts(sessions, pending.id)
    assert pending.status == "pending" and attempt.status_code is None and "ConnectError" in attempt.error


def test_with_celery_a_failure_is_retried_by_a_delayed_task(eager_jobs, sessions, partner, receiver, redis_url):
    endpoint(sessions, partner.id, receiver.url)
    with sessions.begin() as session:
        add_block(session, 5)
        add_event(session, 5, 0, "RightsRegistry", "AssetRegistered", registered(1))
    receiver.statuses = [500, 500]
    tasks.dispatch_chain_events.delay()  # eager: the first attempt happens inline, and fails
    [pending] = _deliveries(sessions)
    _make_due(sessions)
    scheduled = []
    eager_jobs.setattr(tasks.deliver, "apply_async", lambda args, countdown: scheduled.append((args, countdown)))
    jobs.configure(get_settings().model_copy(update={"redis_url": redis_url}))
    try:
        assert tasks.deliver.run(str(pending.id)) == "pending"  # the task body, as a worker runs it
    finally:
        jobs.configure(get_settings())
    # Second failure: the retry waits the second delay and is handed to Celery, not slept on.
    assert scheduled == [((str(pending.id),), delivery.RETRY_DELAYS_S[1])]
    assert len(receiver.requests) == 2


def test_a_reorg_cancels_removed_events_and_delivers_their_replacements(eager_jobs, sessions, partner, receiver):
    endpoint(sessions, partner.id, receiver.url)
    with sessions.begin() as session:
        add_block(session, 20, final=False)
        add_event(session, 20, 0, "RightsRegistry", "AssetRegistered", registered(1))
        add_block(session, 21)
        add_event(session, 21, 0, "RightsRegistry", "AssetRegistered", registered(2))
    receiver.statuses = [500, 500]  # both wait for a retry
    tasks.dispatch_chain_events.delay()
    assert len(_deliveries(sessions)) == 2

    # Blocks 20 and 21 are replaced; asset 2 is now registered in block 20 of the new fork, asset 3 in 21.
    from indexer.models import ChainEvent

    with sessions.begin() as session:
        session.query(ChainEvent).filter(ChainEvent.block_number >= 20).delete()
        add_block(session, 20, "b")
        add_event(session, 20, 0, "RightsRegistry", "AssetRegistered", registered(2), fork="b")
        add_block(session, 21, "b")
        add_event(session, 21, 0, "RightsRegistry", "AssetRegistered", registered(3), fork="b")
    _make_due(sessions)
    tasks.dispatch_chain_events.delay()

    by_block = {(bytes(d.block_hash), d.log_index): d for d in _deliveries(sessions)}
    assert {k: d.status for k, d in by_block.items()} == {
        (block_hash(20), 0): "cancelled", (block_hash(21), 0): "cancelled",
        (block_hash(20, "b"), 0): "succeeded", (block_hash(21, "b"), 0): "succeeded"}
    delivered = [json.loads(r.body) for r in receiver.requests[2:]]
    assert [(b["data"]["asset_id"], b["block"]["hash"]) for b in delivered] == [
        (2, "0x" + block_hash(20, "b").hex()), (3, "0x" + block_hash(21, "b").hex())]


def test_a_replay_of_the_mirror_neither_cancels_nor_repeats_deliveries(eager_jobs, sessions, partner, receiver):
    from indexer.models import ChainEvent
    from indexer.store import save_checkpoint

    endpoint(sessions, partner.id, receiver.url)
    with sessions.begin() as session:
        add_block(session, 30)
        add_event(session, 30, 0, "RightsRegistry", "AssetRegistered", registered(9))
    receiver.statuses = [500]
    tasks.dispatch_chain_events.delay()
    # `harmoni indexer replay --from-block 30`: the rows go, the checkpoint steps back, then the same rows return.
    with sessions.begin() as session:
        session.query(ChainEvent).filter(ChainEvent.block_number >= 30).delete()
        save_checkpoint(session, 31337, 29, block_hash(29))
    _make_due(sessions)
    tasks.dispatch_chain_events.delay()
    [waiting] = _deliveries(sessions)
    assert (waiting.status, waiting.attempts, len(receiver.requests)) == ("pending", 1, 1)
    with sessions.begin() as session:
        add_block(session, 30)
        add_event(session, 30, 0, "RightsRegistry", "AssetRegistered", registered(9))
    tasks.dispatch_chain_events.delay()
    [done] = _deliveries(sessions)
    assert (done.status, done.attempts, len(receiver.requests)) == ("succeeded", 2, 2)


def test_with_celery_only_retries_overdue_past_the_grace_are_handed_out_again(eager_jobs, sessions, partner,
                                                                                receiver):
    endpoint(sessions, partner.id, receiver.url)
    with sessions.begin() as session:
        add_block(session, 5)
        add_event(session, 5, 0, "RightsRegistry", "AssetRegistered", registered(1))
        add_event(session, 5, 1, "RightsRegistry", "AssetRegistered", registered(2))
    receiver.statuses = [500, 500]
    tasks.dispatch_chain_events.delay()
    now = datetime.now(UTC)
    recent, lost = _deliveries(sessions)
    with sessions.begin() as session:  # one retry is 30 s late (its delayed task is still coming), one 5 min
        session.execute(update(WebhookDelivery).where(WebhookDelivery.id == recent.id)
                        .values(next_attempt_at=now - timedelta(seconds=30)))
        session.execute(update(WebhookDelivery).where(WebhookDelivery.id == lost.id)
                        .values(next_attempt_at=now - timedelta(minutes=5)))
    for expected in ([lost.id], []):  # handed out once, then not again until the grace has passed anew
        with sessions.begin() as session:
            result = delivery.dispatch(session, 31337, now, retry_grace=tasks.LOST_TASK_AFTER,
                                       max_deliveries=tasks.CELERY_DELIVERIES_PER_RUN)
        assert result.to_deliver == expected


def test_with_celery_each_delivery_is_a_task_of_its_own_on_the_webhooks_queue(eager_jobs, sessions, partner,
                                                                              receiver, redis_url):
    import redis

    endpoint(sessions, partner.id, receiver.url)
    endpoint(sessions, partner.id, receiver.url + "/second")
    with sessions.begin() as session:
        add_block(session, 5)
        add_event(session, 5, 0, "RightsRegistry", "AssetRegistered", registered(1))
    jobs.configure(get_settings().model_copy(update={"redis_url": redis_url}))
    try:
        assert tasks.dispatch_chain_events.run() == 2  # queued after the commit, none sent from here
    finally:
        jobs.configure(get_settings())
    ids = {str(d.id) for d in _deliveries(sessions)}
    client = redis.Redis.from_url(redis_url)
    ours = []
    for raw in client.lrange(tasks.QUEUE, 0, -1):
        message = json.loads(raw)
        if any(i in message["headers"].get("argsrepr", "") for i in ids):
            ours.append(message)
            client.lrem(tasks.QUEUE, 1, raw)
    assert sorted(m["headers"]["task"] for m in ours) == ["partners.deliver"] * 2
    assert receiver.requests == []
