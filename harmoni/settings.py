"""One settings class for the whole platform: every component is chosen here, never by code edits."""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Values that mark a secret as "not set by a human"; refused outside development.
PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "dev", "development", "test"})


LEGACY_DEV_SECRET = "change-me"  # noqa: S105 -- the fixed development default before generated secrets
_SECRETS = ("secret_key", "wallet_encryption_key")
DEV_SECRETS_FILE = "dev-secrets.json"


def _is_placeholder(value: SecretStr) -> bool:
    return value.get_secret_value().strip().lower() in PLACEHOLDER_SECRETS


def _is_loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:  # a host name, or empty (every address): not provably loopback
        return False


def development_secrets(data_dir: Path) -> dict[str, str]:
    """Random secrets for a development or test stack, made once per data directory (mode 0600) and read back by
    every process of the stack, so tokens one signs another accepts."""
    path = data_dir / DEV_SECRETS_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        values = {name: secrets.token_urlsafe(32) for name in _SECRETS}
        temporary = data_dir / f".{DEV_SECRETS_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as file:
            json.dump(values, file)
        try:
            os.link(temporary, path)  # atomic, and never replaces a file another process made first
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    values = json.loads(path.read_text())
    missing = [name for name in _SECRETS if not values.get(name)]
    if missing:
        raise SettingsError(f"{path} lacks {', '.join(missing)}: delete it to generate new development secrets")
    return values


class GeneratedSecret(SecretStr):
    """A development secret of `<data dir>/dev-secrets.json`, read (or generated) when first used, so a command
    that stops before needing it creates nothing."""

    def __init__(self, data_dir: Path, name: str) -> None:
        super().__init__("")
        self._data_dir, self._name = data_dir, name

    def get_secret_value(self) -> str:
        if not self._secret_value:
            self._secret_value = development_secrets(self._data_dir)[self._name]
        return self._secret_value

    def __len__(self) -> int:
        return len(self.get_secret_value())

    def _display(self) -> str:
        return "**********"


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class StorageBackend(StrEnum):
    filesystem = "filesystem"
    s3 = "s3"


class SettingsError(ValueError):
    """Settings that cannot run: the message names the variable to fix."""


