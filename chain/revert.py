"""Revert decoding: revert data (selector + ABI-encoded args) becomes `ContractReverted` with names and values.

The selector map is built from every artifact's ABI (`chain.artifacts.CONTRACT_SOURCES`), which includes
the OpenZeppelin errors the contracts can raise, plus Solidity's built-in `Error(string)` and
`Panic(uint256)`. Reverts come from three places: web3's `ContractCustomError`/`ContractLogicError`
(eth_call, eth_estimateGas), a raw JSON-RPC error carrying data, and mined transactions with status 0,
which are replayed as eth_call at their block (`replay_failed_tx`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from eth_abi import decode as abi_decode
from eth_abi.exceptions import DecodingError
from eth_utils import keccak, to_checksum_address
from web3 import Web3
from web3.exceptions import ContractLogicError, Web3RPCError

from chain import artifacts
from chain.errors import ContractReverted, RpcError
from chain.retry import DEFAULT_RETRY, RetryPolicy, with_retries
from harmoni.errors import ConfigurationError

log = logging.getLogger(__name__)

_HEX = re.compile(r"^0x([0-9a-fA-F]{2})*$")

# Solidity's compiler-inserted panics (https://docs.soliditylang.org/en/latest/control-structures.html).
PANIC_REASONS = {
    0x00: "generic compiler panic",
    0x01: "assertion failed",
    0x11: "arithmetic overflow or underflow",
    0x12: "division or modulo by zero",
    0x21: "invalid enum value",
    0x22: "corrupt storage byte array",
    0x31: "pop on an empty array",
    0x32: "array index out of bounds",
    0x41: "out of memory",
    0x51: "call to an uninitialised internal function",
}


@dataclass(frozen=True)
class ErrorSpec:
    """One error type: its name, ABI inputs and canonical signature."""

    name: str
    inputs: tuple[dict, ...]
    signature: str

    @property
    def selector(self) -> bytes:
        return keccak(text=self.signature)[:4]

    @classmethod
    def from_abi(cls, entry: Mapping[str, Any]) -> ErrorSpec:
        inputs = tuple(entry.get("inputs", ()))
        return cls(entry["name"], inputs, f"{entry['name']}({','.join(abi_type(i) for i in inputs)})")


ERROR_STRING = ErrorSpec("Error", ({"name": "message", "type": "string"},), "Error(string)")
PANIC = ErrorSpec("Panic", ({"name": "code", "type": "uint256"},), "Panic(uint256)")


def abi_type(param: Mapping[str, Any]) -> str:
    """The canonical type of an ABI parameter (tuples spelled out: `(uint256,address)[]`)."""
    kind = param["type"]
    if kind.startswith("tuple"):
        return "(" + ",".join(abi_type(c) for c in param["components"]) + ")" + kind[len("tuple"):]
    return kind


def error_specs_from_abi(abi: list[dict]) -> list[ErrorSpec]:
    return [ErrorSpec.from_abi(entry) for entry in abi if entry.get("type") == "error"]


@lru_cache(maxsize=1)
def known_errors() -> dict[bytes, ErrorSpec]:
    """selector → error, over every built artifact (cached; `known_errors.cache_clear()` after a rebuild)."""
    table = {ERROR_STRING.selector: ERROR_STRING, PANIC.selector: PANIC}
    for name in artifacts.CONTRACT_SOURCES:
        try:
            abi = artifacts.load(name).abi
        except ConfigurationError:
            log.warning("no artifact for %s: its errors cannot be decoded", name)
            continue
        for spec in error_specs_from_abi(abi):
            existing = table.setdefault(spec.selector, spec)
            if existing.signature != spec.signature:  # a real 4-byte collision: keep the first, say so
                log.warning("error selector collision: %s vs %s", existing.signature, spec.signature)
    return table


def jsonable(param: Mapping[str, Any], value: Any) -> Any:
    """A decoded ABI value as JSON: checksummed addresses, 0x hex bytes, ints, lists, dicts for structs."""
    kind = param["type"]
    if kind.endswith("]"):
        inner = {**param, "type": kind[: kind.rindex("[")]}
        return [jsonable(inner, item) for item in value]
    if kind == "tuple":
        return {c.get("name") or f"arg{i}": jsonable(c, v) for i, (c, v) in enumerate(zip(param["components"], value,
                                                                                           strict=True))}
    if kind == "address":
        return to_checksum_address(value)
    if kind.startswith("bytes") or kind == "function":
        return "0x" + bytes(value).hex()
    if kind.startswith(("uint", "int")):
        return int(value)
    return value


def normalize_revert_data(data: bytes | str | None) -> str | None:
    """Revert data as 0x hex, or None when there is none (or it is not hex)."""
    if data is None:
        return None
    if isinstance(data, bytes | bytearray):
        text = "0x" + bytes(data).hex()
    else:
        text = data.strip()
        if text.startswith("Reverted "):  # some nodes prefix the data
            text = text.removeprefix("Reverted ").strip()
        if not text.startswith("0x"):
            text = "0x" + text
    if not _HEX.match(text) or text == "0x":
        return None
    return text.lower()


def decode_revert_data(data: bytes | str | None, context: str = "") -> ContractReverted:
    """Turn revert data into ContractReverted(detail, error_name, error_args)."""
    prefix = f"{context}: " if context else ""
    hex_data = normalize_revert_data(data)
    if hex_data is None:
        return ContractReverted(f"{prefix}reverted without data")
    raw = bytes.fromhex(hex_data[2:])
    spec = known_errors().get(raw[:4])
    if spec is None or len(raw) < 4:
        return ContractReverted(f"{prefix}reverted with unknown error 0x{raw[:4].hex()}", data=hex_data)
    try:
        values = abi_decode([abi_type(i) for i in spec.inputs], raw[4:])
    except (DecodingError, ValueError, OverflowError) as err:
        return ContractReverted(f"{prefix}reverted with {spec.signature} but its arguments do not decode: {err}",
                                error_name=spec.name, data=hex_data)
    args = {param.get("name") or f"arg{i}": jsonable(param, value)
            for i, (param, value) in enumerate(zip(spec.inputs, values, strict=True))}
    if spec is ERROR_STRING:
        detail = f"{prefix}reverted: {args['message']}"
    elif spec is PANIC:
        reason = PANIC_REASONS.get(args["code"], "unknown panic code")
        detail = f"{prefix}panicked with code 0x{args['code']:02x} ({reason})"
    else:
        shown = ", ".join(f"{k}={v}" for k, v in args.items())
        detail = f"{prefix}reverted with {spec.name}({shown})"
    return ContractReverted(detail, error_name=spec.name, error_args=args, data=hex_data)


def revert_data_of(err: BaseException) -> str | None:
    """The revert data carried by a web3 revert exception or a JSON-RPC error, if any."""
    candidates: list[Any] = []
    if isinstance(err, ContractLogicError):
        candidates.append(err.data)
    response = getattr(err, "rpc_response", None)
    if isinstance(response, dict) and isinstance(response.get("error"), dict):
        candidates.append(response["error"].get("data"))
    for candidate in candidates:
        # Some nodes nest it: {"data": "0x..."} or {"data": {"data": "0x..."}}.
        while isinstance(candidate, dict):
            candidate = candidate.get("data")
        if isinstance(candidate, str | bytes) and (hex_data := normalize_revert_data(candidate)):
            return hex_data
    return None


def is_revert(err: BaseException) -> bool:
    if isinstance(err, ContractLogicError):
        return True
    if isinstance(err, Web3RPCError):
        message = str(err).lower()
        return "revert" in message and revert_data_of(err) is not None
    return False


def as_revert(err: BaseException, context: str = "") -> ContractReverted | None:
    """ContractReverted for a revert-shaped exception (eth_call / estimate_gas), else None."""
    if not is_revert(err):
        return None
    decoded = decode_revert_data(revert_data_of(err), context)
    if decoded.error_name is None and decoded.data is None:
        message = getattr(err, "message", None) or str(err)
        prefix = f"{context}: " if context else ""
        return ContractReverted(f"{prefix}{message}")
    return decoded


def replay_failed_tx(w3: Web3, tx: Mapping[str, Any], block_number: int, *, gas_used: int | None = None,
                     context: str = "", retry: RetryPolicy = DEFAULT_RETRY) -> ContractReverted:
    """Why a mined transaction reverted: re-run it as eth_call on the state of its block.

    The call sees the block's final state, so a revert that depended on a transaction later in the same
    block may not reproduce; then the answer says so instead of guessing.
    """
    call: dict[str, Any] = {"from": tx["from"], "data": tx.get("data") or tx.get("input") or "0x",
                            "value": int(tx.get("value") or 0)}
    if tx.get("to"):
        call["to"] = tx["to"]
    if tx.get("gas"):
        call["gas"] = int(tx["gas"])
    try:
        with_retries(lambda: w3.eth.call(call, block_identifier=block_number), retry)  # type: ignore[arg-type]
    except Exception as err:
        decoded = as_revert(err, context)
        if decoded is not None:
            return decoded
        raise RpcError(f"replaying a failed transaction: {type(err).__name__}: {err}") from err
    prefix = f"{context}: " if context else ""
    if gas_used is not None and tx.get("gas") and gas_used >= int(tx["gas"]):
        return ContractReverted(f"{prefix}ran out of gas (used all {gas_used}) in block {block_number}")
    return ContractReverted(f"{prefix}reverted in block {block_number}; replaying it on that block's state "
                            "did not reproduce the revert")
