"""User text to plain text plus entities: mentions (@handle), hashtags (#tag) and links (http/https).

Nothing here produces HTML: clients render `text` as text and use the entities' [start, end) character offsets to
make links. The word filter and the "at 1:32" parser live here too.
"""

from __future__ import annotations

import re
import unicodedata

from social.errors import WordFiltered

_MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_]{2,30})\b")
_HASHTAG = re.compile(r"(?<![\w#&])#(\w{1,64})")
_LINK = re.compile(r"\bhttps?://[^\s<>\"']+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""
_AT = re.compile(r"^\s*(?:at\s+)?(?:(\d{1,2}):)?(\d{1,3}):([0-5]\d)\s*$", re.IGNORECASE)
_CONTROL = {"Cc", "Cf", "Co", "Cs"}


def clean(text: str) -> str:
    """NFC text without control characters (newlines and tabs stay)."""
    text = unicodedata.normalize("NFC", text)
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in _CONTROL).strip()


def entities(text: str) -> list[dict]:
    """Mentions, hashtags and links found in `text`, in order; offsets are Python string indexes."""
    found: list[dict] = []
    for match in _LINK.finditer(text):
        url = match.group(0).rstrip(_TRAILING)
        found.append({"type": "link", "start": match.start(), "end": match.start() + len(url), "url": url})
    taken = [(e["start"], e["end"]) for e in found]

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for match in _MENTION.finditer(text):
        if free(match.start(), match.end()):
            found.append({"type": "mention", "start": match.start(), "end": match.end(),
                          "handle": match.group(1).lower()})
    for match in _HASHTAG.finditer(text):
        if free(match.start(), match.end()):
            found.append({"type": "hashtag", "start": match.start(), "end": match.end(),
                          "tag": match.group(1).lower()})
    return sorted(found, key=lambda e: e["start"])


def check_words(text: str, blocked_words: str, field: str) -> None:
    """Refuse `text` if it contains one of the comma-separated `blocked_words` as a whole word."""
    words = [w.strip().lower() for w in blocked_words.split(",") if w.strip()]
    lowered = text.lower()
    for word in words:
        if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", lowered):
            raise WordFiltered(f"{field} contains a word that is not allowed here: rephrase it", field=field)


def seconds_at(value: str | None) -> int | None:
    """"at 1:32" / "1:32" / "1:02:03" into seconds; None for None; ValueError for anything else."""
    if value is None:
        return None
    match = _AT.match(value)
    if not match:
        raise ValueError("give a moment of the track as m:ss or h:mm:ss, e.g. \"at 1:32\"")
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds
