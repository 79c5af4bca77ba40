"""End to end through the API on anvil: a recording registered, a fan plays it, revenue recorded, the period
closed and published, the artist claims through the relayer, an auditor verifies the period."""

from __future__ import annotations

import csv
import io
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from chain.rpc import JsonRpc
from harmoni.db import get_engine
from tests.api.conftest import index_chain
from tests.identity.factories import make_user

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


def _bearer(user) -> dict:
    return {"Authorization": f"Bearer {user.access_token}"}


def _mine_past(chain, moment: datetime) -> None:
    rpc = JsonRpc(chain.client.rpc_url)
    head = chain.client.head()
    rpc.call("evm_setNextBlockTimestamp", [max(int(moment.timestamp()) + 1, head.timestamp + 1)])
    rpc.call("anvil_mine", ["0x46", "0x0"])  # 70 blocks: the block after the period's end becomes final


def test_usage_to_an_audited_claimed_payout(live_api, chain):
    api, settings = live_api, live_api.app.state.context.settings
    sessions = sessionmaker(bind=get_engine(api.database_url))
    admin, fan, auditor = (make_user(sessions, settings, role) for role in ("admin", "fan", "auditor"))
    artist = api.post("/v1/auth/signup", json={"email": "ada@example.org", "password": "correct horse 42!",
                                                "role": "artist"}).json()
    artist_headers = {"Authorization": f"Bearer {artist['access_token']}"}
    wallet = api.post("/v1/me/wallets/custodial", headers=artist_headers).json()["address"]
    registered = api.post("/v1/recordings", headers=artist_headers, json={
        "title": "Blue Hour", "isrc": "US-RC1-76-07839", "content_hash": "0x" + "ab" * 32,
        "split": [{"address": wallet, "share_percent": "100"}]})
    assert registered.status_code == 202, registered.json()
    index_chain(api, chain)
    asset_id = api.get(f"/v1/operations/{registered.json()['id']}", headers=artist_headers).json()["asset_id"]

    # The head block may be minutes old (blocks come with transactions); the next one is stamped with the time.
    now = max(datetime.now(UTC), datetime.fromtimestamp(chain.client.head().timestamp, UTC))
    ends = now + timedelta(seconds=2)
    opened = api.post("/v1/periods", headers=_bearer(admin), json={
        "starts_at": (now - timedelta(hours=1)).isoformat(), "ends_at": ends.isoformat()})
    assert opened.status_code == 201, opened.json()
    period = opened.json()["period_id"]

    session = api.post("/v1/playback-sessions", headers=_bearer(fan), json={"asset_id": asset_id}).json()
    with sessions.begin() as db:  # the fan started listening a minute ago
        db.execute(text("update playback_sessions set started_at = now() - interval '60 seconds' where id = :id"),
                   {"id": session["session_id"]})
    play = api.post("/v1/plays", headers=_bearer(fan), json={"token": session["token"], "played_ms": 45_000})
    assert play.status_code == 201 and play.json()["counted"] is True, play.json()
    revenue = {"source": "subscriptions", "amount": 10_000, "currency": "USD", "reference": "subs-1"}
    # Integers are integers: "10000" is refused by name, not coerced (issue #12, item 13).
    as_text = api.post(f"/v1/periods/{period}/revenue", headers=_bearer(admin), json={**revenue, "amount": "10000"})
    assert as_text.status_code == 422 and as_text.json()["field"] == "amount", as_text.json()
    assert api.post(f"/v1/periods/{period}/revenue", headers=_bearer(admin), json=revenue).status_code == 201
    assert api.post(f"/v1/periods/{period}/revenue", headers=_bearer(admin), json=revenue).status_code == 200
    refused = api.post(f"/v1/periods/{period}/revenue", headers=_bearer(admin), json={**revenue, "currency": "EUR",
                                                                                       "reference": "subs-2"})
    assert refused.status_code == 422 and refused.json()["field"] == "currency"
    # A wrong entry (issue #12, item 4): the probe's 10^73 is refused; a typo within bounds is voided before close.
    huge = api.post(f"/v1/periods/{period}/revenue", headers=_bearer(admin),
                    json={**revenue, "amount": 10**73, "reference": "probe"})
    assert huge.status_code == 422 and huge.json()["field"] == "amount", huge.json()
    typo = api.post(f"/v1/periods/{period}/revenue", headers=_bearer(admin),
                    json={**revenue, "amount": 1_000_000, "reference": "subs-typo"}).json()
    voided = api.post(f"/v1/periods/{period}/revenue/{typo['id']}/void", headers=_bearer(admin),
                      json={"reason": "dollars typed as cents"})
    assert voided.status_code == 200 and voided.json()["voided_at"] is not None, voided.json()
    assert api.post(f"/v1/periods/{period}/revenue/{typo['id']}/void", headers=_bearer(fan),
                    json={"reason": "x"}).status_code == 403

    while datetime.now(UTC) < ends:
        time.sleep(0.2)
    _mine_past(chain, ends)
    index_chain(api, chain)
    closed = api.post(f"/v1/periods/{period}/close", headers=_bearer(admin))
    assert closed.status_code == 202, closed.json()
    job = closed.json()["job"]  # what to follow, not the state before the job
    assert job == {"action": "close", "until": "closed", "url": f"/v1/periods/{period}"}
    assert closed.headers["location"] == job["url"]
    summary = api.get(job["url"]).json()
    assert summary["status"] == "closed" and summary["statement"]["allocated"] == "70000000", summary
    again = api.post(f"/v1/periods/{period}/close", headers=_bearer(admin))
    assert again.status_code == 200 and again.json()["job"] is None and again.json()["status"] == "closed"
    published = api.post(f"/v1/periods/{period}/publish", headers=_bearer(admin))
    assert published.status_code == 202 and published.json()["job"]["until"] == "published"
    assert api.get(f"/v1/periods/{period}").json()["status"] == "published"
    index_chain(api, chain)

    earnings = api.get("/v1/me/earnings", headers=artist_headers).json()
    assert earnings["accounts"] == [{"account": wallet, "earned": "70000000", "claimable": "70000000",
                                     "claimed": "0"}]
    [leaf] = api.get("/v1/me/claims", headers=artist_headers).json()["claimable"]
    assert leaf["root"] == summary["statement"]["root"] and leaf["proof"] == []  # a one-leaf tree
    _repeated_claim_answers_the_operation_as_it_stands(api, chain, artist_headers, wallet)
    relayed = api.post("/v1/me/claims", headers=artist_headers, json={"account": wallet})
    assert relayed.status_code == 202, relayed.json()
    operation = api.get(f"/v1/operations/{relayed.json()['id']}", headers=artist_headers).json()
    assert operation["status"] == "included", operation  # mined; confirmed once the mirror has it final
    index_chain(api, chain)
    operation = api.get(f"/v1/operations/{relayed.json()['id']}", headers=artist_headers).json()
    assert operation["status"] == "confirmed", operation
    token = chain.client.w3.eth.contract(address=chain.deployment.payout_token, abi=[{
        "type": "function", "name": "balanceOf", "stateMutability": "view",
        "inputs": [{"name": "a", "type": "address"}], "outputs": [{"name": "", "type": "uint256"}]}])
    assert token.functions.balanceOf(wallet).call() == 70_000_000
    again = api.post("/v1/me/claims", headers=artist_headers, json={"account": wallet})
    assert again.status_code == 409 and again.json()["type"].endswith("/nothing-to-claim")
    index_chain(api, chain)
    assert api.get("/v1/me/claims", headers=artist_headers).json()["history"][0]["amount"] == "70000000"

    assert api.get(f"/v1/audit/periods/{period}", headers=_bearer(fan)).status_code == 403
    report = api.get(f"/v1/audit/periods/{period}", headers=_bearer(auditor)).json()
    assert report["passed"] is True and report["discrepancies"] == [], report
    plays = api.get(f"/v1/audit/periods/{period}/inputs/plays.csv", headers=_bearer(auditor))
    rows = list(csv.DictReader(io.StringIO(plays.text)))
    assert [(r["asset_id"], r["counted"]) for r in rows] == [(str(asset_id), "True")]
    public = api.get(f"/v1/periods/{period}/statement.json")
    audited = api.get(f"/v1/audit/periods/{period}/inputs/statement.json", headers=_bearer(auditor))
    assert public.content == audited.content and public.json()["totals"]["allocated"] == "70000000"


