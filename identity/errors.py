"""What identity refuses, as typed errors; `api/errors.py` renders them as problem+json.

Details never contain a password, a token or a key.
"""

from __future__ import annotations

from typing import ClassVar

from harmoni.errors import Conflict, HarmoniError, NotFound, ServiceUnavailable, ValidationFailed


class Unauthenticated(HarmoniError):
    """No usable credentials: 401 with a `WWW-Authenticate: Bearer` challenge."""

    status = 401
    slug = "unauthenticated"
    title = "Authentication required"
    headers: ClassVar[dict[str, str]] = {"WWW-Authenticate": "Bearer"}


class InvalidToken(Unauthenticated):
    """An access or refresh token that is malformed, expired, revoked or unknown."""

    slug = "invalid-token"
    title = "Invalid token"
    headers: ClassVar[dict[str, str]] = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


class TokenReused(InvalidToken):
    """A refresh token presented after it was rotated: its whole family is revoked.

    The revocation is the point of the refusal, so the request keeps its writes (`keeps_writes`).
    """

    slug = "refresh-token-reused"
    title = "Refresh token reused"
    keeps_writes: ClassVar[bool] = True


class InvalidCredentials(Unauthenticated):
    """Wrong email or password; never says which."""

    slug = "invalid-credentials"
    title = "Invalid credentials"


class Forbidden(HarmoniError):
    status = 403
    slug = "forbidden"
    title = "Forbidden"


class EmailTaken(Conflict):
    slug = "email-taken"
    title = "Email already registered"


class WalletTaken(Conflict):
    slug = "wallet-taken"
    title = "Wallet already linked"


class WalletExists(Conflict):
    slug = "wallet-exists"
    title = "Account already has a wallet"


class RoleChangeRefused(Conflict):
    slug = "role-change-refused"
    title = "Role change refused"


class UserNotFound(NotFound):
    slug = "user-not-found"
    title = "User not found"


class ArtistProfileNotFound(NotFound):
    slug = "artist-profile-not-found"
    title = "Artist profile not found"


class CustodialWalletNotFound(Conflict):
    """The caller has no wallet to sign with yet: a state they can change, so 409 with how to change it."""

    slug = "custodial-wallet-required"
    title = "A custodial wallet is needed first"


class NonceInvalid(ValidationFailed):
    """A SIWE nonce that is unknown, already used or expired."""

    slug = "siwe-nonce-invalid"
    title = "Invalid sign-in nonce"


class SiweMessageInvalid(ValidationFailed):
    """Not an EIP-4361 message we accept (syntax, version, address checksum)."""

    slug = "siwe-message-invalid"
    title = "Invalid sign-in message"


class SiweDomainMismatch(ValidationFailed):
    slug = "siwe-domain-mismatch"
    title = "Sign-in message is for another domain"


class SiweChainMismatch(ValidationFailed):
    slug = "siwe-chain-mismatch"
    title = "Sign-in message is for another chain"


class SiweMessageExpired(ValidationFailed):
    """Issued in the future, expired, or not valid yet."""

    slug = "siwe-message-expired"
    title = "Sign-in message not valid now"


class SiweSignatureInvalid(Unauthenticated):
    slug = "siwe-signature-invalid"
    title = "Signature does not match the address"


class WalletNotYours(HarmoniError):
    status = 403
    slug = "wallet-not-yours"
    title = "Not one of your wallets"


class CustodyKeyMissing(HarmoniError):
    """A custodial key is encrypted under a key id the settings no longer hold."""

    slug = "custody-key-missing"
    title = "Wallet encryption key missing"


class InvitationNotFound(NotFound):
    """No invitation has this token (never issued, or replaced by a newer e-mail's)."""

    slug = "invitation-not-found"
    title = "Invitation not found"


class InvitationUsed(Conflict):
    slug = "invitation-already-accepted"
    title = "Invitation already accepted"


class InvitationNotYours(HarmoniError):
    status = 403
    slug = "invitation-not-yours"
    title = "Invitation sent to another e-mail address"


class InvitationExpired(HarmoniError):
    """The token has expired; a fresh one was e-mailed to the invited address, and that write is kept."""

    status = 410
    slug = "invitation-expired"
    title = "Invitation expired"
    keeps_writes: ClassVar[bool] = True


class EmailVerificationInvalid(ValidationFailed):
    """A verification token that is malformed, tampered with, or for another address."""

    slug = "email-verification-invalid"
    title = "Invalid e-mail verification link"


class EmailVerificationExpired(HarmoniError):
    status = 410
    slug = "email-verification-expired"
    title = "E-mail verification link expired"


class EmailAlreadyVerified(Conflict):
    """The address is verified already: a link works once."""

    slug = "email-already-verified"
    title = "E-mail address already verified"


class NoEmailAddress(Conflict):
    """An account that signs in with a wallet only has no address to verify."""

    slug = "no-email-address"
    title = "The account has no e-mail address"


class EmailNotVerified(Conflict):
    """Something that needs the mailbox's owner was asked of an account whose address is unverified."""

    slug = "email-not-verified"
    title = "E-mail address not verified"


class PasswordHashingBusy(ServiceUnavailable):
    """Every password-hashing slot stayed busy for the whole wait: 503 with `Retry-After`."""

    slug = "sign-in-busy"
    title = "Too many sign-ins at once"
    headers: ClassVar[dict[str, str]] = {"Retry-After": "1"}
