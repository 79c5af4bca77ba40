"""Who may call which endpoint: every route the app serves, called by every kind of caller.

Allowed means any answer but 401/403: a 404, 409, 422 or 503 for the placeholder input still shows the caller
got past authorization. Refused means 401 problem+json for a caller who has not signed in (anonymous, or a
partner key where an account's access token is needed) and 403 problem+json for a signed-in user without the
role. A route the app serves but MATRIX does not list fails `test_every_route_is_in_the_matrix`, so a new
endpoint cannot ship without a decision about who may call it.

Most refusals come from dependencies, which FastAPI runs before it validates the body, so an invalid body could
not hide them (an empty body still gets the same 401/403). SIWE `purpose=link` is decided inside the handler, after
validation, so its body (like those of the public auth endpoints) is valid and the handler's answer shows.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from identity import tokens
from identity.models import RefreshToken
from indexer.store import save_checkpoint
from partners import service as partners
from partners.models import ApiScope
from tests.identity.factories import PASSWORD, SignedInUser, make_user

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
PROBLEM = "application/problem+json"

ROLES = ("fan", "artist", "auditor", "partner", "admin")
# A partner key with every scope, sent both ways the README allows.
KEY_CALLERS = ("key", "key-header")
CALLERS = ("anonymous", *ROLES, *KEY_CALLERS)
EVERYONE = frozenset(CALLERS)
SIGNED_IN = frozenset(ROLES)
ARTISTS = frozenset({"artist"})
ADMINS = frozenset({"admin"})
AUDITORS = frozenset({"auditor", "admin"})  # who may register and change assets (admin is not implicitly an artist)
PARTNERS = frozenset({"partner", "admin"})
WEBHOOK_MANAGERS = PARTNERS | frozenset(KEY_CALLERS)
USAGE_REPORTERS = PARTNERS | frozenset(KEY_CALLERS)  # a key with usage:write, or a signed-in partner or admin
# Answers that do not show the caller was let through: a refusal, a rate limit, a crash.
NOT_PROOF_OF_ACCESS = frozenset({401, 403, 429, 500})

PAYEE = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"
SPLIT = [{"address": PAYEE, "share_percent": "100"}]


@dataclass
class World:
    """The callers of one test and the placeholders their requests carry."""

    api: TestClient
    headers: dict[str, dict[str, str]]
    target: SignedInUser  # the account whose roles admins change, and who logs in and refreshes
    newcomer_email: str

    def refresh_token(self) -> str:
        """A fresh refresh token of `target` (each refresh or logout uses one up)."""
        context = self.api.app.state.context
        token, now = tokens.new_refresh_token(), datetime.now(UTC)
        with context.sessions.begin() as session:
            session.add(RefreshToken(id=uuid.uuid4(), family_id=uuid.uuid4(), user_id=self.target.id,
                                     token_hash=tokens.refresh_token_hash(token), parent_id=None, issued_at=now,
                                     expires_at=now + tokens.REFRESH_TOKEN_TTL))
        return token


Body = Callable[[World], dict]

# Path parameters by name; ids of nothing are fine (a 404 is past authorization).
PATH_VALUES: dict[str, Callable[[World], object]] = {
    "asset": lambda world: "swagger-ui.css",
    "user_id": lambda world: world.target.id,
    "role": lambda world: "auditor",
    "asset_id": lambda world: 1,
    "operation_id": lambda world: uuid.uuid4(),
    "key_id": lambda world: uuid.uuid4(),
    "endpoint_id": lambda world: uuid.uuid4(),
    "dispute_id": lambda world: uuid.uuid4(),
    "period_id": lambda world: 1,
    "entry_id": lambda world: uuid.uuid4(),
    "report_id": lambda world: uuid.uuid4(),
    "extension": lambda world: "json",
    "name": lambda world: "plays.csv",
    "upload_id": lambda world: uuid.uuid4(),
    "bonus_id": lambda world: uuid.uuid4(),
    "recording": lambda world: 1,
    "rendition": lambda world: "preview",
    "edition_id": lambda world: 1,
    "tx_hash": lambda world: "0x" + "ab" * 32,
    "invoice_id": lambda world: uuid.uuid4(),
    "order_id": lambda world: uuid.uuid4(),
    "event_id": lambda world: "evt_matrix",
    "notification_id": lambda world: uuid.uuid4(),
    "export_id": lambda world: uuid.uuid4(),
    "address": lambda world: PAYEE,
    # social
    "subject_type": lambda world: "post",
    "subject_id": lambda world: uuid.uuid4(),
    "post_id": lambda world: uuid.uuid4(),
    "comment_id": lambda world: uuid.uuid4(),
    "conversation_id": lambda world: uuid.uuid4(),
    "emoji": lambda world: "heart",
}


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    allowed: frozenset[str]
    body: Body | None = None
    variant: str = ""  # one route, several rules (SIWE login vs link)

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}" + (f" [{self.variant}]" if self.variant else "")


MATRIX = [
    # Operations and documentation: public.
    Row("GET", "/healthz", EVERYONE),
    Row("GET", "/readyz", EVERYONE),
    Row("GET", "/metrics", EVERYONE),
    Row("GET", "/openapi.json", EVERYONE),
    Row("GET", "/docs", EVERYONE),
    Row("GET", "/docs/oauth2-redirect", EVERYONE),
    Row("GET", "/redoc", EVERYONE),
    Row("GET", "/docs-assets/{asset}", EVERYONE),
    # Where the chain is, for browsers (the web app itself is the router's fallback, no route: public too).
    Row("GET", "/v1/chain", EVERYONE),
    # Signing in: anyone; the refresh token itself is the credential of refresh and logout.
    Row("POST", "/v1/auth/signup", EVERYONE, lambda w: {"email": w.newcomer_email, "password": PASSWORD}),
    Row("POST", "/v1/auth/login", EVERYONE, lambda w: {"email": w.target.email, "password": PASSWORD}),
    Row("POST", "/v1/auth/refresh", EVERYONE, lambda w: {"refresh_token": w.refresh_token()}),
    Row("POST", "/v1/auth/logout", EVERYONE, lambda w: {"refresh_token": w.refresh_token()}),
    # The link's token is the credential (here: missing, a 422 past authorization).
    Row("GET", "/v1/auth/verify-email", EVERYONE),
    # A bearer token is read (a `link` nonce names its account), so a partner key as one is refused.
    Row("POST", "/v1/auth/siwe/nonce", EVERYONE - {"key"}),
    # The message is no EIP-4361 message: a 422, once the handler has decided the caller may ask.
    # A partner key as a bearer token is read as an (invalid) access token, so it is refused even here.
    Row("POST", "/v1/auth/siwe/verify", EVERYONE - {"key"},
        lambda w: {"message": "not a SIWE message", "signature": "0x00", "purpose": "login"}, "login"),
    Row("POST", "/v1/auth/siwe/verify", SIGNED_IN,
        lambda w: {"message": "not a SIWE message", "signature": "0x00", "purpose": "link"}, "link"),
    Row("POST", "/v1/auth/users/{user_id}/roles", frozenset({"admin"}), lambda w: {"role": "auditor"}),
    Row("DELETE", "/v1/auth/users/{user_id}/roles/{role}", frozenset({"admin"})),
    # The account's own things; the artist profile and custodial wallet are for artists only (not admins).
    Row("GET", "/v1/me", SIGNED_IN),
    Row("GET", "/v1/me/artist-profile", frozenset({"artist"})),
    Row("PUT", "/v1/me/artist-profile", frozenset({"artist"}), lambda w: {"display_name": "Matrix Trio"}),
    Row("POST", "/v1/me/email-verification", SIGNED_IN),
    Row("GET", "/v1/me/wallets", SIGNED_IN),
    Row("POST", "/v1/me/wallets/custodial", frozenset({"artist"})),
    # A payee invitation is accepted by any signed-in account (the token and the account's e-mail decide then).
    Row("POST", "/v1/invitations/accept", SIGNED_IN, lambda w: {"token": "not-a-token"}),
    # Public reads; a key sent along must be valid and hold assets:read.
    Row("GET", "/v1/assets", EVERYONE),
    Row("GET", "/v1/assets/{asset_id}", EVERYONE),
    # Search and the genre/mood vocabulary: public, for everyone (discovery/search).
    Row("GET", "/v1/search", EVERYONE),
    Row("GET", "/v1/search/suggest", EVERYONE),
    Row("GET", "/v1/genres", EVERYONE),
    Row("GET", "/v1/moods", EVERYONE),
    # Registering and changing assets: artists only (whether the caller's wallet controls the asset is a
    # later, separate 403). Following: any signed-in user, who sees only
    # their own operations (admins every one).
    Row("POST", "/v1/works", ARTISTS,
        lambda w: {"title": "Blue Hour", "iswc": "T-034.524.680-1", "split": SPLIT}),
    Row("POST", "/v1/recordings", ARTISTS,
        lambda w: {"title": "Blue Hour", "isrc": "US-RC1-76-07839", "content_hash": "0x" + "ab" * 32,
                   "split": SPLIT}),
    Row("POST", "/v1/works/prepare", ARTISTS,
        lambda w: {"title": "Blue Hour", "iswc": "T-034.524.680-1", "split": SPLIT}),
    Row("POST", "/v1/recordings/prepare", ARTISTS,
        lambda w: {"title": "Blue Hour", "isrc": "US-RC1-76-07839", "content_hash": "0x" + "ab" * 32,
                   "split": SPLIT}),
    Row("POST", "/v1/signed-requests", ARTISTS, lambda w: {"typed_data": {}, "signature": "0x" + "11" * 65}),
    Row("POST", "/v1/assets/{asset_id}/split", ARTISTS, lambda w: {"split": SPLIT}),
    Row("POST", "/v1/assets/{asset_id}/controller", ARTISTS, lambda w: {"new_controller": PAYEE}),
    Row("POST", "/v1/assets/{asset_id}/split/lock", ARTISTS),
    Row("POST", "/v1/assets/{asset_id}/split/lock/prepare", ARTISTS),
    Row("POST", "/v1/assets/{asset_id}/controller/accept", ARTISTS),
    Row("POST", "/v1/assets/{asset_id}/controller/accept/prepare", ARTISTS),
    Row("GET", "/v1/operations/{operation_id}", SIGNED_IN),
    # Editions: an artist creates one (whether the wallet controls the asset is a later 403); anyone reads them
    # from the mirror; any signed-in account buys with a linked wallet and sees its own collection.
    Row("POST", "/v1/editions", ARTISTS,
        lambda w: {"asset_id": 1, "title": "Blue Hour", "price": 0, "max_supply": 10}),
    Row("POST", "/v1/editions/prepare", ARTISTS,
        lambda w: {"asset_id": 1, "title": "Blue Hour", "price": 0, "max_supply": 10}),
    Row("GET", "/v1/editions", EVERYONE),
    Row("GET", "/v1/editions/{edition_id:int}", EVERYONE),  # :int, or /v1/editions/prepare would match it
    Row("GET", "/v1/editions/{edition_id}/holders", EVERYONE),
    Row("POST", "/v1/editions/{edition_id}/purchase/prepare", SIGNED_IN, lambda w: {"wallet": PAYEE}),
    # Card purchases: any signed-in account buys for itself and reads only its own orders (another's is a 404).
    Row("POST", "/v1/editions/{edition_id}/checkout", SIGNED_IN, lambda w: {"quantity": 1}),
    Row("GET", "/v1/me/orders", SIGNED_IN),
    Row("GET", "/v1/me/orders/{order_id}", SIGNED_IN),
    Row("GET", "/v1/me/collection", SIGNED_IN),
    Row("GET", "/v1/me/edition-purchases/{tx_hash}", SIGNED_IN),
    # Disputes: a party to the asset files one (artists; the wallet check is a later 403); anyone reads them
    # (the reason only for admins, auditors and the opener); admins arbitrate.
    Row("POST", "/v1/assets/{asset_id}/disputes", ARTISTS, lambda w: {"reason": "I co-wrote it"}),
    Row("GET", "/v1/assets/{asset_id}/disputes", EVERYONE),
    Row("GET", "/v1/disputes/{dispute_id}", EVERYONE),
    Row("POST", "/v1/disputes/{dispute_id}/freeze", frozenset({"admin"})),
    Row("POST", "/v1/disputes/{dispute_id}/resolve", frozenset({"admin"}),
        lambda w: {"outcome": "rejected", "note": "nothing to correct"}),
    # Keys are managed by a signed-in partner or admin, never with a key.
    Row("POST", "/v1/partner/keys", PARTNERS, lambda w: {"name": "matrix", "scopes": ["assets:read"]}),
    Row("GET", "/v1/partner/keys", PARTNERS),
    Row("DELETE", "/v1/partner/keys/{key_id}", PARTNERS),
    # Webhooks: a key with webhooks:manage, or a signed-in partner or admin.
    Row("POST", "/v1/partner/webhooks", WEBHOOK_MANAGERS,
        lambda w: {"url": "https://partner.example/hooks", "events": ["asset.registered"]}),
    Row("GET", "/v1/partner/webhooks", WEBHOOK_MANAGERS),
    Row("DELETE", "/v1/partner/webhooks/{endpoint_id}", WEBHOOK_MANAGERS),
    Row("GET", "/v1/partner/webhooks/{endpoint_id}/deliveries", WEBHOOK_MANAGERS),
    # Usage in: anyone signed in plays; partners report usage (a key with usage:write, or signed in).
    Row("POST", "/v1/playback-sessions", SIGNED_IN, lambda w: {"asset_id": 1}),
    Row("POST", "/v1/plays", SIGNED_IN, lambda w: {"token": "pbs_not-a-token", "played_ms": 31_000}),
    Row("POST", "/v1/periods/{period_id}/usage-reports", USAGE_REPORTERS),
    Row("GET", "/v1/periods/{period_id}/usage-reports", USAGE_REPORTERS),
    Row("GET", "/v1/usage-reports/{report_id}", USAGE_REPORTERS),
    # Royalty periods: admins open, fund, close and publish them; periods and statements are public (the root
    # is on chain); earnings and claims are the caller's own; auditors (and admins) verify and download inputs.
    Row("POST", "/v1/periods", ADMINS, lambda w: {"ends_at": "2026-12-01T00:00:00Z",
                                                  "starts_at": "2026-11-01T00:00:00Z"}),
    Row("GET", "/v1/periods", EVERYONE),
    Row("GET", "/v1/periods/{period_id}", EVERYONE),
    Row("POST", "/v1/periods/{period_id}/revenue", ADMINS,
        lambda w: {"source": "subscriptions", "amount": 100, "currency": "USD", "reference": "matrix"}),
    Row("POST", "/v1/periods/{period_id}/revenue/{entry_id}/void", ADMINS, lambda w: {"reason": "matrix"}),
    Row("POST", "/v1/periods/{period_id}/close", ADMINS),
    Row("POST", "/v1/periods/{period_id}/publish", ADMINS),
    Row("GET", "/v1/periods/{period_id}/statement.{extension}", EVERYONE),
    Row("GET", "/v1/me/earnings", SIGNED_IN),
    Row("GET", "/v1/me/claims", SIGNED_IN),
    Row("POST", "/v1/me/claims", SIGNED_IN, lambda w: {"account": "not-an-address"}),  # whose wallet: a later 403
    Row("GET", "/v1/audit/periods/{period_id}", AUDITORS),
    Row("GET", "/v1/audit/periods/{period_id}/inputs/{name}", AUDITORS),
    # Uploads are artists' own (another artist's upload is a 404); tus discovery is public.
    Row("OPTIONS", "/v1/uploads", EVERYONE),
    Row("POST", "/v1/uploads", ARTISTS),
    Row("GET", "/v1/uploads", ARTISTS),
    Row("HEAD", "/v1/uploads/{upload_id}", ARTISTS),
    Row("PATCH", "/v1/uploads/{upload_id}", ARTISTS),
    Row("GET", "/v1/uploads/{upload_id}", ARTISTS),
    Row("DELETE", "/v1/uploads/{upload_id}", ARTISTS),
    Row("POST", "/v1/uploads/{upload_id}/retry", ARTISTS),
    # Streams: the signed URL is the credential (previews need none); a bearer token sent along must be valid.
    Row("GET", "/v1/streams/{recording}/{rendition:path}", EVERYONE - {"key"}),
    Row("HEAD", "/v1/streams/{recording}/{rendition:path}", EVERYONE - {"key"}),
    # Exclusive recordings: anyone sees whether one is; its controller (an artist) sets and clears it.
    Row("GET", "/v1/recordings/{asset_id}/gate", EVERYONE),
    Row("PUT", "/v1/recordings/{asset_id}/gate", ARTISTS, lambda w: {"edition_id": 1}),
    Row("DELETE", "/v1/recordings/{asset_id}/gate", ARTISTS),
    # Bonus files: anyone sees the list (a bearer token sent along must be valid); the controller attaches and
    # detaches; the signed link is the download's credential.
    Row("GET", "/v1/recordings/{asset_id}/bonus-files", EVERYONE - {"key"}),
    Row("POST", "/v1/recordings/{asset_id}/bonus-files", ARTISTS,
        lambda w: {"upload_id": str(uuid.uuid4()), "title": "Stems"}),
    Row("DELETE", "/v1/bonus-files/{bonus_id}", ARTISTS),
    Row("GET", "/v1/bonus-files/{bonus_id}/download", EVERYONE),
    # Payments: Stripe's webhook is public (its signature is the credential: without one a 400); plans are public;
    # a subscription and its receipts are the caller's own; refunds and dead-lettered events are for admins.
    Row("POST", "/v1/webhooks/stripe", EVERYONE),
    Row("GET", "/v1/subscription-plans", EVERYONE),
    Row("POST", "/v1/me/subscription", SIGNED_IN, lambda w: {"interval": "month", "currency": "XXX"}),
    Row("GET", "/v1/me/subscription", SIGNED_IN),
    Row("POST", "/v1/me/subscription/plan", SIGNED_IN, lambda w: {"interval": "year"}),
    Row("POST", "/v1/me/subscription/cancel", SIGNED_IN),
    Row("POST", "/v1/me/subscription/resume", SIGNED_IN),
    Row("POST", "/v1/me/subscription/portal", SIGNED_IN),
    Row("GET", "/v1/me/invoices", SIGNED_IN),
    Row("POST", "/v1/admin/payments/invoices/{invoice_id}/refunds", ADMINS, lambda w: {"reason": "matrix"}),
    Row("GET", "/v1/admin/payments/dead-letters", ADMINS),
    Row("POST", "/v1/admin/payments/dead-letters/{event_id}/retry", ADMINS),
    # Notifications: each account its own (another's notification is a 404); the unsubscribe link's token is the
    # credential (here: missing, a 422); admins keep the e-mail suppression list.
    Row("GET", "/v1/me/notifications", SIGNED_IN),
    Row("GET", "/v1/me/notifications/unread-count", SIGNED_IN),
    Row("POST", "/v1/me/notifications/read-all", SIGNED_IN),
    Row("POST", "/v1/me/notifications/{notification_id}/read", SIGNED_IN),
    Row("GET", "/v1/me/notifications/stream", SIGNED_IN),
    Row("GET", "/v1/me/notification-preferences", SIGNED_IN),
    Row("PUT", "/v1/me/notification-preferences", SIGNED_IN,
        lambda w: {"preferences": [{"kind": "like", "channel": "email", "delivery": "daily"}]}),
    Row("GET", "/v1/notifications/unsubscribe", EVERYONE),
    Row("POST", "/v1/notifications/unsubscribe", EVERYONE),
    Row("POST", "/v1/admin/email-suppressions", ADMINS, lambda w: {"address": "bounced@example.com"}),
    # Privacy: one's own export and erasure (each caller here is an account of its own); the download link's
    # token is the credential (here: missing, a 422).
    Row("POST", "/v1/me/export", SIGNED_IN),
    Row("GET", "/v1/me/exports/{export_id}", SIGNED_IN),
    Row("GET", "/v1/exports/{export_id}/download", EVERYONE),
    Row("DELETE", "/v1/me", SIGNED_IN, lambda w: {"confirm": str(uuid.uuid4())}),  # not the caller's id: a 422
    # Discovery: trending, related and popular lists are public; recommendations are the caller's own.
    Row("GET", "/v1/trending", EVERYONE),
    Row("GET", "/v1/recordings/{asset_id}/related", EVERYONE),
    Row("GET", "/v1/artists/{address}/related", EVERYONE),
    Row("GET", "/v1/me/recommendations", SIGNED_IN),
    # Analytics: artists and partners signed in (admins too), or a key with analytics:read; each sees only what
    # its own wallets hold (here: nothing, a 404 past authorization).
    Row("GET", "/v1/analytics/plays", frozenset({"artist", "partner", "admin", *KEY_CALLERS})),
    Row("GET", "/v1/analytics/territories", frozenset({"artist", "partner", "admin", *KEY_CALLERS})),
    *(Row("GET", f"/v1/analytics/{series}", frozenset({"artist", "partner", "admin", *KEY_CALLERS}))
      for series in ("breakdown", "followers", "revenue", "editions")),
    # Social: reads are public (a bearer token sent along must be valid, so a key as one is refused); writes need
    # a signed-in account; posts are artists' (fans' only when HARMONI_SOCIAL_FANS_MAY_POST); moderation is admins'.
    Row("PUT", "/v1/me/social-profile", SIGNED_IN, lambda w: {"dm_policy": "followers"}),
    Row("GET", "/v1/accounts/{user_id}", EVERYONE - {"key"}),
    Row("PUT", "/v1/accounts/{user_id}/follow", SIGNED_IN),
    Row("DELETE", "/v1/accounts/{user_id}/follow", SIGNED_IN),
    Row("PUT", "/v1/accounts/{user_id}/block", SIGNED_IN),
    Row("DELETE", "/v1/accounts/{user_id}/block", SIGNED_IN),
    Row("PUT", "/v1/accounts/{user_id}/mute", SIGNED_IN),
    Row("DELETE", "/v1/accounts/{user_id}/mute", SIGNED_IN),
    Row("GET", "/v1/accounts/{user_id}/followers", EVERYONE - {"key"}),
    Row("GET", "/v1/accounts/{user_id}/following", EVERYONE - {"key"}),
    Row("GET", "/v1/accounts/{user_id}/timeline", EVERYONE - {"key"}),
    Row("PUT", "/v1/likes/{subject_type}/{subject_id}", SIGNED_IN),
    Row("DELETE", "/v1/likes/{subject_type}/{subject_id}", SIGNED_IN),
    Row("PUT", "/v1/reposts/{subject_type}/{subject_id}", SIGNED_IN),
    Row("DELETE", "/v1/reposts/{subject_type}/{subject_id}", SIGNED_IN),
    Row("POST", "/v1/posts", ARTISTS, lambda w: {"text": "matrix post #social"}),
    Row("GET", "/v1/posts/{post_id}", EVERYONE - {"key"}),
    Row("PATCH", "/v1/posts/{post_id}", SIGNED_IN, lambda w: {"text": "edited"}),  # someone else's: a later 404
    Row("DELETE", "/v1/posts/{post_id}", SIGNED_IN),
    Row("GET", "/v1/posts/{post_id}/revisions", EVERYONE - {"key"}),
    Row("GET", "/v1/posts/{post_id}/comments", EVERYONE - {"key"}),
    Row("POST", "/v1/posts/{post_id}/comments", SIGNED_IN, lambda w: {"text": "nice"}),
    Row("GET", "/v1/recordings/{asset_id}/comments", EVERYONE - {"key"}),
    Row("POST", "/v1/recordings/{asset_id}/comments", SIGNED_IN, lambda w: {"text": "nice", "at": "1:32"}),
    Row("DELETE", "/v1/comments/{comment_id}", SIGNED_IN),
    Row("GET", "/v1/recordings/{asset_id}/activity", EVERYONE - {"key"}),
    Row("GET", "/v1/recordings/{asset_id}/social", EVERYONE - {"key"}),
    Row("PUT", "/v1/reactions/{subject_type}/{subject_id}/{emoji}", SIGNED_IN),
    Row("DELETE", "/v1/reactions/{subject_type}/{subject_id}/{emoji}", SIGNED_IN),
    Row("GET", "/v1/me/feed", SIGNED_IN),
    Row("POST", "/v1/messages", SIGNED_IN, lambda w: {"recipient_id": str(w.target.id), "text": "hi"}),
    Row("GET", "/v1/me/conversations", SIGNED_IN),
    Row("GET", "/v1/conversations/{conversation_id}/messages", SIGNED_IN),
    Row("POST", "/v1/conversations/{conversation_id}/read", SIGNED_IN),
    Row("POST", "/v1/conversations/{conversation_id}/accept", SIGNED_IN),
    Row("POST", "/v1/reports", SIGNED_IN,
        lambda w: {"subject_type": "account", "subject_id": str(w.target.id), "reason": "spam"}),
    Row("GET", "/v1/admin/reports", ADMINS),
    Row("POST", "/v1/admin/reports/{report_id}/actions", ADMINS, lambda w: {"action": "dismiss"}),
]


def served_routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path template) of every route, included routers flattened.

    HEAD only where a route declares it (Starlette adds it to plain GET routes); a route without methods
    (a mount) is listed with method "*", so it too needs a row.
    """
    served = set()
    for route in iter_route_contexts(app.routes):
        methods = set(route.methods or ()) or {"*"}
        if not isinstance(route.original_route, APIRoute) and "GET" in methods:
            methods.discard("HEAD")
        served |= {(method, route.path) for method in methods}
    return served