def _repeated_claim_answers_the_operation_as_it_stands(api, chain, headers, wallet) -> None:
    """Issue #12, item 13: the same claim again while its transaction is out (sent, not mined) answered "pending".
    The state is written as the relayer leaves it between sending and mining, then removed again."""
    key = f"claim:31337:{wallet}:70000000"
    me = api.get("/v1/me", headers=headers).json()["id"]
    tx_hash = "0x" + "ab" * 32
    engine = get_engine(api.database_url)
    with engine.begin() as db:
        operation_id = db.execute(text(
            "insert into rights_operations (id, user_id, kind, idempotency_key, to_address, calldata, request) "
            "values (gen_random_uuid(), :user, 'claim', :key, :to, '0x', '{\"message\": {}}') returning id"),
            {"user": me, "key": key, "to": chain.deployment.address("PayoutDistributor")}).scalar_one()
        db.execute(text(
            "insert into chain_operations (id, idempotency_key, kind, chain_id, from_address, to_address, data, value,"
            " status, tx_hashes) values (gen_random_uuid(), :key, 'claim', 31337, :relayer, :to, '', 0, 'submitted',"
            " array[:tx])"), {"key": key, "relayer": "0x" + "00" * 20, "to": chain.deployment.address(
                "PayoutDistributor"), "tx": tx_hash})
    try:
        repeated = api.post("/v1/me/claims", headers=headers, json={"account": wallet})
        assert repeated.status_code == 200, repeated.json()
        assert repeated.json() | {"error_args": None} == {
            "id": str(operation_id), "kind": "claim", "status": "submitted", "tx_hash": tx_hash, "block_number": None,
            "error": None, "error_args": None, "asset_id": None, "metadata_uri": None}
    finally:
        with engine.begin() as db:
            db.execute(text("delete from chain_operations where idempotency_key = :key"), {"key": key})
            db.execute(text("delete from rights_operations where idempotency_key = :key"), {"key": key})
