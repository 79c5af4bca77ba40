"""Opaque, stable cursors: the (time, tie-breaker) of the last item a page ended with."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import datetime

from social.errors import InvalidCursor


def encode(at: datetime, key: str) -> str:
    raw = json.dumps([at.isoformat(), key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str | None) -> tuple[datetime, str] | None:
    if not cursor:
        return None
    try:
        at, key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        parsed = datetime.fromisoformat(at)
        if parsed.tzinfo is None or not isinstance(key, str):
            raise ValueError("naive time")
        return parsed, key
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InvalidCursor("cursor is not one this API returned: pass `next_cursor` of the previous page as is",
                            field="cursor") from err


def uuid_key(key: str) -> uuid.UUID:
    try:
        return uuid.UUID(key)
    except ValueError as err:
        raise InvalidCursor("cursor is not one this API returned", field="cursor") from err
