"""Request and response bodies of the accounts API."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, HttpUrl, SecretStr

from identity.models import Role

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
EXAMPLE_ADDRESS = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
EXAMPLE_USER_ID = "0b0e5d57-2b4e-4a4c-9a39-5f6ad3f0c1d2"
# Upper bound so nobody makes us hash a megabyte.
MAX_PASSWORD = 256


def _email(value: str) -> str:
    value = value.strip().lower()
    if not _EMAIL.match(value):
        raise ValueError("must be an email address")
    return value


def _password(value: SecretStr) -> SecretStr:
    if not 10 <= len(value.get_secret_value()) <= MAX_PASSWORD:
        raise ValueError(f"must be 10 to {MAX_PASSWORD} characters")
    return value


def _bounded(value: SecretStr) -> SecretStr:
    if len(value.get_secret_value()) > MAX_PASSWORD:
        raise ValueError(f"must be at most {MAX_PASSWORD} characters")
    return value


Email = Annotated[str, Field(max_length=320, json_schema_extra={"pattern": _EMAIL.pattern}),
                  AfterValidator(_email)]
# SecretStr: a password never shows up in a repr or a log.
NewPassword = Annotated[SecretStr, AfterValidator(_password),
                        Field(json_schema_extra={"minLength": 10, "maxLength": MAX_PASSWORD})]
Password = Annotated[SecretStr, AfterValidator(_bounded), Field(json_schema_extra={"maxLength": MAX_PASSWORD})]


class SignUp(BaseModel):
    email: Email
    password: NewPassword
    role: Literal["fan", "artist"] = Field("fan", description="`artist` to register as an artist")

    model_config = {"json_schema_extra": {"examples": [
        {"email": "ada@example.com", "password": "correct horse battery", "role": "artist"}]}}


class LogIn(BaseModel):
    email: Email
    password: Password

    model_config = {"json_schema_extra": {"examples": [
        {"email": "ada@example.com", "password": "correct horse battery"}]}}


class RefreshRequest(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=200)

    model_config = {"json_schema_extra": {"examples": [
        {"refresh_token": "q3m1cZ2b0V9nB4Jdq4c5kq0H1p2pQh0oU2l6m9qf0aE"}]}}


class UserOut(BaseModel):
    id: uuid.UUID
    email: str | None = Field(validation_alias="email_address",
                              description="the account's e-mail address (null for wallet-only accounts)")
    email_verified: datetime | None = Field(
        validation_alias="email_verified_at",
        description="when the owner confirmed the address (a verification link, or an accepted payee invitation); "
                    "null: unverified, and e-mail payees naming it are invited instead of paid to this account")
    roles: list[Role]
    created_at: datetime

    model_config = {"from_attributes": True, "json_schema_extra": {"examples": [
        {"id": EXAMPLE_USER_ID, "email": "ada@example.com", "email_verified": "2026-11-25T10:05:00Z",
         "roles": ["artist"], "created_at": "2026-11-25T10:00:00Z"}]}}


class TokenPair(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 -- the OAuth 2 scheme name, not a secret
    expires_in: int = Field(description="seconds the access token is valid")
    refresh_token: str = Field(description="single use: each refresh returns a new one")
    refresh_expires_in: int
    user: UserOut

    model_config = {"json_schema_extra": {"examples": [
        {"access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIwYjBlIn0.c2lnbmF0dXJl",
         "token_type": "bearer", "expires_in": 900,
         "refresh_token": "q3m1cZ2b0V9nB4Jdq4c5kq0H1p2pQh0oU2l6m9qf0aE", "refresh_expires_in": 2592000,
         "user": {"id": EXAMPLE_USER_ID, "email": "ada@example.com", "email_verified": None, "roles": ["artist"],
                  "created_at": "2026-11-25T10:00:00Z"}}]}}


class SiweNonceIn(BaseModel):
    purpose: Literal["login", "link"] = Field(
        "login", description="what the signed message will be used for; `link` needs the bearer token of the account "
                             "to link the wallet to, and only that account may use the nonce")

    model_config = {"json_schema_extra": {"examples": [{"purpose": "link"}]}}


class SiweNonceOut(BaseModel):
    nonce: str
    purpose: Literal["login", "link"] = "login"
    expires_at: datetime
    domain: str = Field(description="the domain the message must name")
    uri: str = Field(description="the message's URI field: on this origin (scheme, host and port)")
    chain_id: int
    version: Literal["1"] = "1"

    model_config = {"json_schema_extra": {"examples": [
        {"nonce": "8f1c2a9d4e7b40a6b3c5d2e1f0a9b8c7", "expires_at": "2026-11-25T10:10:00Z",
         "domain": "harmoni.music", "uri": "https://harmoni.music", "chain_id": 137, "version": "1"}]}}


class SiweVerify(BaseModel):
    # The patterns document what `identity.siwe` checks (it refuses the rest with its own problem types).
    message: str = Field(min_length=1, max_length=4000, description="the EIP-4361 message, exactly as signed",
                         json_schema_extra={"pattern": r"^(?:[A-Za-z][A-Za-z0-9+.-]*://)?[^\s/?#@]+ wants you to "
                                                       r"sign in with your Ethereum account:\n0x[0-9a-fA-F]{40}\n"})
    signature: str = Field(min_length=1, max_length=200, description="EIP-191 personal_sign signature, hex",
                           json_schema_extra={"pattern": r"^(0x)?[0-9a-fA-F]{130}$"})
    purpose: Literal["login", "link"] = Field(
        "login", description="`login`: sign in (an account is created for a new wallet); "
                             "`link`: add the wallet to the account of the bearer token")

    model_config = {"json_schema_extra": {"examples": [{
        "message": "harmoni.music wants you to sign in with your Ethereum account:\n"
                   f"{EXAMPLE_ADDRESS}\n\nSign in to HARMONI\n\nURI: https://harmoni.music\nVersion: 1\n"
                   "Chain ID: 137\nNonce: 8f1c2a9d4e7b40a6b3c5d2e1f0a9b8c7\nIssued At: 2026-11-25T10:00:00Z",
        "signature": "0x" + "ab" * 65, "purpose": "login"}]}}


class WalletOut(BaseModel):
    address: str
    kind: Literal["linked", "custodial"]
    created_at: datetime

    model_config = {"from_attributes": True, "json_schema_extra": {"examples": [
        {"address": EXAMPLE_ADDRESS, "kind": "custodial", "created_at": "2026-11-25T10:00:00Z"}]}}


class RoleGrant(BaseModel):
    role: Role

    model_config = {"json_schema_extra": {"examples": [{"role": "auditor"}]}}


def _normalised_url_fits(url: HttpUrl) -> HttpUrl:
    # The normalised form (punycode, percent-encoding) is what is stored and answered, and may be longer than what
    # was sent: checked here, or the answer itself would fail HttpUrl's own bound.
    if len(str(url)) > 2083:
        raise ValueError("must be at most 2083 characters once normalised (punycode, percent-encoding)")
    return url


class ProfileLink(BaseModel):
    label: str = Field(min_length=1, max_length=60)
    url: Annotated[HttpUrl, AfterValidator(_normalised_url_fits)]


class ArtistProfileIn(BaseModel):
    display_name: str = Field(min_length=1, max_length=120)
    bio: str = Field("", max_length=5000)
    links: list[ProfileLink] = Field(default_factory=list, max_length=20)

    model_config = {"json_schema_extra": {"examples": [
        {"display_name": "Ada Lovelace Trio", "bio": "Analytical jazz from London.",
         "links": [{"label": "Bandcamp", "url": "https://adatrio.bandcamp.com/"}]}]}}


class ArtistProfileOut(BaseModel):
    display_name: str
    bio: str
    links: list[ProfileLink]
    updated_at: datetime

    model_config = {"from_attributes": True, "json_schema_extra": {"examples": [
        {"display_name": "Ada Lovelace Trio", "bio": "Analytical jazz from London.",
         "links": [{"label": "Bandcamp", "url": "https://adatrio.bandcamp.com/"}],
         "updated_at": "2026-11-25T10:00:00Z"}]}}


class InvitationAccept(BaseModel):
    token: str = Field(min_length=1, max_length=200, description="the token from the invitation e-mail")

    model_config = {"json_schema_extra": {"examples": [
        {"token": "pX2v9Qd0b5mJ3kq8Yw1zR4tL6nH7sC0aE9fG2uI5oK8"}]}}


class AcceptedInvitationOut(BaseModel):
    email: str = Field(description="the invited address (your account's)")
    accepted_at: datetime
    wallet: WalletOut = Field(description="the wallet held for the invitation, now yours")

    model_config = {"json_schema_extra": {"examples": [
        {"email": "ada@example.com", "accepted_at": "2026-11-25T10:00:00Z",
         "wallet": {"address": EXAMPLE_ADDRESS, "kind": "custodial", "created_at": "2026-11-24T09:00:00Z"}}]}}


class EmailVerificationSent(BaseModel):
    sent_to: str = Field(description="the address the link was e-mailed to")
    expires_in: int = Field(description="seconds the link works")

    model_config = {"json_schema_extra": {"examples": [{"sent_to": "ada@example.com", "expires_in": 172800}]}}
