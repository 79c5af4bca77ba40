"""Industry codes: ISRC for recordings, ISWC for works. The chain checks their shape; the ISWC check
digit (ISO 15707) is verified here, before anything is sent."""

from __future__ import annotations

import re

from harmoni.errors import ValidationFailed

_ISRC = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}[0-9]{2}[0-9]{5}$")
_ISWC = re.compile(r"^T[0-9]{10}$")


class InvalidIndustryCode(ValidationFailed):
    slug = "invalid-industry-code"
    title = "Invalid ISRC or ISWC"


def _compact(code: str) -> str:
    return "".join(ch for ch in code.strip().upper() if ch not in "-. ")


def iswc_check_digit(nine_digits: str) -> int:
    """ISO 15707: 1 + sum(i * d_i) for i = 1..9, then (10 - total mod 10) mod 10."""
    total = 1 + sum(i * int(d) for i, d in enumerate(nine_digits, start=1))
    return (10 - total % 10) % 10


def normalize_iswc(code: str, field: str = "iswc") -> str:
    """`T-034.524.680-1` -> `T0345246801`, or InvalidIndustryCode naming the field."""
    compact = _compact(code)
    if not _ISWC.match(compact):
        raise InvalidIndustryCode(f"{field} must be T followed by 10 digits (e.g. T-034.524.680-1)", field=field)
    if iswc_check_digit(compact[1:10]) != int(compact[10]):
        raise InvalidIndustryCode(f"{field} check digit is wrong (expected {iswc_check_digit(compact[1:10])})",
                                  field=field)
    return compact


def normalize_isrc(code: str, field: str = "isrc") -> str:
    """`US-RC1-76-07839` -> `USRC17607839`, or InvalidIndustryCode naming the field."""
    compact = _compact(code)
    if not _ISRC.match(compact):
        raise InvalidIndustryCode(
            f"{field} must be 2 letters, 3 letters or digits, 2 digits and 5 digits (e.g. US-RC1-76-07839)",
            field=field)
    return compact


def onchain_code(code: str) -> bytes:
    """The registry's bytes12: 12 ASCII characters, an 11-character ISWC right-padded with a zero byte."""
    return code.encode("ascii").ljust(12, b"\0")


def readable_code(onchain: bytes | str) -> str:
    """The registry's bytes12 (or its 0x hex) as people write it: `US-RC1-76-07839`, `T-034.524.680-1`."""
    raw = bytes.fromhex(onchain[2:]) if isinstance(onchain, str) else onchain
    text = raw.rstrip(b"\0").decode("ascii", errors="replace")
    if _ISWC.match(text):
        return f"T-{text[1:4]}.{text[4:7]}.{text[7:10]}-{text[10]}"
    if _ISRC.match(text):
        return f"{text[:2]}-{text[2:5]}-{text[5:7]}-{text[7:]}"
    return text
