"""Sign-In With Ethereum (EIP-4361): parse, write and check messages; recover the signer.

Only the checks that need no storage live here; the single-use nonce is the service's business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils import is_checksum_address

from identity.errors import (
    SiweChainMismatch,
    SiweDomainMismatch,
    SiweMessageExpired,
    SiweMessageInvalid,
    SiweSignatureInvalid,
)

# A signer's clock may run a little ahead of ours.
CLOCK_SKEW = timedelta(seconds=60)
# A message older than a nonce lives is refused, whatever its nonce: `Issued At` is what the wallet showed.
MAX_AGE = timedelta(minutes=10)

_PREAMBLE = re.compile(r"^(?:(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://)?(?P<domain>[^\s/?#@]+)"
                       r" wants you to sign in with your Ethereum account:$")
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
_NONCE = re.compile(r"^[A-Za-z0-9]{8,}$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S*$")
_SIGNATURE = re.compile(r"^(0x)?[0-9a-fA-F]{130}$")


@dataclass(frozen=True)
class SiweMessage:
    domain: str
    address: str
    uri: str
    chain_id: int
    nonce: str
    issued_at: datetime
    statement: str | None = None
    version: str = "1"
    scheme: str | None = None
    expiration_time: datetime | None = None
    not_before: datetime | None = None
    request_id: str | None = None
    resources: tuple[str, ...] = field(default_factory=tuple)

    def to_text(self) -> str:
        """The exact text a wallet signs (EIP-4361 ABNF)."""
        prefix = f"{self.scheme}://{self.domain}" if self.scheme else self.domain
        lines = [f"{prefix} wants you to sign in with your Ethereum account:", self.address, ""]
        lines += [self.statement, ""] if self.statement is not None else [""]
        lines += [f"URI: {self.uri}", f"Version: {self.version}", f"Chain ID: {self.chain_id}",
                  f"Nonce: {self.nonce}", f"Issued At: {_timestamp(self.issued_at)}"]
        if self.expiration_time is not None:
            lines.append(f"Expiration Time: {_timestamp(self.expiration_time)}")
        if self.not_before is not None:
            lines.append(f"Not Before: {_timestamp(self.not_before)}")
        if self.request_id is not None:
            lines.append(f"Request ID: {self.request_id}")
        if self.resources:
            lines += ["Resources:", *(f"- {r}" for r in self.resources)]
        return "\n".join(lines)


def parse(text: str) -> SiweMessage:
    """Parse an EIP-4361 message strictly: fields in the order the spec gives, nothing extra."""
    lines = text.split("\n")
    reader = _Lines(lines)
    preamble = _PREAMBLE.match(reader.next("the preamble"))
    if not preamble:
        raise SiweMessageInvalid("the first line must be '<domain> wants you to sign in with your Ethereum account:'")
    address = reader.next("the address")
    if not _ADDRESS.match(address):
        raise SiweMessageInvalid("the second line must be a 0x-prefixed 20-byte address")
    if not is_checksum_address(address):
        raise SiweMessageInvalid("the address must be EIP-55 checksummed")
    reader.expect_blank()
    statement = None
    if reader.peek() != "":
        statement = reader.next("the statement")
        if statement.startswith(("URI: ", "Version: ")):
            raise SiweMessageInvalid("a blank line must follow the address when there is no statement")
    reader.expect_blank()
    uri = reader.field("URI")
    if not _URI.match(uri):
        raise SiweMessageInvalid("URI must be an absolute URI")
    version = reader.field("Version")
    if version != "1":
        raise SiweMessageInvalid("Version must be 1")
    chain_id_text = reader.field("Chain ID")
    if not chain_id_text.isdigit():
        raise SiweMessageInvalid("Chain ID must be a decimal number")
    nonce = reader.field("Nonce")
    if not _NONCE.match(nonce):
        raise SiweMessageInvalid("Nonce must be at least 8 letters or digits")
    issued_at = _datetime(reader.field("Issued At"), "Issued At")
    expiration_time = reader.optional_field("Expiration Time")
    not_before = reader.optional_field("Not Before")
    request_id = reader.optional_field("Request ID")
    resources: list[str] = []
    if reader.peek() == "Resources:":
        reader.next("Resources")
        while reader.peek() is not None and reader.peek().startswith("- "):
            resources.append(reader.next("a resource")[2:])
    if reader.peek() is not None:
        raise SiweMessageInvalid(f"unexpected line {reader.index + 1} in the message")
    return SiweMessage(
        domain=preamble["domain"], address=address, uri=uri, chain_id=int(chain_id_text), nonce=nonce,
        issued_at=issued_at, statement=statement, version=version, scheme=preamble["scheme"],
        expiration_time=_datetime(expiration_time, "Expiration Time") if expiration_time is not None else None,
        not_before=_datetime(not_before, "Not Before") if not_before is not None else None,
        request_id=request_id, resources=tuple(resources))


def _origin(uri: str) -> tuple[str, str]:
    parts = urlsplit(uri)
    return parts.scheme.lower(), parts.netloc.lower()


def check(message: SiweMessage, *, domain: str, uri: str, chain_id: int, now: datetime,
          max_age: timedelta = MAX_AGE) -> None:
    """Is this message for us (domain, and a URI on our origin), on our chain, valid now and recent? (The nonce and
    signature are checked elsewhere.)"""
    if message.domain.lower() != domain.lower():
        raise SiweDomainMismatch(f"the message is for '{message.domain}', this service is '{domain}'")
    if _origin(message.uri) != _origin(uri):
        raise SiweDomainMismatch(f"the message's URI {message.uri} is not on this service's origin {uri}")
    if message.scheme is not None and message.scheme.lower() != _origin(uri)[0]:
        raise SiweDomainMismatch(f"the message is for the scheme '{message.scheme}', this service is {uri}")
    if message.chain_id != chain_id:
        raise SiweChainMismatch(f"the message is for chain {message.chain_id}, this service is on chain {chain_id}")
    if message.issued_at > now + CLOCK_SKEW:
        raise SiweMessageExpired("the message is issued in the future")
    if message.issued_at < now - max_age - CLOCK_SKEW:
        raise SiweMessageExpired(f"the message was issued more than {int(max_age.total_seconds() // 60)} minutes ago;"
                                 " sign a new one")
    if message.expiration_time is not None and message.expiration_time <= now:
        raise SiweMessageExpired("the message has expired")
    if message.not_before is not None and message.not_before > now + CLOCK_SKEW:
        raise SiweMessageExpired("the message is not valid yet")


def recover_signer(text: str, signature: str) -> str:
    """The checksummed address that produced this EIP-191 personal signature of `text`."""
    if not _SIGNATURE.match(signature):
        raise SiweSignatureInvalid("the signature must be 65 bytes in hex")
    try:
        return Account.recover_message(encode_defunct(text=text), signature=bytes.fromhex(signature.removeprefix("0x")))
    except Exception as err:  # eth-keys raises several types for unrecoverable signatures
        raise SiweSignatureInvalid("the signature cannot be recovered") from err


def verify_signature(message: SiweMessage, text: str, signature: str) -> None:
    if recover_signer(text, signature) != message.address:
        raise SiweSignatureInvalid("the signature was not made by the message's address")


class _Lines:
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.index = 0

    def peek(self) -> str | None:
        return self.lines[self.index] if self.index < len(self.lines) else None

    def next(self, what: str) -> str:
        line = self.peek()
        if line is None:
            raise SiweMessageInvalid(f"the message ends before {what}")
        self.index += 1
        return line

    def expect_blank(self) -> None:
        if self.next("a blank line") != "":
            raise SiweMessageInvalid(f"line {self.index} must be blank")

    def field(self, name: str) -> str:
        line = self.next(f"'{name}'")
        if not line.startswith(f"{name}: "):
            raise SiweMessageInvalid(f"line {self.index} must be '{name}: ...'")
        return line[len(name) + 2:]

    def optional_field(self, name: str) -> str | None:
        line = self.peek()
        return self.field(name) if line is not None and line.startswith(f"{name}: ") else None


def _datetime(value: str, name: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as err:
        raise SiweMessageInvalid(f"{name} must be an RFC 3339 date-time") from err
    if parsed.tzinfo is None:
        raise SiweMessageInvalid(f"{name} must carry a time zone")
    return parsed


def _timestamp(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")
