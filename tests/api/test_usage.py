"""Usage in over HTTP: the player's sessions and plays (counted, flagged, limited), partners' CSV reports."""

from __future__ import annotations

import random

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from api.app import create_app
from content.storage import object_store
from harmoni import jobs
from ledger.usage.models import Play, UsageReport, UsageReportLine
from tests.identity.factories import make_user
from tests.usage.factories import add_period, add_recording, metadata_with_duration

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
PROBLEM = "application/problem+json"
CSV = {"Content-Type": "text/csv"}
REPORT = b"isrc,territory,usage_count,net_revenue,currency\r\nUS-RC1-76-07839,US,1200,4380,USD\r\n"


def _user(client, *roles):
    return make_user(client.app.state.context.sessions, client.app.state.context.settings, *roles)


def _problem(response, status, slug):
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"].endswith("/" + slug), response.json()
    return response.json()


def _key(client, partner, scopes):
    response = client.post("/v1/partner/keys", json={"name": "usage", "scopes": scopes}, headers=partner.headers)
    assert response.status_code == 201, response.text
    return {"X-API-Key": response.json()["key"]}


def _age_sessions(sessions, seconds):
    with sessions.begin() as session:
        session.execute(text("update playback_sessions set started_at = started_at - make_interval(secs => :s)"),
                        {"s": seconds})


@pytest.fixture
def catalogue(api, sessions):
    """Two recordings (the first 40 s long, as its metadata says), a frozen one, a work; periods 1 (closed), 2."""
    store = object_store(api.app.state.context.settings)
    with sessions.begin() as session:
        add_recording(session, 1, "USRC17607839", metadata_uri=metadata_with_duration(store, "USRC17607839", 40_000))
        add_recording(session, 2, "USHRM2600002")
        add_recording(session, 3, "USHRM2600003", frozen=True)
        add_recording(session, 4, "T0345246801", kind="work")
        add_period(session, 1, "closed")
        add_period(session, 2, "open")


@pytest.fixture
def api_with(api_settings, sessions, anvil_client):
    """An app with changed settings, seen from a client address of its own (the limits count per IP)."""
    clients = []

    def make(ip: str | None = None, **overrides):
        app = create_app(api_settings.model_copy(update=overrides))
        app.state.context.sessions = sessions
        app.state.context.chain = anvil_client
        ip = ip or f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"
        clients.append(TestClient(app, client=(ip, 50000)).__enter__())
        return clients[-1]

    yield make
    for client in clients:
        client.__exit__(None, None, None)
    jobs.configure(api_settings)


def test_a_play_counts_once_its_session_has_played_long_enough(api, sessions, catalogue):
    fan = _user(api, "fan")
    started = api.post("/v1/playback-sessions", json={"asset_id": 1}, headers=fan.headers)
    assert started.status_code == 201, started.text
    body = started.json()
    assert (body["duration_ms"], body["counts_after_ms"]) == (40_000, 20_000)  # half of a 40 s track
    assert body["token"].startswith("pbs_") and body["expires_at"]
    _age_sessions(sessions, 25)
    played = api.post("/v1/plays", json={"token": body["token"], "played_ms": 20_000}, headers=fan.headers)
    assert played.status_code == 201, played.text
    assert played.json()["counted"] is True and played.json()["flags"] == []
    _problem(api.post("/v1/plays", json={"token": body["token"], "played_ms": 20_000}, headers=fan.headers),
             409, "play-already-reported")

    again = api.post("/v1/playback-sessions", json={"asset_id": 1}, headers=fan.headers).json()
    short = api.post("/v1/playback-sessions", json={"asset_id": 2}, headers=fan.headers).json()
    assert short["duration_ms"] is None and short["counts_after_ms"] == 30_000
    _age_sessions(sessions, 35)
    duplicate = api.post("/v1/plays", json={"token": again["token"], "played_ms": 30_000}, headers=fan.headers)
    too_short = api.post("/v1/plays", json={"token": short["token"], "played_ms": 29_999}, headers=fan.headers)
    assert (duplicate.json()["counted"], duplicate.json()["flags"]) == (False, ["duplicate_window"])
    assert (too_short.json()["counted"], too_short.json()["flags"]) == (False, ["too_short"])
    with sessions() as session:
        kept = session.execute(select(Play.asset_id, Play.counted, Play.flags).order_by(Play.id)).all()
    assert kept == [(1, True, []), (1, False, ["duplicate_window"]), (2, False, ["too_short"])]


