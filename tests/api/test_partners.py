"""Partner API keys, their scopes and rate limits, and webhook endpoints with their delivery log, over HTTP."""

import hashlib
import re

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import select, text, update

from api.app import create_app
from harmoni import jobs
from identity.models import User
from indexer.store import save_checkpoint
from partners import tasks
from partners.models import PartnerApiKey
from partners.webhooks import verify_signature
from tests.identity.factories import make_user
from tests.partners.factories import add_block, add_event, http_receiver, published

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
PROBLEM = "application/problem+json"
ALL_SCOPES = ["assets:read", "usage:write", "webhooks:manage"]


def _user(api, *roles):
    return make_user(api.app.state.context.sessions, api.app.state.context.settings, *roles)


def _key(api, user, scopes=ALL_SCOPES, name="catalogue sync"):
    response = api.post("/v1/partner/keys", json={"name": name, "scopes": scopes}, headers=user.headers)
    assert response.status_code == 201, response.text
    return response.json()


def _problem(response, status, slug):
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"].endswith("/" + slug), response.json()


@pytest.fixture
def indexed(sessions):
    """A checkpoint, so the mirror's reads answer."""
    with sessions.begin() as session:
        save_checkpoint(session, 31337, 1, b"\x01" * 32)


def test_a_key_is_shown_once_and_stored_only_as_a_hash(api, sessions):
    partner = _user(api, "partner")
    issued = _key(api, partner, ["webhooks:manage", "assets:read"])
    key = issued["key"]
    assert re.fullmatch(r"hk_live_[A-Za-z0-9]{40}", key)
    assert issued["prefix"] == key[:16] and issued["scopes"] == ["assets:read", "webhooks:manage"]

    listed = api.get("/v1/partner/keys", headers=partner.headers)
    assert listed.status_code == 200 and key not in listed.text and key[16:] not in listed.text
    assert [(k["id"], k["prefix"], k["revoked_at"]) for k in listed.json()] == [(issued["id"], key[:16], None)]
    assert "key" not in listed.json()[0]
    with sessions() as session:
        stored = session.scalars(select(PartnerApiKey)).one()
        row = session.execute(text("select row_to_json(k)::text from partner_api_keys k")).scalar_one()
    assert bytes(stored.secret_hash) == hashlib.sha256(key.encode()).digest()
    assert key[16:] not in row and key[16:].encode().hex() not in row


def test_a_key_works_by_either_header_until_revoked(api):
    partner = _user(api, "partner")
    key = _key(api, partner)
    for headers in ({"Authorization": f"Bearer {key['key']}"}, {"X-API-Key": key["key"]}):
        response = api.get("/v1/partner/webhooks", headers=headers)
        assert response.status_code == 200 and response.json() == []
        assert response.headers["x-ratelimit-limit"] == "600"
    assert api.get("/v1/partner/keys", headers=partner.headers).json()[0]["last_used_at"] is not None

    other = _user(api, "partner")
    _problem(api.delete(f"/v1/partner/keys/{key['id']}", headers=other.headers), 404, "api-key-not-found")
    assert api.delete(f"/v1/partner/keys/{key['id']}", headers=partner.headers).status_code == 204
    _problem(api.get("/v1/partner/webhooks", headers={"X-API-Key": key["key"]}), 401, "invalid-api-key")
    assert api.delete(f"/v1/partner/keys/{key['id']}", headers=partner.headers).status_code == 204  # again: no-op
    assert api.get("/v1/partner/keys", headers=partner.headers).json()[0]["revoked_at"] is not None


def test_who_may_issue_keys_and_manage_webhooks(api, sessions):
    users = {"anonymous": None, **{role: _user(api, role) for role in ("fan", "artist", "partner", "admin")}}
    issued = {}
    for name, user in users.items():
        response = api.post("/v1/partner/keys", json={"name": "k", "scopes": ["assets:read"]},
                            headers=user.headers if user else None)
        issued[name] = response.status_code
        if response.status_code in (401, 403):
            assert response.headers["content-type"] == PROBLEM
    assert issued == {"anonymous": 401, "fan": 403, "artist": 403, "partner": 201, "admin": 201}
    listing = {name: api.get("/v1/partner/webhooks", headers=user.headers if user else None).status_code
               for name, user in users.items()}
    assert listing == {"anonymous": 401, "fan": 403, "artist": 403, "partner": 200, "admin": 200}

    reader = _key(api, users["partner"], ["assets:read"])
    refused = api.get("/v1/partner/webhooks", headers={"X-API-Key": reader["key"]})
    _problem(refused, 403, "scope-missing")
    assert refused.json()["missing_scopes"] == ["webhooks:manage"]
    _problem(api.get("/v1/partner/webhooks", headers={"X-API-Key": "hk_live_" + "x" * 40}), 401, "invalid-api-key")
    _problem(api.post("/v1/partner/keys", json={"name": "k", "scopes": ["ledger:write"]},
                      headers=users["partner"].headers), 422, "validation-error")

    # A key stops working when its account loses the partner role.
    manager = _key(api, users["partner"], ["webhooks:manage"])
    with sessions.begin() as session:
        session.execute(update(User).where(User.id == users["partner"].id).values(roles=["fan"]))
    _problem(api.get("/v1/partner/webhooks", headers={"X-API-Key": manager["key"]}), 403, "forbidden")