def matrix_gaps(app: FastAPI) -> list[str]:
    listed = {(row.method, row.path) for row in MATRIX}
    served = served_routes(app)
    return ([f"add {method} {path} to the authorization matrix" for method, path in sorted(served - listed)]
            + [f"remove {method} {path} from the authorization matrix: the app does not serve it"
               for method, path in sorted(listed - served)])


def refusal(caller: str) -> tuple[int, str]:
    """Status and problem type of a refusal: 401 for whoever has not signed in, 403 for a missing role.

    A key is not an account's access token: as a bearer token it is an invalid one, as X-API-Key it is ignored
    where only accounts are admitted. (With every scope, a key is never refused for a missing scope.)
    """
    if caller in SIGNED_IN:
        return 403, "forbidden"
    return 401, "invalid-token" if caller == "key" else "unauthenticated"


def _world(api: TestClient) -> World:
    context = api.app.state.context
    sessions, settings = context.sessions, context.settings
    users = {role: make_user(sessions, settings, role) for role in ROLES}
    key_owner = make_user(sessions, settings, "partner")
    with sessions.begin() as session:
        key = partners.issue_key(session, key_owner.id, "matrix", list(ApiScope)).key
        save_checkpoint(session, settings.chain_id, 1, b"\x01" * 32)  # so the asset reads answer
    headers = {"anonymous": {}, **{role: user.headers for role, user in users.items()},
               "key": {"Authorization": f"Bearer {key}"}, "key-header": {"X-API-Key": key}}
    return World(api=api, headers=headers, target=make_user(sessions, settings, "fan"),
                 newcomer_email=f"newcomer-{uuid.uuid4().hex[:8]}@example.com")


