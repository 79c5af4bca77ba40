"""Turns raw logs of our contracts into typed, JSON-friendly events, driven by the build artifacts' ABIs.

Static-only events (most of them) are decoded word by word, which is several times faster than
generic ABI decoding; events with dynamic fields (arrays, strings) go through eth_abi.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_abi import decode as abi_decode
from eth_utils import keccak, to_checksum_address

from chain import artifacts

_STATIC_SCALARS = ("uint", "int", "address", "bool", "bytes")


@dataclass(frozen=True)
class RawLog:
    block_number: int
    block_hash: bytes
    tx_hash: bytes
    tx_index: int
    log_index: int
    address: str  # checksummed
    topics: tuple[bytes, ...]
    data: bytes

    @classmethod
    def from_rpc(cls, log: dict) -> RawLog:
        return cls(block_number=int(log["blockNumber"], 16), block_hash=bytes.fromhex(log["blockHash"][2:]),
                   tx_hash=bytes.fromhex(log["transactionHash"][2:]), tx_index=int(log["transactionIndex"], 16),
                   log_index=int(log["logIndex"], 16), address=to_checksum_address(log["address"]),
                   topics=tuple(bytes.fromhex(t[2:]) for t in log["topics"]),
                   data=bytes.fromhex(log["data"][2:]))


@dataclass(frozen=True)
class DecodedEvent:
    log: RawLog
    contract: str
    name: str
    args: dict[str, Any]

    @property
    def block_number(self) -> int:
        return self.log.block_number

    @property
    def log_index(self) -> int:
        return self.log.log_index


def _is_static(abi_type: str) -> bool:
    if abi_type.endswith("]") or abi_type in ("string", "bytes") or abi_type.startswith("("):
        return False
    return abi_type.startswith(_STATIC_SCALARS)


def _word(abi_type: str, word: bytes) -> Any:
    if abi_type == "address":
        return to_checksum_address(word[12:])
    if abi_type == "bool":
        return word[-1] == 1
    if abi_type.startswith("uint"):
        return int.from_bytes(word, "big")
    if abi_type.startswith("int"):
        return int.from_bytes(word, "big", signed=True)
    size = int(abi_type[5:])  # bytesN
    return "0x" + word[:size].hex()


def _jsonable(abi_type: str, value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        inner = abi_type[: abi_type.rindex("[")]
        return [_jsonable(inner, v) for v in value]
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if abi_type == "address":
        return to_checksum_address(value)
    return value


@dataclass(frozen=True)
class _EventSpec:
    contract: str
    name: str
    indexed: tuple[tuple[str, str], ...]
    plain: tuple[tuple[str, str], ...]
    static: bool

    def decode(self, log: RawLog) -> dict[str, Any]:
        args: dict[str, Any] = {}
        for (name, abi_type), topic in zip(self.indexed, log.topics[1:], strict=True):
            # Indexed dynamic values are stored as their hash: keep the hash.
            args[name] = _word(abi_type, topic) if _is_static(abi_type) else "0x" + topic.hex()
        if self.static:
            data = log.data
            for i, (name, abi_type) in enumerate(self.plain):
                args[name] = _word(abi_type, data[32 * i: 32 * i + 32])
        elif self.plain:
            values = abi_decode([t for _, t in self.plain], log.data)
            for (name, abi_type), value in zip(self.plain, values, strict=True):
                args[name] = _jsonable(abi_type, value)
        return args


def _canonical_type(item: dict) -> str:
    if item["type"].startswith("tuple"):
        inner = ",".join(_canonical_type(c) for c in item["components"])
        return f"({inner}){item['type'][5:]}"
    return item["type"]


class EventDecoder:
    """Decodes logs of known contract addresses; unknown addresses or topics yield None."""

    def __init__(self, addresses: dict[str, str]) -> None:
        """`addresses`: contract name -> deployed address."""
        self._specs: dict[tuple[str, bytes], _EventSpec] = {}
        for name, address in addresses.items():
            for item in artifacts.load(name).abi:
                if item["type"] != "event" or item.get("anonymous"):
                    continue
                types = [_canonical_type(i) for i in item["inputs"]]
                topic0 = keccak(text=f"{item['name']}({','.join(types)})")
                indexed = tuple((i["name"], t) for i, t in zip(item["inputs"], types, strict=True) if i["indexed"])
                plain = tuple((i["name"], t) for i, t in zip(item["inputs"], types, strict=True) if not i["indexed"])
                spec = _EventSpec(name, item["name"], indexed, plain, all(_is_static(t) for _, t in plain))
                self._specs[(to_checksum_address(address), topic0)] = spec

    @property
    def addresses(self) -> list[str]:
        return sorted({address for address, _ in self._specs})

    def decode(self, log: RawLog) -> DecodedEvent | None:
        if not log.topics:
            return None
        spec = self._specs.get((log.address, log.topics[0]))
        if spec is None:
            return None
        return DecodedEvent(log, spec.contract, spec.name, spec.decode(log))
