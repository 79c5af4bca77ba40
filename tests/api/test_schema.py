"""schemathesis against /openapi.json with every check (`--checks all`), as the CLI runs it (examples, coverage
and fuzzing phases, positive and negative data; no stateful phase): anonymous, with an access token of each role,
and with a partner API key. No 5xx; every status, content type, header and body is documented; 405s carry `Allow`;
schema-valid requests are not refused for reasons the schema does not state; invalid ones are refused; auth is
enforced."""

import re
from collections import defaultdict

import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis.engine import Status, events, from_schema

from indexer.store import save_checkpoint
from partners import service as partners
from partners.models import ApiScope
from tests.identity.factories import make_user

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
# A few examples per operation and caller. The coverage phase (boundary values, missing headers, methods the path
# does not answer) costs the most and does not grow with the examples: it runs for the callers that reach the
# most handlers past their auth (nobody, an artist, an admin); every caller runs the examples and fuzzing.
EXAMPLES_PER_OPERATION = 2
CALLERS = ["anonymous", "fan", "artist", "auditor", "partner", "admin", "partner-key"]
WITH_COVERAGE = {"anonymous", "artist", "admin"}
# tus PATCH bodies are raw bytes, like application/octet-stream.
schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")
# `format: ethereum-address` (api.openapi.ETHEREUM_ADDRESS): lower case, or mixed case with its EIP-55 checksum.
schemathesis.openapi.format("ethereum-address", st.sampled_from([
    "0x90F79bf6EB2c4f870365E785982E1f101E93b906", "0x15d34aaf54267db7d7c367839aaf71a00a2c6a65",
    "0x0000000000000000000000000000000000000001"]))

# Refusals of schema-valid requests that no JSON Schema can state: a signature or a token that does not verify, a
# check digit, shares that must sum to 100 %, a file that is not audio. Keyed by operation and problem type, so
# any other refusal of valid data still fails.
SEMANTIC_REFUSALS = {
    "GET /v1/assets": {"invalid-cursor"},  # opaque: one the API returned
    "GET /v1/auth/verify-email": {"email-verification-invalid"},  # the link's token is signed
    "POST /v1/auth/siwe/verify": {"siwe-message-invalid", "siwe-domain-mismatch", "siwe-chain-mismatch",
                                  "siwe-message-expired", "nonce-invalid", "siwe-signature-invalid"},
    "POST /v1/plays": {"invalid-playback-token"},  # signed by POST /v1/playback-sessions
    "POST /v1/signed-requests": {"signed-request-invalid"},  # EIP-712 for this chain's registry, signed
    "POST /v1/uploads": {"unsupported-format"},  # the bytes are probed, not the declared type trusted
    "POST /v1/partner/webhooks": {"webhook-url-refused"},  # http(s) with a host (and public, in production)
    "POST /v1/periods": {"invalid-period"},  # ends after it starts, and not in the past
    "POST /v1/periods/{period_id}/revenue": {"invalid-revenue"},  # names a registered asset
    "POST /v1/periods/{period_id}/usage-reports": {"usage-report-invalid"},  # lines name registered recordings
    **{f"POST {path}": {"split-invalid", "invalid-industry-code"}  # shares sum to 100; ISWC/ISRC check digits
       for path in ("/v1/works", "/v1/works/prepare", "/v1/recordings", "/v1/recordings/prepare",
                    "/v1/assets/{asset_id}/split")},
    "POST /v1/webhooks/stripe": {"stripe-webhook-refused"},  # signed by Stripe
    "GET /v1/notifications/unsubscribe": {"invalid-unsubscribe-token"},  # the link's token is signed
    "POST /v1/notifications/unsubscribe": {"invalid-unsubscribe-token"},
    "GET /v1/exports/{export_id}/download": {"invalid-download-link"},  # the link's token is signed
    "POST /v1/me/subscription": {"plan-unknown"},  # the plans are settings
    "GET /v1/editions": {"invalid-cursor"},
    "GET /v1/search": {"invalid-search"},  # its cursor is opaque (one the API returned)
    "POST /v1/editions": {"edition-invalid"},  # prices in whole units of the payout token's currency
    "POST /v1/editions/prepare": {"edition-invalid"},
    **{f"GET {path}": {"invalid-cursor"}  # opaque: one the API returned
       for path in ("/v1/me/feed", "/v1/me/notifications", "/v1/accounts/{user_id}/followers",
                    "/v1/accounts/{user_id}/following", "/v1/accounts/{user_id}/timeline")},
}
# Answers that take long by design: an SSE stream stays open for its whole time (here 0.2 s) before it ends.
LONG_BY_DESIGN = {"GET /v1/me/notifications/stream"}


def _caller_headers(caller: str, context) -> dict[str, str]:
    if caller == "anonymous":
        return {}
    if caller == "partner-key":
        partner = make_user(context.sessions, context.settings, "partner")
        with context.sessions.begin() as session:
            issued = partners.issue_key(session, partner.id, "schemathesis", list(ApiScope))
        return {"X-API-Key": issued.key}
    return make_user(context.sessions, context.settings, caller).headers