def test_public_asset_reads_accept_a_partner_key(api, indexed):
    partner, fan = _user(api, "partner"), _user(api, "fan")
    reader = _key(api, partner, ["assets:read"])
    manager = _key(api, partner, ["webhooks:manage"])
    assert api.get("/v1/assets").status_code == 200
    assert "x-ratelimit-limit" not in api.get("/v1/assets").headers  # anonymous: public, not counted
    assert api.get("/v1/assets", headers=fan.headers).status_code == 200  # an access token is not a key
    with_key = api.get("/v1/assets", headers={"Authorization": f"Bearer {reader['key']}"})
    assert with_key.status_code == 200 and with_key.headers["x-harmoni-block"] == "1"
    used = {k["id"]: k["last_used_at"] for k in api.get("/v1/partner/keys", headers=partner.headers).json()}
    assert used[reader["id"]] is not None and used[manager["id"]] is None  # the key was checked, and counted
    _problem(api.get("/v1/assets/1", headers={"X-API-Key": manager["key"]}), 403, "scope-missing")
    api.delete(f"/v1/partner/keys/{reader['id']}", headers=partner.headers)
    _problem(api.get("/v1/assets", headers={"X-API-Key": reader["key"]}), 401, "invalid-api-key")


@pytest.fixture
def api_with(api_settings, sessions, anvil_client):
    """An app with changed settings (restores in-process jobs afterwards)."""
    clients = []

    def make(**overrides):
        app = create_app(api_settings.model_copy(update=overrides))
        app.state.context.sessions = sessions
        app.state.context.chain = anvil_client
        clients.append(TestClient(app).__enter__())
        return clients[-1]

    yield make
    for client in clients:
        client.__exit__(None, None, None)
    jobs.configure(api_settings)


