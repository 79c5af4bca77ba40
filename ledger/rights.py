"""Registering works and recordings through the relayer: splits as people write them, EIP-712 messages
the controller signs (in their own wallet, or the platform's custodial one), and the relayed call.

Nothing here sends a transaction by itself: `relay_call` returns the call for the operation sender, so
the request that asked for it decides the idempotency key and when the job runs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract

from harmoni.errors import ValidationFailed
from ledger.identifiers import onchain_code
from ledger.splits import MAX_RECIPIENTS, SCALE

DOMAIN_NAME = "HARMONI RightsRegistry"
DOMAIN_VERSION = "1"
SIGNATURE_TTL_S = 3600


class SplitInvalid(ValidationFailed):
    slug = "split-invalid"
    title = "Invalid split"


@dataclass(frozen=True)
class Payee:
    address: str | None  # None for a payee given by e-mail, until `with_wallets` finds its wallet
    share_percent: str  # decimal string, at most 4 decimals: "33.3334"
    email: str | None = None  # lower-cased; instead of `address`


@dataclass(frozen=True)
class Split:
    recipients: list[str]  # strictly ascending, as the registry requires
    allocations: list[int]  # parts per million


def _ppm(share: str, field: str) -> int:
    try:
        value = Decimal(share)
        if not value.is_finite():
            raise InvalidOperation(share)
    except InvalidOperation as err:
        raise SplitInvalid(f"{field} must be a number of percent, e.g. 70 or \"33.3333\"", field=field) from err
    ppm = value * (SCALE // 100)
    if ppm != ppm.to_integral_value():
        raise SplitInvalid(f"{field} has more than 4 decimals ({share}): give it as a string with at most 4, "
                           "e.g. \"33.3333\"", field=field)
    if ppm <= 0:
        raise SplitInvalid(f"{field} must be more than 0%", field=field)
    if ppm > SCALE:
        raise SplitInvalid(f"{field} must be at most 100%", field=field)
    return int(ppm)


def _shares(payees: list[Payee], field: str) -> dict[str, int]:
    """Each payee's share in ppm, keyed by checksummed address (`email:<e-mail>` while unresolved)."""
    if not payees:
        raise SplitInvalid(f"{field} needs at least one payee", field=field)
    if len(payees) > MAX_RECIPIENTS:
        raise SplitInvalid(f"{field} has {len(payees)} payees; at most {MAX_RECIPIENTS}", field=field)
    shares: dict[str, int] = {}
    for i, payee in enumerate(payees):
        where = f"{field}[{i}]"
        if payee.email is not None:
            if payee.address is not None:
                raise SplitInvalid(f"{where} has both an address and an email; give one of them", field=where)
            key, named = f"email:{payee.email}", f"{where}.email"
        elif payee.address is None:
            raise SplitInvalid(f"{where} needs an address or an email", field=where)
        elif not Web3.is_address(payee.address) or int(payee.address, 16) == 0:
            raise SplitInvalid(f"{where}.address is not a usable wallet address", field=f"{where}.address")
        else:
            key, named = Web3.to_checksum_address(payee.address), f"{where}.address"
        if key in shares:
            raise SplitInvalid(f"{named} appears twice in the split", field=named)
        shares[key] = _ppm(payee.share_percent, f"{where}.share_percent")
    total = sum(shares.values())
    if total != SCALE:
        raise SplitInvalid(f"{field} shares add up to {Decimal(total) / (SCALE // 100)}%, not 100%", field=field)
    return shares


def check_payees(payees: list[Payee], field: str = "split") -> None:
    """Every check of `build_split` that needs no wallet: run before payees given by e-mail get one."""
    _shares(payees, field)


def with_wallets(payees: list[Payee], wallets: dict[str, str], field: str = "split") -> list[Payee]:
    """Payees given by e-mail, paid at the wallet found for each (`wallets`: e-mail -> address)."""
    named = {Web3.to_checksum_address(p.address) for p in payees if p.email is None and p.address is not None}
    resolved = []
    for i, payee in enumerate(payees):
        if payee.email is None:
            resolved.append(payee)
            continue
        address = Web3.to_checksum_address(wallets[payee.email])
        if address in named:
            raise SplitInvalid(f"{field}[{i}].email is paid at {address}, which the split already names",
                               field=f"{field}[{i}].email")
        named.add(address)
        resolved.append(Payee(address, payee.share_percent))
    return resolved


def build_split(payees: list[Payee], field: str = "split") -> Split:
    """Validate a split as written by a person and order it the way the registry stores it.

    Payees given by e-mail must have their wallets first (`with_wallets`).
    """
    shares = _shares(payees, field)
    if any(key.startswith("email:") for key in shares):
        raise ValueError("payees given by e-mail need their wallets first (with_wallets)")
    recipients = sorted(shares, key=lambda a: int(a, 16))
    return Split(recipients, [shares[a] for a in recipients])