def test_tokens_and_recordings_that_are_refused(api, sessions, catalogue):
    fan, other = _user(api, "fan"), _user(api, "artist")
    token = api.post("/v1/playback-sessions", json={"asset_id": 2}, headers=fan.headers).json()["token"]
    _problem(api.post("/v1/plays", json={"token": token, "played_ms": 1000}, headers=other.headers),
             403, "playback-session-not-yours")
    bad = _problem(api.post("/v1/plays", json={"token": token[:-4] + "AAAA", "played_ms": 1000},
                            headers=fan.headers), 422, "invalid-playback-token")
    assert bad["field"] == "token" and token not in str(bad)
    _problem(api.post("/v1/plays", json={"token": token, "played_ms": -1}, headers=fan.headers), 422,
             "validation-error")
    _problem(api.post("/v1/plays", json={"token": token, "played_ms": 1000}), 401, "unauthenticated")
    # Integers are JSON integers, as documented: a numeric string is refused by name, not coerced.
    assert _problem(api.post("/v1/plays", json={"token": token, "played_ms": "1000"}, headers=fan.headers), 422,
                    "validation-error")["field"] == "played_ms"
    assert _problem(api.post("/v1/playback-sessions", json={"asset_id": "2"}, headers=fan.headers), 422,
                    "validation-error")["field"] == "asset_id"
    _problem(api.post("/v1/playback-sessions", json={"asset_id": 99}, headers=fan.headers), 404,
             "recording-not-found")
    _problem(api.post("/v1/playback-sessions", json={"asset_id": 4}, headers=fan.headers), 404,
             "recording-not-found")
    _problem(api.post("/v1/playback-sessions", json={"asset_id": 3}, headers=fan.headers), 409, "recording-frozen")
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Play)) == 0


def test_an_account_over_its_limit_gets_429_with_retry_after(api_with, redis_url, catalogue):
    client = api_with(redis_url=redis_url, play_rate_limit_per_minute=3)
    fan, other = _user(client, "fan"), _user(client, "fan")
    statuses = [client.post("/v1/playback-sessions", json={"asset_id": 2}, headers=fan.headers).status_code
                for _ in range(3)]
    assert statuses == [201, 201, 201]
    refused = _problem(client.post("/v1/plays", json={"token": "pbs_x", "played_ms": 1}, headers=fan.headers),
                       429, "rate-limited")
    assert "this account" in refused["detail"]
    response = client.post("/v1/playback-sessions", json={"asset_id": 2}, headers=fan.headers)
    assert 1 <= int(response.headers["retry-after"]) <= 60
    assert client.post("/v1/playback-sessions", json={"asset_id": 2}, headers=other.headers).status_code == 201
    counter = redis.Redis.from_url(redis_url).get(f"harmoni:ratelimit:play-account:{fan.id}")
    assert int(counter) == 5


def test_an_ip_over_its_limit_gets_429_for_every_account(api_with, redis_url, catalogue):
    client = api_with(redis_url=redis_url, play_ip_rate_limit_per_minute=4)
    fans = [_user(client, "fan") for _ in range(3)]
    statuses = [client.post("/v1/playback-sessions", json={"asset_id": 2}, headers=fan.headers).status_code
                for fan in fans + fans[:1]]
    assert statuses == [201, 201, 201, 201]
    refused = _problem(client.post("/v1/playback-sessions", json={"asset_id": 2}, headers=fans[2].headers),
                       429, "rate-limited")
    assert "this IP address" in refused["detail"]
    other_ip = api_with(redis_url=redis_url, play_ip_rate_limit_per_minute=4)
    assert other_ip.post("/v1/playback-sessions", json={"asset_id": 2}, headers=fans[2].headers).status_code == 201


