"""Webhook events from chain events, their signature (and its verification), and which URLs we send to.

Signature: `Harmoni-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, f"{t}.{raw body}")>`. Receivers
recompute it over the raw request body with the endpoint's secret, compare in constant time, and refuse
timestamps more than a few minutes old (replays). `verify_signature` does exactly that.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from indexer.models import ChainEvent
from indexer.projector import ASSET_KINDS, ZERO_HASH
from partners.errors import WebhookUrlRefused
from partners.models import WebhookEventType

SIGNATURE_HEADER = "Harmoni-Signature"
EVENT_ID_HEADER = "Harmoni-Event-Id"
SECRET_PREFIX = "whsec_"  # noqa: S105 -- a prefix, not a secret
# (contract, event) -> webhook type; SplitUpdated only from version 2 on (version 1 comes with the registration).
SUBSCRIBED = {
    ("RightsRegistry", "AssetRegistered"): WebhookEventType.asset_registered,
    ("RightsRegistry", "SplitUpdated"): WebhookEventType.split_changed,
    ("PayoutDistributor", "PeriodPublished"): WebhookEventType.payout_published,
}


@dataclass(frozen=True)
class WebhookEvent:
    id: str
    type: WebhookEventType
    chain_id: int
    block_number: int
    block_hash: bytes
    log_index: int
    data: dict[str, Any]

    def body(self, created_at: datetime) -> str:
        """The JSON every endpoint receives for this event, byte for byte the same on each retry."""
        return json.dumps({"id": self.id, "type": self.type.value, "created_at": created_at.isoformat(),
                           "data": self.data,
                           "block": {"number": self.block_number, "hash": "0x" + self.block_hash.hex()}},
                          separators=(",", ":"))


def new_signing_secret() -> str:
    return SECRET_PREFIX + secrets.token_hex(24)


def event_id(chain_id: int, block_hash: bytes, log_index: int) -> str:
    """Stable per chain event: the same log always has the same id; a reorged-in replacement gets a new one."""
    return "evt_" + hashlib.sha256(f"{chain_id}:{block_hash.hex()}:{log_index}".encode()).hexdigest()[:32]


def event_from_chain(row: ChainEvent) -> WebhookEvent | None:
    """The webhook event a chain event stands for, or None when partners are not told about it."""
    kind = SUBSCRIBED.get((row.contract, row.event))
    a = row.args
    if kind is None or (kind is WebhookEventType.split_changed and a["version"] <= 1):
        return None
    data: dict[str, Any] = {"chain_id": row.chain_id, "tx_hash": "0x" + bytes(row.tx_hash).hex(),
                            "log_index": row.log_index}
    if kind is WebhookEventType.asset_registered:
        data.update(asset_id=a["assetId"], kind=ASSET_KINDS.get(a["kind"], str(a["kind"])), controller=a["controller"],
                    industry_code=bytes.fromhex(a["industryCode"][2:]).rstrip(b"\0").decode("ascii", "replace"),
                    content_hash=None if a["contentHash"] == ZERO_HASH else a["contentHash"],
                    work_ids=list(a["workIds"]), metadata_uri=a["metadataURI"])
    elif kind is WebhookEventType.split_changed:
        data.update(asset_id=a["assetId"], version=a["version"], split_hash=a["splitHash"],
                    recipients=list(a["recipients"]), allocations=list(a["allocations"]))
    else:
        # Token amounts are uint256: decimal strings, so no JSON parser rounds them.
        data.update(period_id=a["periodId"], root=a["root"], previous_root=a["previousRoot"],
                    cumulative_total=str(a["cumulativeTotal"]), funded=str(a["funded"]),
                    statement_hash=a["statementHash"], statement_uri=a["statementURI"])
    block_hash = bytes(row.block_hash)
    return WebhookEvent(id=event_id(row.chain_id, block_hash, row.log_index), type=kind, chain_id=row.chain_id,
                        block_number=row.block_number, block_hash=block_hash, log_index=row.log_index, data=data)


def _mac(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secret: str, body: str | bytes, timestamp: int | None = None) -> str:
    """The `Harmoni-Signature` header value for `body` sent at `timestamp` (now by default)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    raw = body.encode() if isinstance(body, str) else body
    return f"t={timestamp},v1={_mac(secret, timestamp, raw)}"


