"""The controlled vocabulary of genres and moods an artist tags works and recordings with.

A module constant, not a table: the list is reviewed code, served by `GET /v1/genres` / `GET /v1/moods`, and the
tags chosen are kept off chain in the metadata document (and so in the catalog and the search index). Slugs are
stable identifiers; display names may be reworded without touching any stored document.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

MAX_TAGS = 5


@dataclass(frozen=True)
class Term:
    slug: str
    name: str


def _terms(*pairs: tuple[str, str]) -> tuple[Term, ...]:
    return tuple(Term(slug, name) for slug, name in pairs)


GENRES = _terms(
    ("acoustic", "Acoustic"), ("afrobeat", "Afrobeat"), ("afrobeats", "Afrobeats"), ("alternative", "Alternative"),
    ("ambient", "Ambient"), ("americana", "Americana"), ("bachata", "Bachata"), ("baroque", "Baroque"),
    ("bluegrass", "Bluegrass"), ("blues", "Blues"), ("bossa-nova", "Bossa Nova"), ("breakbeat", "Breakbeat"),
    ("chamber", "Chamber Music"), ("childrens", "Children's"), ("choral", "Choral"), ("classical", "Classical"),
    ("country", "Country"), ("cumbia", "Cumbia"), ("dancehall", "Dancehall"), ("disco", "Disco"),
    ("drill", "Drill"), ("drum-and-bass", "Drum & Bass"), ("dubstep", "Dubstep"), ("edm", "EDM"),
    ("electronic", "Electronic"), ("emo", "Emo"), ("experimental", "Experimental"), ("flamenco", "Flamenco"),
    ("folk", "Folk"), ("funk", "Funk"), ("garage", "Garage"), ("gospel", "Gospel"), ("grime", "Grime"),
    ("grunge", "Grunge"), ("hard-rock", "Hard Rock"), ("hip-hop", "Hip-Hop"), ("house", "House"),
    ("indie", "Indie"), ("industrial", "Industrial"), ("j-pop", "J-Pop"), ("jazz", "Jazz"), ("k-pop", "K-Pop"),
    ("latin", "Latin"), ("lo-fi", "Lo-Fi"), ("metal", "Metal"), ("musical-theatre", "Musical Theatre"),
    ("new-age", "New Age"), ("opera", "Opera"), ("pop", "Pop"), ("punk", "Punk"), ("r-and-b", "R&B"),
    ("rap", "Rap"), ("reggae", "Reggae"), ("reggaeton", "Reggaeton"), ("rock", "Rock"), ("salsa", "Salsa"),
    ("samba", "Samba"), ("singer-songwriter", "Singer-Songwriter"), ("ska", "Ska"), ("soul", "Soul"),
    ("soundtrack", "Soundtrack"), ("spoken-word", "Spoken Word"), ("synthwave", "Synthwave"),
    ("techno", "Techno"), ("trance", "Trance"), ("trap", "Trap"), ("world", "World"),
)

MOODS = _terms(
    ("aggressive", "Aggressive"), ("angry", "Angry"), ("bittersweet", "Bittersweet"), ("calm", "Calm"),
    ("chill", "Chill"), ("dark", "Dark"), ("dreamy", "Dreamy"), ("energetic", "Energetic"), ("epic", "Epic"),
    ("euphoric", "Euphoric"), ("focused", "Focused"), ("groovy", "Groovy"), ("happy", "Happy"),
    ("hopeful", "Hopeful"), ("intense", "Intense"), ("melancholic", "Melancholic"), ("mysterious", "Mysterious"),
    ("nostalgic", "Nostalgic"), ("peaceful", "Peaceful"), ("playful", "Playful"), ("romantic", "Romantic"),
    ("sad", "Sad"), ("sensual", "Sensual"), ("sentimental", "Sentimental"), ("sleepy", "Sleepy"),
    ("smooth", "Smooth"), ("tense", "Tense"), ("uplifting", "Uplifting"), ("warm", "Warm"), ("weird", "Weird"),
)

GENRE_SLUGS = frozenset(t.slug for t in GENRES)
MOOD_SLUGS = frozenset(t.slug for t in MOODS)
_NAMES = {t.slug: t.name for t in (*GENRES, *MOODS)}


def display_name(slug: str) -> str:
    return _NAMES.get(slug, slug)


def genre(slug: str) -> str:
    """`slug` when it names a genre; ValueError (a 422 naming the field) otherwise."""
    if slug not in GENRE_SLUGS:
        raise ValueError(f"unknown genre {slug!r}: use a slug listed by GET /v1/genres")
    return slug


def mood(slug: str) -> str:
    """`slug` when it names a mood; ValueError (a 422 naming the field) otherwise."""
    if slug not in MOOD_SLUGS:
        raise ValueError(f"unknown mood {slug!r}: use a slug listed by GET /v1/moods")
    return slug


def distinct(tags: Iterable[str]) -> list[str]:
    """The tags in the order chosen, each once."""
    return list(dict.fromkeys(tags))
