"""Accounts: sign-up, login, token rotation, Sign-In With Ethereum, roles, artist profiles, wallets.

Services flush but never commit: the request (or the CLI command) owns the transaction.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from web3 import Web3

from discovery.search import repository as search_outbox
from harmoni.errors import ValidationFailed
from harmoni.settings import Settings
from identity import custody, passwords, repository, siwe, tokens, verification
from identity.errors import (
    ArtistProfileNotFound,
    EmailTaken,
    InvalidCredentials,
    InvalidToken,
    NonceInvalid,
    RoleChangeRefused,
    TokenReused,
    Unauthenticated,
    UserNotFound,
    WalletExists,
    WalletNotYours,
    WalletTaken,
)
from identity.models import ArtistProfile, RefreshToken, Role, SiweNonce, SiwePurpose, User, Wallet, WalletKind
from identity.throttle import SignInThrottle

log = logging.getLogger(__name__)

SIWE_NONCE_TTL = timedelta(minutes=10)


@dataclass(frozen=True)
class Login:
    """What a successful sign-in hands back: the user and a fresh token pair."""

    user: User
    access_token: str
    refresh_token: str


def _now() -> datetime:
    return datetime.now(UTC)


def _secret(settings: Settings) -> str:
    return settings.secret_key.get_secret_value()


def siwe_domain(settings: Settings) -> str:
    """The authority SIWE messages must name: the public URL's, else the API's host and port."""
    return urlsplit(settings.api_url).netloc


# Email and password


def sign_up(session: Session, settings: Settings, *, email: str, password: str, role: Role = Role.fan,
            throttle: SignInThrottle | None = None, ip: str | None = None) -> Login:
    if throttle is not None:
        throttle.before_sign_up(ip)
    if role not in (Role.fan, Role.artist):
        raise RoleChangeRefused(f"sign-up may ask for fan or artist, not {role}")
    holder = repository.user_by_email(session, email)
    if holder is not None and verification.is_verified(holder):
        raise EmailTaken("an account with this email already exists")
    # An unverified holder proves nothing: the new account claims the address and gets it once its owner follows
    # the link e-mailed there. The answer is the one a free address gets, so it tells nobody the address is held.
    claimed = holder is not None
    user = User(id=uuid.uuid4(), email=None if claimed else email, claimed_email=email if claimed else None,
                password_hash=passwords.hash_password(password), roles=[role.value])
    session.add(user)
    try:
        session.flush()
    except IntegrityError as err:  # a concurrent sign-up with the same email won the race
        raise EmailTaken("an account with this email already exists") from err
    log.info("account created", extra={"user_id": str(user.id), "roles": user.roles})
    verification.send(session, settings, user)
    return _start_login(session, settings, user)


def log_in(session: Session, settings: Settings, *, email: str, password: str,
           throttle: SignInThrottle | None = None, ip: str | None = None) -> Login:
    """Wrong email and wrong password are the same refusal, take the same time, and count the same against the
    address's backoff; a throttled attempt is refused before any hashing."""
    if throttle is not None:
        throttle.before_login(email, ip)
    user = repository.user_by_email(session, email)
    if not passwords.verify_password(user.password_hash if user else None, password) or user is None:
        if throttle is not None:
            throttle.login_failed(email, ip)
        raise InvalidCredentials("wrong email or password")
    if throttle is not None:
        throttle.login_succeeded(email)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    return _start_login(session, settings, user)


# Tokens


def refresh(session: Session, settings: Settings, refresh_token: str) -> Login:
    """Rotate: the presented token is used up and a child in its family replaces it.

    A token presented again after its rotation means it leaked (or the client raced itself): the whole
    family is revoked, which signs out every holder of it, and the request fails with TokenReused.
    """
    now = _now()
    token = repository.refresh_token_by_hash(session, tokens.refresh_token_hash(refresh_token))
    if token is None:
        raise InvalidToken("the refresh token is not valid")
    if token.revoked_at is not None:
        raise InvalidToken("the refresh token has been revoked")
    if token.used_at is not None:
        revoked = repository.revoke_family(session, token.family_id, now)
        log.warning("refresh token reused; family revoked",
                    extra={"user_id": str(token.user_id), "family_id": str(token.family_id), "revoked": revoked})
        raise TokenReused("the refresh token was already used; this login has been revoked, sign in again")
    if token.expires_at <= now:
        raise InvalidToken("the refresh token has expired")
    user = repository.user_by_id(session, token.user_id)
    if user is None:
        raise InvalidToken("the refresh token is not valid")
    token.used_at = now
    new_token = _new_refresh_token(session, user, token.family_id, token.id, now)
    return Login(user=user, access_token=tokens.issue_access_token(user.id, user.roles, _secret(settings), now),
                 refresh_token=new_token)