def verify_signature(secret: str, header: str, body: str | bytes, tolerance_s: int = 300,
                     now: float | None = None) -> bool:
    """True when `header` signs exactly `body` with `secret` and its timestamp is within `tolerance_s` of now.

    `body` must be the raw request body as received (not re-serialised JSON). Any `v1=` entry may match,
    so a header carrying signatures under an old and a new secret verifies with either.
    """
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance_s:
        return False
    expected = _mac(secret, timestamp, body.encode() if isinstance(body, str) else body)
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)


# Prefixes whose last 32 bits are an IPv4 address the packet really goes to (NAT64, its local-use range,
# and the deprecated IPv4-compatible form); 6to4, Teredo and IPv4-mapped are decoded by `ipaddress` itself.
_EMBEDDING_PREFIXES = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"),
                       ipaddress.IPv6Network("::/96"))

Resolver = Callable[..., list]


@dataclass(frozen=True)
class Target:
    """Where a delivery goes: the URL as registered and the one address, checked, that we connect to."""

    url: str
    scheme: str
    host: str  # for the Host header, TLS SNI and the certificate check
    port: int
    address: str
    public: bool  # whether `address` is a global one (private answers are not shown outside development)


def embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address stands for (mapped, NAT64, 6to4, Teredo, IPv4-compatible)."""
    found = [a for a in (address.ipv4_mapped, address.sixtofour) if a is not None]
    if address.teredo is not None:
        found += list(address.teredo)
    if any(address in prefix for prefix in _EMBEDDING_PREFIXES):
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def is_public_address(address: str) -> bool:
    """True for a global address, an IPv6 one only when every IPv4 address it embeds is global as well."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = embedded_ipv4(ip)
        if embedded:
            return all(a.is_global for a in embedded)
    return ip.is_global


def resolve_target(url: str, *, public_only: bool, resolver: Resolver = socket.getaddrinfo) -> Target:
    """Check `url` and resolve its host once; the delivery connects to the returned address and no other.

    With `public_only` (production) only https, and every address the host resolves to must be public, so
    an answer that mixes a public and a private address is refused rather than raced.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookUrlRefused("the URL must be http(s) with a host")
    if parts.username or parts.password:
        raise WebhookUrlRefused("the URL must not carry credentials")
    if public_only and parts.scheme != "https":
        raise WebhookUrlRefused("webhook URLs must use https")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as err:
        raise WebhookUrlRefused("the URL's port is not a number between 0 and 65535") from err
    try:
        addresses = [info[4][0] for info in resolver(parts.hostname, port, type=socket.SOCK_STREAM)]
    except (OSError, UnicodeError) as err:
        raise WebhookUrlRefused(f"the host {parts.hostname} does not resolve") from err
    if not addresses:
        raise WebhookUrlRefused(f"the host {parts.hostname} does not resolve")
    public = all(is_public_address(a) for a in addresses)
    if public_only and not public:
        raise WebhookUrlRefused(f"the host {parts.hostname} is not a public address")
    return Target(url=url, scheme=parts.scheme, host=parts.hostname, port=port, address=addresses[0],
                  public=is_public_address(addresses[0]))


def check_url(url: str, *, public_only: bool, resolver: Resolver = socket.getaddrinfo) -> str:
    """The URL if we may send to it; with `public_only` (production) only https to public addresses.

    Called when an endpoint is registered; each delivery checks again with `resolve_target` and connects to
    the address it checked.
    """
    parts = urlsplit(url)
    if not public_only and parts.scheme in ("http", "https") and parts.hostname and not (
            parts.username or parts.password):
        return url  # development: any host, resolved only when a delivery goes out
    return resolve_target(url, public_only=public_only, resolver=resolver).url


def warn_when_unrestricted(env: str, logger: logging.Logger) -> None:
    """Say at start, loudly, when webhook URLs may point anywhere (every environment but production)."""
    if env != "production":
        logger.warning("WEBHOOK URLS ARE NOT RESTRICTED (HARMONI_ENV=%s): partners may register http URLs and "
                       "private or loopback addresses, and the platform will POST to them; only production "
                       "limits webhooks to https on public addresses", env)
