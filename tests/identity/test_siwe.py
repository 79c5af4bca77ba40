"""EIP-4361 messages: the spec's own example, strict parsing, the checks, signature recovery."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from identity import siwe
from identity.errors import (
    SiweChainMismatch,
    SiweDomainMismatch,
    SiweMessageExpired,
    SiweMessageInvalid,
    SiweSignatureInvalid,
)
from tests.identity.factories import new_account, sign, siwe_message

# The example message of EIP-4361, byte for byte.
SPEC_EXAMPLE = """service.invalid wants you to sign in with your Ethereum account:
0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2

I accept the ServiceOrg Terms of Service: https://service.invalid/tos

URI: https://service.invalid/login
Version: 1
Chain ID: 1
Nonce: 32891756
Issued At: 2021-09-30T16:25:24Z
Resources:
- ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq/
- https://example.com/my-web2-claim.json"""
NOW = datetime(2021, 9, 30, 16, 30, tzinfo=UTC)


def test_the_spec_example_parses_and_round_trips():
    message = siwe.parse(SPEC_EXAMPLE)
    assert message.domain == "service.invalid" and message.scheme is None
    assert message.address == "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2"
    assert message.statement == "I accept the ServiceOrg Terms of Service: https://service.invalid/tos"
    assert (message.chain_id, message.nonce, message.version) == (1, "32891756", "1")
    assert message.issued_at == datetime(2021, 9, 30, 16, 25, 24, tzinfo=UTC)
    assert message.resources[1] == "https://example.com/my-web2-claim.json"
    assert message.to_text() == SPEC_EXAMPLE


def test_optional_fields_and_no_statement_round_trip():
    message = siwe.SiweMessage(domain="localhost:8000", address="0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2",
                               uri="http://localhost:8000", chain_id=31337, nonce="abcdEFGH1234",
                               issued_at=NOW, scheme="http", expiration_time=NOW + timedelta(minutes=5),
                               not_before=NOW, request_id="req-1")
    text = message.to_text()
    assert "Ethereum account:\n0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2\n\n\nURI: " in text
    assert siwe.parse(text) == message


@pytest.mark.parametrize(("mutate", "reason"), [
    (lambda t: t.replace("0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2", "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2"),
     "checksummed"),
    (lambda t: t.replace("Version: 1", "Version: 2"), "Version"),
    (lambda t: t.replace("Nonce: 32891756", "Nonce: 123"), "Nonce"),
    (lambda t: t.replace("Chain ID: 1", "Chain ID: one"), "Chain ID"),
    (lambda t: t.replace("2021-09-30T16:25:24Z", "yesterday"), "Issued At"),
    (lambda t: t.replace("2021-09-30T16:25:24Z", "2021-09-30T16:25:24"), "time zone"),
    (lambda t: t.replace("\nVersion: 1\nChain ID: 1", "\nChain ID: 1\nVersion: 1"), "Version"),
    (lambda t: t + "\nSomething: else", "unexpected line"),
    (lambda t: t.replace(" wants you to sign in", " asks you to sign in"), "first line"),
    (lambda t: t.split("\nURI")[0], "ends before"),
])
def test_parsing_is_strict(mutate, reason):
    with pytest.raises(SiweMessageInvalid, match=reason):
        siwe.parse(mutate(SPEC_EXAMPLE))


def test_check_compares_domain_chain_and_time():
    message = siwe.parse(SPEC_EXAMPLE)
    ours = {"uri": "https://service.invalid"}
    siwe.check(message, domain="SERVICE.invalid", chain_id=1, now=NOW, **ours)
    with pytest.raises(SiweDomainMismatch):
        siwe.check(message, domain="service.invalid:8443", chain_id=1, now=NOW, **ours)
    with pytest.raises(SiweChainMismatch):
        siwe.check(message, domain="service.invalid", chain_id=137, now=NOW, **ours)
    with pytest.raises(SiweMessageExpired, match="future"):
        siwe.check(message, domain="service.invalid", chain_id=1, now=NOW - timedelta(minutes=10), **ours)
    siwe.check(message, domain="service.invalid", chain_id=1, now=NOW - timedelta(seconds=30), **ours)  # clock skew
    with pytest.raises(SiweMessageExpired, match="expired"):
        siwe.check(replace(message, expiration_time=NOW), domain="service.invalid", chain_id=1, now=NOW, **ours)
    with pytest.raises(SiweMessageExpired, match="not valid yet"):
        siwe.check(replace(message, not_before=NOW + timedelta(hours=1)), domain="service.invalid", chain_id=1,
                   now=NOW, **ours)


def test_check_bounds_the_age_and_the_uri():
    """The probe's messages: `Issued At` in 2020, `URI: https://evil.example`, an http URI for an https service."""
    message = siwe.parse(SPEC_EXAMPLE)  # issued 16:25:24
    ours = {"domain": "service.invalid", "uri": "https://service.invalid", "chain_id": 1}
    siwe.check(message, now=NOW + timedelta(minutes=5), **ours)
    with pytest.raises(SiweMessageExpired, match="more than 10 minutes ago"):
        siwe.check(message, now=NOW + timedelta(minutes=7), **ours)
    with pytest.raises(SiweMessageExpired, match="more than 10 minutes ago"):
        siwe.check(replace(message, issued_at=datetime(2020, 1, 1, tzinfo=UTC)), now=NOW, **ours)
    for uri in ("https://evil.example", "https://evil.example/service.invalid", "http://service.invalid/login",
                "https://service.invalid:8443/"):
        with pytest.raises(SiweDomainMismatch, match="URI"):
            siwe.check(replace(message, uri=uri), now=NOW, **ours)
    with pytest.raises(SiweDomainMismatch, match="scheme"):
        siwe.check(replace(message, scheme="http"), now=NOW, **ours)


def test_signatures_recover_the_signer():
    account, other = new_account(), new_account()
    message = siwe_message(account, "abcdefgh12345678")
    text = message.to_text()
    assert siwe.recover_signer(text, sign(account, text)) == account.address
    siwe.verify_signature(message, text, sign(account, text))
    with pytest.raises(SiweSignatureInvalid, match="not made by"):
        siwe.verify_signature(message, text, sign(other, text))
    with pytest.raises(SiweSignatureInvalid, match="not made by"):
        siwe.verify_signature(message, text + " ", sign(account, text))
    for garbage in ("0x1234", "0x" + "zz" * 65, "0x" + "00" * 65):
        with pytest.raises(SiweSignatureInvalid):
            siwe.recover_signer(text, garbage)
