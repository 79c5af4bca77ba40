"""Content identifiers computed locally: CIDv1, raw codec, sha2-256, base32 (`bafkrei...`).

For a file up to one IPFS chunk (256 KiB), this is the CID `ipfs add --cid-version=1 --raw-leaves`
gives it, so metadata pinned anywhere later keeps the identifier the chain already holds.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

RAW_CODEC = 0x55
SHA2_256 = 0x12
CHUNK = 1 << 20  # 1 MiB reads: audio masters are hashed without ever being whole in memory


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


def cid_of_sha256(digest: bytes) -> str:
    """The raw-codec CIDv1 (base32) naming content whose sha2-256 digest is `digest`."""
    if len(digest) != 32:
        raise ValueError("a sha2-256 digest is 32 bytes")
    binary = _varint(1) + _varint(RAW_CODEC) + _varint(SHA2_256) + _varint(len(digest)) + digest
    return "b" + base64.b32encode(binary).decode("ascii").lower().rstrip("=")


def cid_v1_raw(data: bytes) -> str:
    """The raw-codec CIDv1 of `data`."""
    return cid_of_sha256(hashlib.sha256(data).digest())


def file_digest(path: Path) -> tuple[bytes, int]:
    """The sha2-256 digest and size of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.digest(), size


def sha256_of_cid(cid: str) -> bytes:
    """The sha2-256 digest inside a CID this module made (to check content against it)."""
    if not cid.startswith("b"):
        raise ValueError("not a base32 CIDv1")
    body = cid[1:].upper()
    binary = base64.b32decode(body + "=" * (-len(body) % 8))
    if binary[:4] != bytes([1, RAW_CODEC, SHA2_256, 32]):
        raise ValueError("not a raw sha2-256 CIDv1")
    return binary[4:]
