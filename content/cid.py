"""Content identifiers computed locally: CIDv1, raw codec, sha2-256, base32 (`bafkrei...`).

For a file up to one IPFS chunk (256 KiB), this is the CID `ipfs add --cid-version=1 --raw-leaves`
gives it, so metadata pinned anywhere later keeps the identifier the chain already holds.
"""

from __future__ import annotations

import base64
import hashlib

RAW_CODEC = 0x55
SHA2_256 = 0x12


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def cid_v1_raw(data: bytes) -> str:
    digest = hashlib.sha256(data).digest()
    binary = _varint(1) + _varint(RAW_CODEC) + _varint(SHA2_256) + _varint(len(digest)) + digest
    return "b" + base64.b32encode(binary).decode("ascii").lower().rstrip("=")


def sha256_of_cid(cid: str) -> bytes:
    """The sha2-256 digest inside a CID this module made (to check content against it)."""
    if not cid.startswith("b"):
        raise ValueError("not a base32 CIDv1")
    body = cid[1:].upper()
    binary = base64.b32decode(body + "=" * (-len(body) % 8))
    if binary[:4] != bytes([1, RAW_CODEC, SHA2_256, 32]):
        raise ValueError("not a raw sha2-256 CIDv1")
    return binary[4:]