@pytest.mark.parametrize("backend", ["redis", "in-process"])
def test_over_the_limit_is_429_with_retry_after(api_with, redis_url, indexed, backend):
    client = api_with(partner_rate_limit_per_minute=3, redis_url=redis_url if backend == "redis" else "")
    partner = _user(client, "partner")
    first, second = _key(client, partner), _key(client, partner)
    first, second, first_id = first["key"], second["key"], first["id"]
    statuses = [client.get("/v1/assets", headers={"X-API-Key": first}).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    refused = client.get("/v1/assets", headers={"X-API-Key": first})
    _problem(refused, 429, "rate-limited")
    assert 1 <= int(refused.headers["retry-after"]) <= 60 and refused.json()["retry_after"] == int(
        refused.headers["retry-after"])
    _problem(client.get("/v1/partner/webhooks", headers={"X-API-Key": first}), 429, "rate-limited")  # per key
    assert client.get("/v1/assets", headers={"X-API-Key": second}).status_code == 200
    assert client.get("/v1/assets").status_code == 200  # anonymous reads are not limited per key
    if backend == "redis":
        counters = redis.Redis.from_url(redis_url)
        assert int(counters.get(f"harmoni:ratelimit:partner-key:{first_id}")) == 5
        assert 0 < counters.pttl(f"harmoni:ratelimit:partner-key:{first_id}") <= 60_000


def test_webhook_endpoints_are_registered_listed_and_deleted(api):
    partner, other = _user(api, "partner"), _user(api, "partner")
    key = _key(api, partner, ["webhooks:manage"])["key"]
    created = api.post("/v1/partner/webhooks", headers={"X-API-Key": key},
                       json={"url": "https://partner.example/hooks", "events": ["split.changed", "asset.registered"]})
    assert created.status_code == 201, created.text
    hook = created.json()
    assert re.fullmatch(r"whsec_[0-9a-f]{48}", hook["secret"])
    assert hook["events"] == ["asset.registered", "split.changed"]
    listed = api.get("/v1/partner/webhooks", headers=partner.headers)  # signed in, same account
    assert [h["id"] for h in listed.json()] == [hook["id"]] and hook["secret"] not in listed.text
    assert api.get("/v1/partner/webhooks", headers=other.headers).json() == []

    bad = api.post("/v1/partner/webhooks", headers={"X-API-Key": key},
                   json={"url": "https://partner.example/hooks", "events": ["asset.deleted"]})
    _problem(bad, 422, "validation-error")
    _problem(api.post("/v1/partner/webhooks", headers={"X-API-Key": key},
                      json={"url": "ftp://partner.example/hooks", "events": ["split.changed"]}),
             422, "webhook-url-refused")
    _problem(api.delete(f"/v1/partner/webhooks/{hook['id']}", headers=other.headers), 404,
             "webhook-endpoint-not-found")
    _problem(api.get(f"/v1/partner/webhooks/{hook['id']}/deliveries", headers=other.headers), 404,
             "webhook-endpoint-not-found")
    assert api.delete(f"/v1/partner/webhooks/{hook['id']}", headers={"X-API-Key": key}).status_code == 204
    assert api.get("/v1/partner/webhooks", headers=partner.headers).json() == []


def test_the_delivery_log_shows_each_attempt(api, sessions, harmoni_env):
    harmoni_env.setattr(tasks, "job_sessions", lambda: sessions)
    partner = _user(api, "partner")
    key = _key(api, partner, ["webhooks:manage"])["key"]
    with http_receiver() as receiver:
        hook = api.post("/v1/partner/webhooks", headers={"X-API-Key": key},
                        json={"url": receiver.url, "events": ["payout.published"]}).json()
        with sessions.begin() as session:
            add_block(session, 3)
            add_event(session, 3, 0, "PayoutDistributor", "PeriodPublished", published(4))
        receiver.statuses = [500]
        tasks.dispatch_chain_events.delay()
        log = api.get(f"/v1/partner/webhooks/{hook['id']}/deliveries", headers={"X-API-Key": key}).json()
        assert [(d["event_type"], d["status"], d["attempts"]) for d in log] == [("payout.published", "pending", 1)]
        assert log[0]["next_attempt_at"] is not None
        [attempt] = log[0]["log"]
        assert (attempt["succeeded"], attempt["status_code"]) == (False, 500) and attempt["duration_ms"] >= 0

        with sessions.begin() as session:
            session.execute(text("update webhook_deliveries set next_attempt_at = now() - interval '1 second'"))
        tasks.dispatch_chain_events.delay()
        [done] = api.get(f"/v1/partner/webhooks/{hook['id']}/deliveries", headers=partner.headers).json()
        assert (done["status"], [a["status_code"] for a in done["log"]]) == ("succeeded", [500, 200])
        assert done["event_id"] == receiver.requests[-1].headers["harmoni-event-id"]
        assert verify_signature(hook["secret"], receiver.requests[-1].headers["harmoni-signature"],
                                receiver.requests[-1].body)


@pytest.mark.parametrize("backend", ["redis", "in-process"])
def test_more_keys_are_not_more_requests(api_with, redis_url, indexed, backend):
    """Issue #12, item 10: the limit counts per account as well as per key."""
    client = api_with(partner_rate_limit_per_minute=3, partner_account_rate_limit_per_minute=4,
                      redis_url=redis_url if backend == "redis" else "")
    partner = _user(client, "partner")
    first, second = _key(client, partner)["key"], _key(client, partner)["key"]
    assert [client.get("/v1/assets", headers={"X-API-Key": first}).status_code for _ in range(3)] == [200] * 3
    assert client.get("/v1/assets", headers={"X-API-Key": second}).status_code == 200
    refused = client.get("/v1/assets", headers={"X-API-Key": second})
    _problem(refused, 429, "rate-limited")
    assert "this account" in refused.json()["detail"] and int(refused.headers["retry-after"]) >= 1
    other = _key(client, _user(client, "partner"))["key"]
    assert client.get("/v1/assets", headers={"X-API-Key": other}).status_code == 200  # other accounts are not


def test_an_account_has_a_bounded_number_of_live_keys(api, sessions):
    from partners.service import MAX_LIVE_KEYS_PER_ACCOUNT

    partner = _user(api, "partner")
    issued = [_key(api, partner, name=f"key {i}") for i in range(MAX_LIVE_KEYS_PER_ACCOUNT)]
    refused = api.post("/v1/partner/keys", json={"name": "one more", "scopes": ALL_SCOPES}, headers=partner.headers)
    _problem(refused, 409, "api-key-limit-reached")
    assert api.delete(f"/v1/partner/keys/{issued[0]['id']}", headers=partner.headers).status_code in (200, 204)
    assert _key(api, partner, name="after a revocation")["key"].startswith("hk_live_")
    with sessions() as session:
        live = session.scalars(select(PartnerApiKey).where(PartnerApiKey.user_id == partner.id,
                                                           PartnerApiKey.revoked_at.is_(None))).all()
    assert len(live) == MAX_LIVE_KEYS_PER_ACCOUNT