def log_out(session: Session, refresh_token: str) -> None:
    """Revoke the token's whole family. Access tokens already issued run out on their own (15 minutes)."""
    token = repository.refresh_token_by_hash(session, tokens.refresh_token_hash(refresh_token))
    if token is None:
        raise InvalidToken("the refresh token is not valid")
    repository.revoke_family(session, token.family_id, _now())


def user_for_access_token(session: Session, settings: Settings, access_token: str) -> User:
    """The user a bearer token stands for; roles come from the database, so a revoked role counts at once."""
    claims = tokens.decode_access_token(access_token, _secret(settings))
    user = repository.user_by_id(session, claims.user_id)
    if user is None or user.erased_at is not None:
        raise InvalidToken("the access token's account no longer exists")
    return user


def _start_login(session: Session, settings: Settings, user: User) -> Login:
    now = _now()
    refresh_token = _new_refresh_token(session, user, uuid.uuid4(), None, now)
    return Login(user=user, access_token=tokens.issue_access_token(user.id, user.roles, _secret(settings), now),
                 refresh_token=refresh_token)


def _new_refresh_token(session: Session, user: User, family_id: uuid.UUID, parent_id: uuid.UUID | None,
                       now: datetime) -> str:
    token = tokens.new_refresh_token()
    session.add(RefreshToken(id=uuid.uuid4(), family_id=family_id, user_id=user.id,
                             token_hash=tokens.refresh_token_hash(token), parent_id=parent_id, issued_at=now,
                             expires_at=now + tokens.REFRESH_TOKEN_TTL))
    session.flush()
    return token


# Sign-In With Ethereum


def issue_siwe_nonce(session: Session, purpose: SiwePurpose = SiwePurpose.login, user: User | None = None) -> SiweNonce:
    """A nonce for one purpose; a `link` nonce is for the bearer's account only, so a message signed to link a
    wallet to one account cannot link it to another, and a login message cannot link at all."""
    if purpose is SiwePurpose.link and user is None:
        raise Unauthenticated("a nonce to link a wallet needs the access token of the account to link it to")
    now = _now()
    nonce = SiweNonce(nonce=secrets.token_hex(16), issued_at=now, expires_at=now + SIWE_NONCE_TTL,
                      purpose=purpose.value, user_id=user.id if purpose is SiwePurpose.link else None)
    session.add(nonce)
    session.flush()
    return nonce


def siwe_log_in(session: Session, settings: Settings, message: str, signature: str) -> Login:
    """Sign in the owner of the wallet that signed; a wallet nobody owns gets a new fan account."""
    address = _verified_siwe_address(session, settings, message, signature, SiwePurpose.login, None)
    wallet = repository.wallet_by_address(session, address)
    if wallet is not None and wallet.kind != WalletKind.linked.value:
        raise WalletTaken("this address is a custodial wallet; sign in with email and password")
    if wallet is not None:
        user = repository.user_by_id(session, wallet.user_id)
    else:
        user = User(id=uuid.uuid4(), email=None, password_hash=None, roles=[Role.fan.value])
        session.add(user)
        _add_linked_wallet(session, user.id, address)
        log.info("account created from a wallet", extra={"user_id": str(user.id), "address": address})
    return _start_login(session, settings, user)


def siwe_link(session: Session, settings: Settings, user: User | None, message: str, signature: str) -> Wallet:
    """Add the signing wallet to `user`'s account (idempotent for a wallet the user already has)."""
    if user is None:
        raise Unauthenticated("linking a wallet needs the access token of the account to link it to")
    address = _verified_siwe_address(session, settings, message, signature, SiwePurpose.link, user.id)
    wallet = repository.wallet_by_address(session, address)
    if wallet is not None and wallet.user_id != user.id:
        raise WalletTaken("this wallet belongs to another account")
    return wallet or _add_linked_wallet(session, user.id, address)