class Settings(BaseSettings):
    """All `HARMONI_*` settings; `.env` in the working directory is read too."""

    model_config = SettingsConfigDict(env_prefix="HARMONI_", env_file=".env", extra="ignore")

    env: Environment = Environment.development
    data_dir: Path = Field(Path("./var"), description="Embedded PostgreSQL, anvil state, local deployments, files")
    log_level: str = "INFO"

    # Database: empty means the embedded PostgreSQL server in the data directory.
    database_url: str = ""

    # Chain: empty RPC URL means a managed anvil node with its state in the data directory.
    rpc_url: str = ""
    chain_id: int = 31337
    # The JSON-RPC URL browsers are told to read the chain from (the auditor's page). Empty: the managed anvil's
    # URL; a configured `rpc_url` is never shown, since provider URLs often carry an API key.
    public_rpc_url: str = ""
    anvil_port: int = 8545
    # The managed anvil mines a block every this many seconds, like a real chain (0: only when a transaction
    # comes); its `finalized` tag trails the head by two blocks, so settling a period waits seconds, not minutes.
    anvil_block_time_s: float = Field(1.0, ge=0)
    rpc_timeout_s: float = 10.0
    # Blocks the indexer may trail the head before /readyz fails.
    indexer_max_lag_blocks: int = 12
    indexer_poll_interval_s: float = 0.5
    # /readyz answers within this, naming a part that has not answered (a hanging database or chain).
    readyz_timeout_s: float = Field(1.0, gt=0, le=30)
    # Empty: trust the node's `finalized` tag (Polygon: milestones), else this many blocks (Polygon: 256).
    finality_depth: int | None = None
    indexer_metrics_port: int = 9464
    # eth_getLogs block ranges in backfill: start here, double on success up to the max (provider limits).
    indexer_initial_range: int = 2_000
    indexer_max_range: int = 100_000
    # Payout token on public chains (e.g. USDC on Polygon); local chains deploy a dev stablecoin.
    payout_token_address: str = ""
    platform_fee_bps: int = 500
    treasury_address: str = ""
    # Polygon rejects priority fees under ~25 gwei; 0 lets the node suggest one.
    min_priority_fee_wei: int = 0
    tx_receipt_timeout_s: float = 120.0
    # A transaction not mined after this long is replaced with fees bumped by 12.5%, at most max_bumps times.
    tx_stuck_after_s: float = 30.0
    tx_max_bumps: int = 3

    # Keys: deployer/relayer keys come from env or a keystore file, never from a command-line flag.
    deployer_private_key: SecretStr = SecretStr("")
    deployer_keystore: Path | None = None
    deployer_keystore_password: SecretStr = SecretStr("")
    relayer_private_key: SecretStr = SecretStr("")

    # Royalties: the platform's share of streaming, partner and direct revenue, in basis points; how long after a
    # period's end it may close (plays in flight when it ended have landed by then).
    royalty_fee_bps: int = Field(3000, ge=0, le=10_000)
    period_close_grace_s: int = Field(60, ge=0)
    # Sanity bounds on what an admin records: revenue above this (currency's smallest unit; 1e9 cents = 10M USD)
    # needs the amount sent twice (`confirm_amount`); a period may end at most this many days from now.
    revenue_confirm_above: int = Field(1_000_000_000, ge=1)
    period_max_days_ahead: int = Field(400, ge=1)

    # API
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    api_workers: int = 1
    max_request_bytes: int = 1_048_576  # larger JSON bodies get 413 (uploads have their own limit)
    # Request line and headers together; larger requests get 431.
    max_header_bytes: int = Field(16_384, ge=1024)
    # Addresses or networks (comma-separated) of the reverse proxies in front of the API: only a request from one of
    # them may name its client in X-Forwarded-For. Empty: nobody, the TCP peer is the client.
    trusted_proxies: str = ""
    # The header in which such a proxy names the client's country (`CF-IPCountry` behind Cloudflare); plays keep
    # that country code (and nothing finer) for territory trending and analytics. Empty: no header is read.
    play_country_header: str = ""
    public_url: str = ""
    # The built web app served at `/` (`make web` writes it); empty: `web/dist` in the repository.
    web_dist_dir: Path | None = None
    # How long the link in a payee invitation e-mail stays valid; an expired one is replaced by a new e-mail.
    invitation_ttl_hours: int = Field(168, ge=1)
    # How long an e-mail verification link works, and how many an account may ask for per hour.
    email_verification_ttl_hours: int = Field(48, ge=1)
    email_verifications_per_hour: int = Field(5, ge=1)
    # Sign-in throttling (identity/throttle.py): wrong passwords per address before the backoff starts, its
    # longest lock; attempts per client IP per minute; sign-ups per client IP per hour; concurrent argon2 hashes
    # (0: one per CPU) and how long a sign-in waits for one before a 503.
    login_free_failures: int = Field(5, ge=1)
    login_backoff_max_s: int = Field(900, ge=1)
    login_attempts_per_ip_per_minute: int = Field(30, ge=1)
    signups_per_ip_per_hour: int = Field(20, ge=1)
    password_hashing_concurrency: int = Field(0, ge=0)
    password_hashing_wait_s: float = Field(10.0, gt=0)

    # Background jobs: Celery over Redis when set; otherwise tasks run in-process (eager).
    redis_url: str = ""
    # Requests per API key per minute (counted in Redis; in-process, per API process, without Redis).
    partner_rate_limit_per_minute: int = Field(600, ge=1)
    # …and per account, all its keys together.
    partner_account_rate_limit_per_minute: int = Field(600, ge=1)

    # Usage in: plays from the platform's player, partners' usage reports.
    payout_currency: str = Field("USD", pattern=r"^[A-Z]{3}$")  # ISO 4217; usage reports must be in it
    # Requests to /v1/playback-sessions and /v1/plays per minute, per account and per client IP.
    play_rate_limit_per_minute: int = Field(120, ge=1)
    play_ip_rate_limit_per_minute: int = Field(600, ge=1)
    # Above these a play is kept but flagged and not counted: counted plays of one listener per hour,
    # plays reported from one IP per hour.
    play_listener_max_counted_per_hour: int = Field(120, ge=1)
    play_ip_max_per_hour: int = Field(3000, ge=1)
    playback_session_ttl_s: int = Field(4 * 3600, ge=60)  # a play must be reported within this

    # Object storage
    storage_backend: StorageBackend = StorageBackend.filesystem
    storage_path: Path | None = None
    s3_bucket: str = ""
    s3_endpoint_url: str = ""
    s3_region: str = "us-east-1"
    s3_access_key_id: SecretStr = SecretStr("")
    s3_secret_access_key: SecretStr = SecretStr("")

    # Content: uploads, transcoding, streaming.
    upload_max_bytes: int = Field(1 << 30, ge=1)  # one file
    upload_max_duration_s: int = Field(2 * 3600, ge=1)
    upload_quota_bytes: int = Field(50 << 30, ge=0)  # the masters an account keeps
    # A resumable (tus) upload that received no bytes for this long is dropped, its partial file deleted.
    upload_resumable_ttl_s: int = Field(24 * 3600, ge=60)
    # A worker holds an upload this long without a heartbeat; then another worker takes it over.
    content_lease_s: float = Field(60.0, gt=0)
    content_max_attempts: int = Field(3, ge=1)  # worker deaths or failures before an upload is `failed`
    transcode_concurrency: int = Field(1, ge=1, le=64)  # uploads one worker process transcodes at once
    stream_url_ttl_s: int = Field(900, ge=10)
    # Stream URL keys, `kid:secret` comma-separated, the first signs (rotation: add the new first, drop the old
    # after the TTL). Empty: one key derived from HARMONI_SECRET_KEY.
    stream_signing_keys: SecretStr = SecretStr("")

    # Secrets. Unset (or a placeholder) in development and test, on a loopback API: random ones generated once into
    # the data directory (`dev-secrets.json`). In production, or with the API on any other address: refused.
    secret_key: SecretStr = SecretStr("")
    wallet_encryption_key: SecretStr = SecretStr("")
    # Keys retired by a rotation, comma-separated: custodial keys still under them stay readable until
    # `harmoni wallets rotate-key` has re-encrypted them under the current key.
    wallet_encryption_previous_keys: SecretStr = SecretStr("")

    # Payments (payments/): Stripe, subscription plans, tax. No secret key: the local Stripe-compatible server.
    stripe_secret_key: SecretStr = SecretStr("")
    stripe_api_base: str = ""  # empty: Stripe itself with a key, the local server without one
    stripe_webhook_secret: SecretStr = SecretStr("")  # `whsec_...` of the endpoint POST /v1/webhooks/stripe
    stripe_local_port: int = Field(12111, ge=1, le=65535)
    stripe_webhook_max_attempts: int = Field(8, ge=1)  # applying an event; then it is dead-lettered
    stripe_reconcile_days: int = Field(3, ge=1, le=30)  # how far back the daily reconcile lists Stripe's events
    # `interval:CURRENCY:amount` in the currency's smallest unit, comma-separated (interval month or year).
    subscription_plans: str = "month:USD:999,year:USD:9999,month:EUR:899,year:EUR:8999"
    # VAT/sales tax by buyer country, `CC:basis points` comma-separated, `*` for every other; prices include it.
    tax_rates: str = "*:0"
    # The header the proxy in front of the API sets to the client's IP country (`CF-IPCountry`, `X-Country`): one
    # piece of a buyer's country evidence. Empty: none is trusted (a client could set it itself).
    ip_country_header: str = Field("", pattern=r"^[A-Za-z0-9-]*$")
    streaming_requires_subscription: bool = False  # only subscribers stream full tracks (previews stay public)
    # Notifications and e-mail (notifications/). Events of one kind on one subject within this window share one
    # notification ("12 people liked Blue Hour"). A notification is e-mailed only if still unread this long after
    # it came. SMTP: `smtp://[user:pass@]host:port[?starttls=true]` or `smtps://...`; empty: `harmoni up` starts
    # a local catcher writing mails under the data dir. The sender leases a row this long, retries a refused
    # mail with exponential backoff from the base up to the cap, and gives up after the attempts.
    notification_group_window_s: int = Field(12 * 3600, ge=60)
    notification_email_delay_s: int = Field(900, ge=0)
    smtp_url: SecretStr = SecretStr("")
    smtp_from: str = "HARMONI <no-reply@harmoni.local>"
    smtp_timeout_s: float = Field(10.0, gt=0)
    smtp_ca_file: str = ""  # PEM CA bundle the SMTP server's certificate must chain to; empty: the system's
    smtp_catcher_port: int = 8025
    email_lease_s: float = Field(60.0, gt=0)
    email_retry_base_s: float = Field(30.0, ge=0)
    email_retry_max_s: float = Field(3600.0, ge=0)
    email_max_attempts: int = Field(8, ge=1)
    unsubscribe_token_ttl_days: int = Field(90, ge=1)
    # Live updates: an SSE response ends after this long (the browser's EventSource reconnects at once), with a
    # comment line every heartbeat so proxies keep it open.
    notification_stream_max_s: float = Field(300.0, gt=0)
    notification_stream_heartbeat_s: float = Field(15.0, gt=0)
    # Privacy: how long the signed download link of a data export works.
    export_link_ttl_hours: int = Field(24, ge=1)
    # Search (discovery/search): PostgreSQL full-text search by default; OpenSearch when `opensearch` and a URL
    # are set (its password, if any, in the URL's userinfo). The outbox worker drains this many changes at a time.
    search_backend: str = Field("postgres", pattern=r"^(postgres|opensearch)$")
    opensearch_url: str = ""
    opensearch_index: str = Field("harmoni-search", pattern=r"^[a-z0-9][a-z0-9_-]*$")
    search_batch_size: int = Field(200, ge=1, le=5000)
    # Discovery: trending, related recordings, recommendations (periodic jobs; each run waits out its interval).
    trending_every_s: int = Field(300, ge=1)
    related_every_s: int = Field(3600, ge=1)
    related_history_days: int = Field(90, ge=1)  # sessions and co-listening older than this do not count
    recommendations_train_every_s: int = Field(6 * 3600, ge=1)
    recommendations_history_days: int = Field(365, ge=1)
    recommendations_factors: int = Field(64, ge=2, le=512)
    recommendations_iterations: int = Field(15, ge=1, le=100)
    analytics_rollup_every_s: int = Field(300, ge=1)
    # --- Social (social/): follows, posts, comments, feeds, direct messages, moderation ---
    social_fans_may_post: bool = False  # False: only artists write posts (anyone may comment)
    # Writes (follows, likes, posts, comments, messages, reports...) per minute, per account and per client IP.
    social_write_rate_limit_per_minute: int = Field(60, ge=1)
    social_write_ip_rate_limit_per_minute: int = Field(600, ge=1)
    social_message_rate_limit_per_minute: int = Field(20, ge=1)  # direct messages per account, on top
    # Accounts younger than this: their mentions of (and messages to) accounts not following them are requests.
    social_new_account_days: int = Field(7, ge=0)
    # Comma-separated words (case-insensitive, whole words) a post, comment or message may not contain.
    social_blocked_words: str = ""
    # Home feeds of active users cached in Redis (HARMONI_REDIS_URL; none without it): items kept, seconds idle,
    # and how soon after a top-up from SQL a read is answered from Redis alone.
    social_feed_cache_items: int = Field(400, ge=20)
    social_feed_cache_ttl_s: int = Field(3600, ge=60)
    social_feed_cache_fresh_s: float = Field(0.5, ge=0)

    @model_validator(mode="after")
    def _refuse_placeholders_in_production(self) -> Settings:
        if self.env is not Environment.production:
            return self._secrets_outside_production()
        problems = [
            f"HARMONI_{name.upper()} is missing or a placeholder"
            for name in ("secret_key", "wallet_encryption_key")
            if getattr(self, name).get_secret_value().strip().lower() in PLACEHOLDER_SECRETS
        ]
        if len(self.secret_key.get_secret_value()) < 32 and not problems:
            problems.append("HARMONI_SECRET_KEY must be at least 32 characters")
        if not self.database_url:
            problems.append("HARMONI_DATABASE_URL must be set (no embedded database in production)")
        if not self.rpc_url:
            problems.append("HARMONI_RPC_URL must be set (no managed anvil in production)")
        if self.storage_backend is StorageBackend.s3 and not self.s3_bucket:
            problems.append("HARMONI_S3_BUCKET must be set when HARMONI_STORAGE_BACKEND=s3")
        if problems:
            raise SettingsError("refusing to start in production: " + "; ".join(problems))
        return self

    def _secrets_outside_production(self) -> Settings:
        unset = [name for name in _SECRETS if _is_placeholder(getattr(self, name))]
        if not unset:
            return self
        if not _is_loopback(self.api_host):
            names = ", ".join(f"HARMONI_{name.upper()}" for name in unset)
            raise SettingsError(f"refusing to listen on {self.api_host or 'every address'}: {names} missing or a "
                                "placeholder (generated development secrets are only for an API on 127.0.0.1)")
        if "wallet_encryption_key" in unset:
            # Custodial keys a development stack sealed under the old fixed default stay readable (and
            # `harmoni wallets rotate-key` moves them under the generated key).
            previous = self.wallet_encryption_previous_keys.get_secret_value()
            self.wallet_encryption_previous_keys = SecretStr(",".join(filter(None, [previous, LEGACY_DEV_SECRET])))
        for name in unset:
            setattr(self, name, GeneratedSecret(self.data_dir, name))
        return self

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: str) -> str:
        for part in filter(None, (p.strip() for p in value.split(","))):
            try:
                ipaddress.ip_network(part, strict=False)
            except ValueError as err:
                raise ValueError(f"HARMONI_TRUSTED_PROXIES: {part!r} is not an IP address or network") from err
        return value

    @property
    def trusted_proxy_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        return tuple(ipaddress.ip_network(p.strip(), strict=False) for p in self.trusted_proxies.split(",")
                     if p.strip())

    @property
    def embedded_database(self) -> bool:
        return not self.database_url

    @property
    def managed_chain(self) -> bool:
        return not self.rpc_url

    @property
    def effective_rpc_url(self) -> str:
        return self.rpc_url or f"http://127.0.0.1:{self.anvil_port}"

    @property
    def browser_rpc_url(self) -> str | None:
        """The RPC URL a browser may use, or None when only a private one is configured."""
        return self.public_rpc_url or (self.effective_rpc_url if self.managed_chain else None)

    @property
    def objects_path(self) -> Path:
        return self.storage_path or self.data_dir / "objects"

    @property
    def api_url(self) -> str:
        return self.public_url or f"http://{self.api_host}:{self.api_port}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once; tests clear the cache to change them)."""
    return Settings()