def test_plays_over_an_ips_hourly_ceiling_are_kept_and_flagged(api_with, redis_url, sessions, catalogue):
    client = api_with(redis_url=redis_url, play_ip_max_per_hour=1)
    fan, neighbour = _user(client, "fan"), _user(client, "fan")
    tokens = [client.post("/v1/playback-sessions", json={"asset_id": 2}, headers=user.headers).json()["token"]
              for user in (fan, neighbour)]
    _age_sessions(sessions, 60)
    first = client.post("/v1/plays", json={"token": tokens[0], "played_ms": 45_000}, headers=fan.headers).json()
    second = client.post("/v1/plays", json={"token": tokens[1], "played_ms": 45_000},
                         headers=neighbour.headers).json()
    assert (first["counted"], second["counted"], second["flags"]) == (True, False, ["ip_rate"])
    with sessions() as session:
        ips = session.scalars(select(Play.ip)).all()
    assert len(ips) == 2 and ips[0] == ips[1] and str(ips[0]).startswith("10.")


def test_a_partner_uploads_a_report_once_and_reads_it_back(api, sessions, catalogue):
    partner = _user(api, "partner")
    key = _key(api, partner, ["usage:write"])
    created = api.post("/v1/periods/2/usage-reports", params={"filename": "label-2026-02.csv"}, content=REPORT,
                       headers={**key, **CSV})
    assert created.status_code == 201, created.text
    report = created.json()
    assert (report["period_id"], report["line_count"], report["total_usage"], report["total_net_revenue"],
            report["currency"], report["filename"]) == (2, 1, 1200, 4380, "USD", "label-2026-02.csv")
    again = api.post("/v1/periods/2/usage-reports", content=REPORT, headers={**key, **CSV})
    assert again.status_code == 200 and again.json() == report
    # Signed in, the same account sees the same reports.
    assert api.get(f"/v1/usage-reports/{report['id']}", headers=partner.headers).json() == report
    assert api.get("/v1/periods/2/usage-reports", headers=key).json() == [report]
    assert api.get("/v1/periods/1/usage-reports", headers=key).json() == []
    _problem(api.get("/v1/periods/9/usage-reports", headers=key), 404, "period-not-found")
    stranger = _key(api, _user(api, "partner"), ["usage:write"])
    _problem(api.get(f"/v1/usage-reports/{report['id']}", headers=stranger), 404, "usage-report-not-found")
    assert api.get("/v1/periods/2/usage-reports", headers=stranger).json() == []
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(UsageReportLine)) == 1


def test_a_report_with_errors_is_refused_whole_with_every_line(api, sessions, catalogue):
    key = _key(api, _user(api, "partner"), ["usage:write"])
    data = (b"\xef\xbb\xbfisrc,territory,usage_count,net_revenue,currency\r\nUS-RC1-76-07839,US,1200,4380,USD\r\n"
            b"USHRM2699999,US,1,1,USD\r\nUSHRM2600002,XX,2,12.50,EUR\r\n")
    refused = _problem(api.post("/v1/periods/2/usage-reports", content=data, headers={**key, **CSV}), 422,
                       "usage-report-invalid")
    assert [(e["line"], e["field"]) for e in refused["errors"]] == [
        (3, "isrc"), (4, "territory"), (4, "net_revenue"), (4, "currency")]
    assert all(e["message"] for e in refused["errors"]) and refused["error_count"] == 4
    _problem(api.post("/v1/periods/2/usage-reports", content=REPORT.split(b"\r\n")[0], headers={**key, **CSV}),
             422, "usage-report-invalid")
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(UsageReport)) == 0
        assert session.scalar(select(func.count()).select_from(UsageReportLine)) == 0


def test_closed_periods_scopes_and_roles(api, catalogue):
    partner = _user(api, "partner")
    writer, reader = _key(api, partner, ["usage:write"]), _key(api, partner, ["assets:read"])
    closed = _problem(api.post("/v1/periods/1/usage-reports", content=REPORT, headers={**writer, **CSV}), 409,
                      "period-not-open")
    assert closed["detail"] == "period 1 is closed; report in the current period (period 2)"
    _problem(api.post("/v1/periods/7/usage-reports", content=REPORT, headers={**writer, **CSV}), 404,
             "period-not-found")
    missing = _problem(api.post("/v1/periods/2/usage-reports", content=REPORT, headers={**reader, **CSV}), 403,
                       "scope-missing")
    assert missing["missing_scopes"] == ["usage:write"]
    _problem(api.post("/v1/periods/2/usage-reports", content=REPORT, headers={**_user(api, "fan").headers, **CSV}),
             403, "forbidden")
    _problem(api.post("/v1/periods/2/usage-reports", content=REPORT, headers=CSV), 401, "unauthenticated")
    assert api.post("/v1/periods/2/usage-reports", content=REPORT,
                    headers={**partner.headers, **CSV}).status_code == 201  # signed in, without a key


def test_a_play_keeps_the_country_a_trusted_proxy_names_and_where_it_started(api_with, sessions, catalogue):
    proxied = api_with(ip="10.9.8.7", trusted_proxies="10.0.0.0/8", play_country_header="CF-IPCountry")
    direct = api_with(ip="203.0.113.5", trusted_proxies="10.0.0.0/8", play_country_header="CF-IPCountry")
    fan = _user(proxied, "fan")
    countries = {"de": "DE", "XX": None, "DEU": None}
    tokens = {}
    for header, _ in countries.items():
        started = proxied.post("/v1/playback-sessions", json={"asset_id": 2, "source": "search"},
                               headers={**fan.headers, "CF-IPCountry": header})
        assert started.status_code == 201, started.text
        tokens[header] = started.json()["token"]
    # A client that is not the proxy cannot say where it is.
    spoofed = direct.post("/v1/playback-sessions", json={"asset_id": 2},
                          headers={**fan.headers, "CF-IPCountry": "FR"}).json()["token"]
    _problem(proxied.post("/v1/playback-sessions", json={"asset_id": 2, "source": "radio"}, headers=fan.headers),
             422, "validation-error")
    _age_sessions(sessions, 35)
    for token in [*tokens.values(), spoofed]:
        assert proxied.post("/v1/plays", json={"token": token, "played_ms": 31_000},
                            headers=fan.headers).status_code == 201
    with sessions() as session:
        kept = session.execute(select(Play.country, Play.source).order_by(Play.id)).all()
    assert kept == [("DE", "search"), (None, "search"), (None, "search"), (None, None)]


def test_without_a_proxy_header_a_play_takes_the_country_of_the_accounts_receipts(api, sessions, catalogue):
    fan = _user(api, "fan")
    with sessions.begin() as session:
        session.execute(text("""
            insert into payment_invoices (id, stripe_invoice_id, number, user_id, currency, gross, tax, tax_rate_bps,
                                          fee, refunded, reversed_net, recognised, buyer_country, evidence,
                                          service_start, service_end, paid_at)
            select gen_random_uuid(), 'in_test_' || n, 900000 + n, u.id, 'EUR', 999, 0, 0, 0, 0, 0, 0, c, '{}',
                   now(), now(), now() - make_interval(days => n)
            from users u, (values (1, 'NL'), (2, 'BE')) v(n, c) where u.email = :email"""), {"email": fan.email})
    token = api.post("/v1/playback-sessions", json={"asset_id": 2}, headers=fan.headers).json()["token"]
    _age_sessions(sessions, 35)
    assert api.post("/v1/plays", json={"token": token, "played_ms": 31_000}, headers=fan.headers).status_code == 201
    with sessions() as session:
        assert session.scalar(select(Play.country)) == "NL"  # the latest receipt's