def _verified_siwe_address(session: Session, settings: Settings, message: str, signature: str,
                           purpose: SiwePurpose, user_id: uuid.UUID | None) -> str:
    """Every check that needs no write first, then the nonce is used up in one statement."""
    now = _now()
    parsed = siwe.parse(message)
    siwe.check(parsed, domain=siwe_domain(settings), uri=settings.api_url, chain_id=settings.chain_id, now=now)
    siwe.verify_signature(parsed, message, signature)
    if not repository.consume_nonce(session, parsed.nonce, now, purpose.value, user_id):
        known = repository.nonce(session, parsed.nonce)
        reason = ("was never issued" if known is None else "was already used" if known.used_at is not None
                  else "has expired" if known.expires_at <= now
                  else f"was issued for {known.purpose}, not {purpose.value}" if known.purpose != purpose.value
                  else "was issued to link a wallet to another account")
        raise NonceInvalid(f"the nonce {reason}; ask for a new one")
    return parsed.address


def _add_linked_wallet(session: Session, user_id: uuid.UUID, address: str) -> Wallet:
    wallet = Wallet(id=uuid.uuid4(), user_id=user_id, address=address, kind=WalletKind.linked.value)
    session.add(wallet)
    try:
        session.flush()
    except IntegrityError as err:
        raise WalletTaken("this wallet belongs to another account") from err
    return wallet


# Roles


def grant_role(session: Session, user_id: uuid.UUID, role: Role) -> User:
    user = _user_for_update(session, user_id)
    if role.value not in user.roles:
        user.roles = [*user.roles, role.value]
        log.info("role granted", extra={"user_id": str(user_id), "role": role.value})
    return user


def revoke_role(session: Session, actor: User, user_id: uuid.UUID, role: Role) -> User:
    if actor.id == user_id and role is Role.admin:
        raise RoleChangeRefused("an admin cannot revoke their own admin role")
    user = _user_for_update(session, user_id)
    if role.value in user.roles:
        user.roles = [r for r in user.roles if r != role.value]
        log.info("role revoked", extra={"user_id": str(user_id), "role": role.value})
    return user


def _user_for_update(session: Session, user_id: uuid.UUID) -> User:
    user = repository.user_by_id(session, user_id, for_update=True)
    if user is None:
        raise UserNotFound(f"no user {user_id}")
    return user


# Artist profiles


def artist_profile(session: Session, user: User) -> ArtistProfile:
    profile = repository.artist_profile(session, user.id)
    if profile is None:
        raise ArtistProfileNotFound("this account has no artist profile yet; create it with PUT")
    return profile


def save_artist_profile(session: Session, user: User, *, display_name: str, bio: str,
                        links: list[dict]) -> ArtistProfile:
    profile = repository.artist_profile(session, user.id)
    if profile is None:
        profile = ArtistProfile(user_id=user.id)
        session.add(profile)
    profile.display_name, profile.bio, profile.links = display_name, bio, links
    search_outbox.announce(session, "artist", [user.id])  # the profile and the artist's assets, re-indexed
    session.flush()
    session.refresh(profile, ["updated_at"])
    return profile


# Wallets


def wallets(session: Session, user: User) -> list[Wallet]:
    return repository.wallets_of(session, user.id)


def create_custodial_wallet(session: Session, settings: Settings, user: User) -> Wallet:
    """A platform-held wallet for an artist who has none of their own."""
    if repository.count_wallets_of(session, user.id):
        raise WalletExists("this account already has a wallet")
    wallet = custody.new_custodial_wallet(user.id, custody.Keyring.from_settings(settings))
    wallet.id = uuid.uuid4()
    session.add(wallet)
    try:
        session.flush()
    except IntegrityError as err:  # a concurrent request created one first
        raise WalletExists("this account already has a wallet") from err
    session.refresh(wallet, ["created_at"])
    log.info("custodial wallet created", extra={"user_id": str(user.id), "address": wallet.address})
    return wallet


def owned_wallet(session: Session, user_id: uuid.UUID, address: str, field: str = "controller") -> str:
    """`address` checksummed, if it is one of the user's wallets (linked with SIWE, or custodial)."""
    if not Web3.is_address(address):
        raise ValidationFailed(f"{field} is not a wallet address", field=field)
    wallet = repository.wallet_by_address(session, Web3.to_checksum_address(address))
    if wallet is None or wallet.user_id != user_id:
        raise WalletNotYours(f"{address} is not a wallet of your account: link it first (SIWE, purpose link)",
                             field=field)
    return wallet.address