# The same, where the refusal is a plain validation error: by operation and the field it names.
SEMANTIC_FIELDS = {
    "POST /v1/recordings": {"body"},  # exactly one of content_hash and upload_id
    "POST /v1/recordings/prepare": {"body"},
    "PUT /v1/me/artist-profile": {"links[0].url"},  # the URL's normalised form (punycode, %-encoding) is too long
    "PATCH /v1/uploads/{upload_id}": {"Content-Type"},  # the test sends tus bytes as octet-stream (alias above)
    "DELETE /v1/me": {"confirm"},  # the caller's own account id, typed to confirm
    "PUT /v1/me/social-profile": {"handle"},  # a handle is needed the first time
    **{f"PUT /v1/accounts/{{user_id}}/{edge}": {"user_id"} for edge in ("follow", "block", "mute")},  # not oneself
    "GET /v1/analytics/plays": {"asset_id", "to"},  # exactly one of asset_id and artist; `to` not before `from`
    **{f"GET /v1/analytics/{series}": {"from", "to"}  # `to` not before `from`, at most 400 days
       for series in ("breakdown", "followers")},
    "POST /v1/posts": {"edition_id"},  # set exactly when the visibility is "holders"
    "POST /v1/editions": {"body"},  # at most one of artwork_upload_id and artwork_uri
    "POST /v1/editions/prepare": {"body"},
}


def _tolerated(label: str, check: str, body: bytes | None) -> bool:
    if check == "max_response_time" and label in LONG_BY_DESIGN:
        return True
    if check == "negative_data_rejection" and body and b'"status":413' in body:
        return True  # too large is a refusal too (schemathesis counts only its own list of statuses)
    if check != "positive_data_acceptance" or not body:
        return False
    found = re.search(rb'"type":"https://harmoni\.music/problems/([a-z-]+)"', body)
    if found is not None and found.group(1).decode() in SEMANTIC_REFUSALS.get(label, ()):
        return True
    field = re.search(rb'"field":"([^"]+)"', body)
    return (found is not None and found.group(1) == b"validation-error" and field is not None
            and field.group(1).decode() in SEMANTIC_FIELDS.get(label, ()))


@pytest.mark.parametrize("caller", CALLERS)
def test_every_check_passes(live_api, chain, local_stripe, caller):
    # The live app: a database of its own that commits, so handlers that read in sessions of their own (audits,
    # streamed CSVs) run as in production, not on the one connection a rolled-back test shares.
    api = live_api
    context = api.app.state.context
    context.settings = context.settings.model_copy(update={  # limits out of the way of the generated requests
        "partner_rate_limit_per_minute": 100_000, "partner_account_rate_limit_per_minute": 100_000,
        "play_rate_limit_per_minute": 100_000, "play_ip_rate_limit_per_minute": 100_000,
        "stripe_api_base": local_stripe.url})  # the payments routes talk to a Stripe-compatible server
    head = chain.client.head()
    with context.sessions.begin() as session:  # a caught-up mirror: /readyz and reads answer 200, not their 503
        save_checkpoint(session, 31337, head.number, head.hash)
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.app)
    schema.config.update(headers=_caller_headers(caller, context))
    schema.config.auth.auto_signup = False  # else schemathesis signs up and sends a token: nobody stays anonymous
    schema.config.checks.update(included_check_names=["all"])
    # Deterministic: the same cases every run, so a failure here is a change in the API, not a new draw.
    schema.config.generation.update(max_examples=EXAMPLES_PER_OPERATION, database="none", deterministic=True)
    schema.config.phases.update(phases=["examples", "coverage", "fuzzing"] if caller in WITH_COVERAGE
                                else ["examples", "fuzzing"])

    failures: dict[tuple, list[str]] = defaultdict(list)
    tested: set[str] = set()
    errors: list[str] = []
    for event in from_schema(schema).execute():
        if isinstance(event, events.NonFatalError):
            errors.append(f"{event.label}: {event.info}")
        if not isinstance(event, events.ScenarioFinished):
            continue
        tested.add(event.label)
        for case_id, nodes in event.recorder.checks.items():
            interaction = event.recorder.interactions.get(case_id)
            response = interaction.response if interaction is not None else None
            body = response.content if response is not None else None
            for node in nodes:
                if node.status != Status.FAILURE or _tolerated(event.label, node.name, body):
                    continue
                case = event.recorder.cases[case_id].value
                failures[(event.label, node.name)].append(
                    f"{case.method} {case.path} {case.query or ''} {str(case.body)[:300]} -> "
                    f"{response.status_code if response else None}: {node.failure_info.failure.title}; "
                    f"{(body or b'')[:300]!r}")
    assert not errors, errors
    assert not failures, "\n".join(f"{label} [{check}] x{len(seen)}: {seen[0]}"
                                   for (label, check), seen in sorted(failures.items(), key=str))
    assert len(tested) >= 60, sorted(tested)