def domain(chain_id: int, registry_address: str) -> dict[str, Any]:
    return {"name": DOMAIN_NAME, "version": DOMAIN_VERSION, "chainId": chain_id,
            "verifyingContract": Web3.to_checksum_address(registry_address)}


_SPLIT_FIELDS = [{"name": "recipients", "type": "address[]"}, {"name": "allocations", "type": "uint32[]"}]
_TAIL = [{"name": "nonce", "type": "uint256"}, {"name": "deadline", "type": "uint256"}]
TYPES = {
    "RegisterWork": [{"name": "controller", "type": "address"}, {"name": "iswc", "type": "bytes12"},
                     {"name": "metadataURI", "type": "string"}, *_SPLIT_FIELDS, *_TAIL],
    "RegisterRecording": [{"name": "controller", "type": "address"}, {"name": "isrc", "type": "bytes12"},
                          {"name": "contentHash", "type": "bytes32"}, {"name": "workIds", "type": "uint256[]"},
                          {"name": "metadataURI", "type": "string"}, *_SPLIT_FIELDS, *_TAIL],
    "UpdateSplit": [{"name": "assetId", "type": "uint256"}, *_SPLIT_FIELDS, *_TAIL],
    "TransferController": [{"name": "assetId", "type": "uint256"}, {"name": "newController", "type": "address"},
                           *_TAIL],
    "LockSplit": [{"name": "assetId", "type": "uint256"}, {"name": "splitHash", "type": "bytes32"}, *_TAIL],
    "AcceptController": [{"name": "assetId", "type": "uint256"}, *_TAIL],
}
EIP712_DOMAIN = [{"name": "name", "type": "string"}, {"name": "version", "type": "string"},
                 {"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}]


KINDS = {"RegisterWork": "register_work", "RegisterRecording": "register_recording",
         "UpdateSplit": "update_split", "TransferController": "transfer_controller", "LockSplit": "lock_split",
         "AcceptController": "accept_controller"}


class SignedRequestInvalid(ValidationFailed):
    slug = "signed-request-invalid"
    title = "Invalid signed request"


@dataclass(frozen=True)
class SignedRequest:
    """What the controller signs and what the relayer submits: one registry `...BySig` call."""

    primary_type: str
    message: dict[str, Any]
    domain: dict[str, Any]

    @property
    def kind(self) -> str:
        return KINDS[self.primary_type]

    @classmethod
    def from_typed_data(cls, document: dict[str, Any], expected_domain: dict[str, Any]) -> SignedRequest:
        """A request as a wallet signed it (JSON: bytes as 0x hex), checked against our types and domain."""
        primary = document.get("primaryType")
        if primary not in TYPES or document.get("types", {}).get(primary) != TYPES[primary]:
            raise SignedRequestInvalid("typed_data is not one of the registry's requests", field="typed_data")
        domain = document.get("domain") or {}
        if {**domain, "verifyingContract": str(domain.get("verifyingContract", "")).lower()} != {
                **expected_domain, "verifyingContract": expected_domain["verifyingContract"].lower()}:
            raise SignedRequestInvalid("typed_data.domain is not this chain's registry", field="typed_data.domain")
        message = {}
        try:
            for item in TYPES[primary]:
                value = document["message"][item["name"]]
                message[item["name"]] = _from_json(item["type"], value)
        except (KeyError, TypeError, ValueError) as err:
            raise SignedRequestInvalid(f"typed_data.message is incomplete or malformed: {err}",
                                       field="typed_data.message") from err
        return cls(primary, message, expected_domain)

    def signer(self, signature: bytes) -> str:
        try:
            return Account.recover_message(encode_typed_data(full_message=self.typed_data), signature=signature)
        except (ValueError, TypeError) as err:
            raise SignedRequestInvalid("signature is not a valid ECDSA signature", field="signature") from err

    @property
    def typed_data(self) -> dict[str, Any]:
        """The full EIP-712 document (what a wallet's eth_signTypedData_v4 takes)."""
        return {"types": {"EIP712Domain": EIP712_DOMAIN, self.primary_type: TYPES[self.primary_type]},
                "primaryType": self.primary_type, "domain": self.domain, "message": self.message}

    def sign(self, account: LocalAccount) -> bytes:
        return bytes(account.sign_message(encode_typed_data(full_message=self.typed_data)).signature)

    def relay_args(self, signature: bytes) -> tuple[str, list[Any]]:
        """The registry `...BySig` function and its arguments that carry this request."""
        m = self.message
        if self.primary_type == "RegisterWork":
            return "registerWorkBySig", [m["controller"], m["iswc"], m["metadataURI"], m["recipients"],
                                         m["allocations"], m["deadline"], signature]
        if self.primary_type == "RegisterRecording":
            return "registerRecordingBySig", [m["controller"], m["isrc"], m["contentHash"], m["workIds"],
                                              m["metadataURI"], m["recipients"], m["allocations"], m["deadline"],
                                              signature]
        if self.primary_type == "UpdateSplit":
            return "updateSplitBySig", [m["assetId"], m["recipients"], m["allocations"], m["deadline"], signature]
        if self.primary_type == "LockSplit":
            return "lockSplitBySig", [m["assetId"], m["splitHash"], m["deadline"], signature]
        if self.primary_type == "AcceptController":
            return "acceptControllerBySig", [m["assetId"], m["deadline"], signature]
        return "transferControllerBySig", [m["assetId"], m["newController"], m["deadline"], signature]

    def relay_call(self, registry: Contract, signature: bytes):
        """The registry call that carries the signed request (anyone may send it)."""
        name, args = self.relay_args(signature)
        return registry.get_function_by_name(name)(*args)

    def relay_calldata(self, registry: Contract, signature: bytes) -> str:
        name, args = self.relay_args(signature)
        return registry.encode_abi(name, args=args)


def _from_json(abi_type: str, value: Any) -> Any:
    if abi_type.endswith("[]"):
        return [_from_json(abi_type[:-2], v) for v in value]
    if abi_type == "address":
        return Web3.to_checksum_address(value)
    if abi_type.startswith("bytes"):
        return bytes.fromhex(value.removeprefix("0x"))
    if abi_type.startswith("uint"):
        return int(value)
    return str(value)


def _deadline(now: float | None) -> int:
    return int((now or time.time()) + SIGNATURE_TTL_S)


def register_work(registry: Contract, chain_id: int, controller: str, iswc: str, metadata_uri: str, split: Split,
                  now: float | None = None) -> SignedRequest:
    message = {"controller": Web3.to_checksum_address(controller), "iswc": onchain_code(iswc),
               "metadataURI": metadata_uri, "recipients": split.recipients, "allocations": split.allocations,
               "nonce": registry.functions.nonces(controller).call(), "deadline": _deadline(now)}
    return SignedRequest("RegisterWork", message, domain(chain_id, registry.address))


def register_recording(registry: Contract, chain_id: int, controller: str, isrc: str, content_hash: bytes,
                       work_ids: list[int], metadata_uri: str, split: Split, now: float | None = None) -> SignedRequest:
    message = {"controller": Web3.to_checksum_address(controller), "isrc": onchain_code(isrc),
               "contentHash": content_hash, "workIds": sorted(set(work_ids)), "metadataURI": metadata_uri,
               "recipients": split.recipients, "allocations": split.allocations,
               "nonce": registry.functions.nonces(controller).call(), "deadline": _deadline(now)}
    return SignedRequest("RegisterRecording", message, domain(chain_id, registry.address))


def transfer_controller(registry: Contract, chain_id: int, controller: str, asset_id: int, new_controller: str,
                        now: float | None = None) -> SignedRequest:
    message = {"assetId": asset_id, "newController": Web3.to_checksum_address(new_controller),
               "nonce": registry.functions.nonces(controller).call(), "deadline": _deadline(now)}
    return SignedRequest("TransferController", message, domain(chain_id, registry.address))


def update_split(registry: Contract, chain_id: int, controller: str, asset_id: int, split: Split,
                 now: float | None = None) -> SignedRequest:
    message = {"assetId": asset_id, "recipients": split.recipients, "allocations": split.allocations,
               "nonce": registry.functions.nonces(controller).call(), "deadline": _deadline(now)}
    return SignedRequest("UpdateSplit", message, domain(chain_id, registry.address))


def lock_split(registry: Contract, chain_id: int, controller: str, asset_id: int, split_hash: bytes,
               now: float | None = None) -> SignedRequest:
    """Lock the split in force for good; `split_hash` names it, so a split changed meanwhile stays unlocked."""
    message = {"assetId": asset_id, "splitHash": split_hash,
               "nonce": registry.functions.nonces(controller).call(), "deadline": _deadline(now)}
    return SignedRequest("LockSplit", message, domain(chain_id, registry.address))


def accept_controller(registry: Contract, chain_id: int, pending_controller: str, asset_id: int,
                      now: float | None = None) -> SignedRequest:
    """Take control of an asset: signed by its pending controller (the nominee), with the nominee's nonce."""
    message = {"assetId": asset_id, "nonce": registry.functions.nonces(pending_controller).call(),
               "deadline": _deadline(now)}
    return SignedRequest("AcceptController", message, domain(chain_id, registry.address))
