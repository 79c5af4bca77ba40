"""A small hand-made catalog for the search tests: collisions, accents, popular and obscure namesakes."""

from __future__ import annotations

import uuid

from discovery.search.backend import Document

MO = uuid.UUID("00000000-0000-4000-8000-000000000001")
BJORK = uuid.UUID("00000000-0000-4000-8000-000000000002")
MADONNA = uuid.UUID("00000000-0000-4000-8000-000000000003")
FOLLOWED = uuid.UUID("00000000-0000-4000-8000-000000000004")
NOBODY = uuid.UUID("00000000-0000-4000-8000-000000000005")


def rec(ref: int, title: str, artists: list[str], plays: int = 0, account: uuid.UUID | None = None,
        **extra) -> Document:
    return Document(kind=extra.pop("kind", "recording"), ref=str(ref), title=title, artists=artists, plays=plays,
                    account_ids=[account] if account else [], asset_id=ref, **extra)


def artist(user_id: uuid.UUID, name: str, plays: int = 0) -> Document:
    return Document(kind="artist", ref=str(user_id), title=name, artists=[name], plays=plays, account_ids=[user_id])


CATALOG = [
    rec(1, "Café Noir", ["MØ"], plays=500, account=MO, genres=["electronic"], moods=["dark"], year=2019),
    rec(2, "Final Song", ["MØ"], plays=90_000, account=MO, genres=["pop", "electronic"], year=2016),
    rec(3, "Lean On", ["Major Lazer", "MØ"], plays=1_000_000, genres=["edm"], moods=["energetic"], year=2015,
        has_edition=True),
    rec(4, "Jóga", ["Björk"], plays=40_000, account=BJORK, genres=["experimental"], release="Homogenic", year=1997),
    rec(5, "Hyperballad", ["Björk"], plays=30_000, account=BJORK, release="Post", year=1995),
    rec(6, "Army of Me", ["Björk"], plays=35_000, account=BJORK, release="Post", year=1995, moods=["aggressive"]),
    rec(7, "Madonna", ["The Saints"], plays=10, genres=["punk"], year=1978),
    rec(8, "Like a Prayer", ["Madonna"], plays=2_000_000, account=MADONNA, genres=["pop"], year=1989,
        has_edition=True),
    rec(9, "Vogue", ["Madonna"], plays=1_500_000, account=MADONNA, genres=["pop", "house"], year=1990),
    rec(10, "Blue Hour", ["Ada Moreau"], plays=200, genres=["jazz"], moods=["calm"], year=2026, has_edition=True),
    rec(11, "Blue Hour Blues", ["Lee Quartet"], plays=50_000, genres=["blues"], year=2020),
    rec(12, "Into the Blue", ["Ada Moreau"], plays=100, genres=["jazz"], year=2026),
    rec(13, "Hour of the Wolf", ["Nightfall"], plays=5, genres=["metal"], moods=["dark"], year=2001),
    rec(14, "Beautiful Day", ["U2"], plays=800_000, genres=["rock"], moods=["uplifting"], year=2000),
    rec(15, "Beautiful", ["Christina Aguilera"], plays=700_000, genres=["pop"], year=2002),
    rec(16, "Day Dreaming", ["Followed Friend"], plays=3, account=FOLLOWED, genres=["indie"], year=2024),
    rec(17, "Daydream", ["Obscure Band"], plays=1, genres=["indie"], year=2024),
    rec(18, "Crème Brûlée", ["Pâtisserie Sonore"], plays=20, genres=["lo-fi"], moods=["chill"], year=2022),
    rec(19, "Naïve Melody", ["Talking Heads"], plays=60_000, release="Speaking in Tongues", genres=["rock"],
        year=1983),
    rec(20, "Über Alles", ["Kraftwerk"], plays=25_000, genres=["electronic"], year=1981),
    rec(21, "Smells Like Teen Spirit", ["Nirvana"], plays=3_000_000, genres=["grunge"], year=1991,
        release="Nevermind"),
    rec(22, "Come as You Are", ["Nirvana"], plays=2_500_000, genres=["grunge"], release="Nevermind", year=1991),
    rec(23, "Nevermind", ["Obscure Band"], plays=2, year=2010),
    rec(24, "Symphony No. 5", ["Beethoven"], kind="work", plays=0, genres=["classical"]),
    rec(25, "Moonlight Sonata", ["Beethoven"], kind="work", plays=0, genres=["classical"], moods=["melancholic"]),
    rec(26, "Gymnopédie No. 1", ["Erik Satie"], kind="work", genres=["classical"], moods=["peaceful"]),
    rec(27, "Don't Stop Me Now", ["Queen"], plays=1_800_000, genres=["rock"], moods=["euphoric"], year=1979),
    rec(28, "Stop", ["Spice Girls"], plays=400_000, genres=["pop"], year=1997),
    rec(29, "Sabotage", ["Beastie Boys"], plays=900_000, genres=["hip-hop"], year=1994),
    rec(30, "Beethoven Blues", ["Chuck Berry"], plays=50_000, genres=["rock"], year=1956),
    rec(31, "Ñandú", ["Los Pájaros"], plays=30, genres=["latin"], year=2018),
    rec(32, "Łódź Nights", ["Polski Duo"], plays=12, genres=["techno"], year=2021),
    rec(33, "Strasse", ["Straßenmusik"], plays=40, genres=["folk"], year=2012),
    rec(34, "Stop Right Now", ["Followed Friend"], plays=50_000_000, account=FOLLOWED, year=2025),
    artist(MO, "MØ", plays=1_100_000),
    artist(BJORK, "Björk", plays=105_000),
    artist(MADONNA, "Madonna", plays=3_500_000),
    artist(FOLLOWED, "Followed Friend", plays=3),
    Document(kind="edition", ref="501", title="Lean On", artists=["Major Lazer", "MØ"], genres=["edm"],
             has_edition=True, plays=1_000_000, asset_id=3, year=2015),
]