def _path(template: str, world: World) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in PATH_VALUES:
            pytest.fail(f"no placeholder for the path parameter {name!r} of {template}: add one to PATH_VALUES")
        return str(PATH_VALUES[name](world))

    return re.sub(r"\{(\w+)(?::\w+)?\}", value, template)


def _mismatch(row: Row, caller: str, world: World) -> str | None:
    """Why `caller`'s answer breaks the row's rule, or None."""
    response = world.api.request(row.method, _path(row.path, world), headers=world.headers[caller],
                                 json=row.body(world) if row.body else None)
    status, excerpt = response.status_code, response.text[:160]
    if caller in row.allowed:
        if status in NOT_PROOF_OF_ACCESS:
            return f"{caller:<10} expected allowed, got {status}: {excerpt}"
        return None
    expected, slug = refusal(caller)
    if status != expected:
        return f"{caller:<10} expected refused with {expected} {slug}, got {status}: {excerpt}"
    if response.headers.get("content-type") != PROBLEM:
        return f"{caller:<10} refused with {status} but not as problem+json: {response.headers.get('content-type')}"
    if row.method == "HEAD":  # no body to read the problem's type from
        return None
    problem = response.json()
    if problem.get("status") != status or not problem.get("type", "").endswith("/" + slug):
        return f"{caller:<10} expected refused with {expected} {slug}, got the problem {excerpt}"
    return None


@pytest.mark.parametrize("row", MATRIX, ids=lambda row: row.id)
def test_who_may_call(api, row):
    world = _world(api)
    mismatches = [found for caller in CALLERS if (found := _mismatch(row, caller, world))]
    allowed = ", ".join(caller for caller in CALLERS if caller in row.allowed) or "nobody"
    if mismatches:
        pytest.fail(f"{row.id} (allowed: {allowed})\n" + "\n".join(mismatches), pytrace=False)


def test_every_route_is_in_the_matrix(api):
    gaps = matrix_gaps(api.app)
    if gaps:
        pytest.fail("\n".join(gaps), pytrace=False)
    ids = [row.id for row in MATRIX]
    assert len(ids) == len(set(ids)), "a row of the authorization matrix appears twice"
    assert {name for row in MATRIX for name in re.findall(r"\{(\w+)", row.path)} <= set(PATH_VALUES)


def test_a_route_missing_from_the_matrix_is_named(api):
    api.app.add_api_route("/v1/unlisted/{thing_id}", lambda thing_id: {}, methods=["PATCH"])
    assert matrix_gaps(api.app) == ["add PATCH /v1/unlisted/{thing_id} to the authorization matrix"]
