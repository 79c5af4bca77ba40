"""Outbox writes and the reads that turn the database's current state into search documents.

`announce` is what the writers call (the indexer's asset and edition writes, the identity service's profile
saves): one INSERT in their transaction, nothing else. It imports nothing but this package's models, so any
package can call it without an import cycle.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from discovery.search.backend import Document
from discovery.search.models import SearchOutbox

ASSET_KINDS = ("recording", "work")


def announce(session: Session, kind: str, refs: Iterable[object]) -> None:
    """Tell the search index that these (kind, ref) things changed; part of the caller's transaction."""
    rows = [{"kind": kind, "ref": str(ref)} for ref in dict.fromkeys(refs)]
    if rows:
        session.execute(insert(SearchOutbox), rows)


def announce_assets(session: Session, asset_ids: Iterable[int]) -> None:
    """An asset changed: its document and those of its editions (kind is read at drain time)."""
    announce(session, "asset", asset_ids)


def _vocabulary_tags(document: dict, key: str, known: frozenset[str]) -> list[str]:
    value = document.get(key)
    if not isinstance(value, list):
        return []
    return [t for t in dict.fromkeys(value) if isinstance(t, str) and t in known]


def _year(document: dict) -> int | None:
    year = document.get("year")
    if isinstance(year, int) and not isinstance(year, bool) and 1000 <= year <= 2999:
        return year
    date = document.get("release_date")
    if isinstance(date, str) and len(date) >= 4 and date[:4].isdigit():
        return int(date[:4])
    return None


_ASSETS = text("""
select a.asset_id, a.kind, a.controller, m.title, coalesce(m.document, '{}'::jsonb) as document,
       p.user_id as artist_id, p.display_name as artist_name,
       exists(select 1 from editions e where e.chain_id = a.chain_id and e.asset_id = a.asset_id) as has_edition,
       (select count(*) from plays pl where pl.chain_id = a.chain_id and pl.asset_id = a.asset_id
        and pl.counted) as plays,
       array(select e.edition_id from editions e where e.chain_id = a.chain_id and e.asset_id = a.asset_id
             order by e.edition_id) as edition_ids
from assets a
left join asset_metadata m on m.metadata_uri = a.metadata_uri
left join wallets w on w.address = a.controller
left join artist_profiles p on p.user_id = w.user_id
where a.chain_id = :chain_id and a.asset_id = any(:ids)
  and not exists (select 1 from social_profiles sp where sp.user_id = w.user_id and sp.suspended_at is not null)
""")


def asset_documents(session: Session, chain_id: int, asset_ids: list[int]) -> tuple[list[Document], list[int]]:
    """Documents of these assets and their editions; and the edition ids they have (gone or titleless ones have no
    document: the caller deletes what is not returned)."""
    from discovery import vocabulary

    documents: list[Document] = []
    edition_ids: list[int] = []
    for row in session.execute(_ASSETS, {"chain_id": chain_id, "ids": list(asset_ids)}):
        edition_ids += list(row.edition_ids)
        if not row.title:
            continue  # no metadata HARMONI knows: nothing to find it by
        doc = row.document
        names = [c["name"] for c in doc.get("contributors", []) if isinstance(c, dict) and isinstance(
            c.get("name"), str) and c.get("role") in (None, "performer", "artist", "featuring", "main")]
        if row.artist_name:
            names.insert(0, row.artist_name)
        artists = list(dict.fromkeys(n.strip() for n in names if n.strip()))
        release = doc.get("release") if isinstance(doc.get("release"), str) else ""
        base = {"title": row.title, "artists": artists, "release": release,
                "genres": _vocabulary_tags(doc, "genres", vocabulary.GENRE_SLUGS),
                "moods": _vocabulary_tags(doc, "moods", vocabulary.MOOD_SLUGS), "year": _year(doc),
                "has_edition": row.has_edition, "plays": row.plays,
                "account_ids": [row.artist_id] if row.artist_id else [], "asset_id": row.asset_id}
        documents.append(Document(kind=row.kind, ref=str(row.asset_id), **base))
        documents += [Document(kind="edition", ref=str(e), **base) for e in row.edition_ids]
    return documents, edition_ids


def artist_documents(session: Session, chain_id: int, user_ids: list[uuid.UUID]) -> list[Document]:
    """Artist profiles; plays are the counted plays of the assets their wallets control."""
    rows = session.execute(text("""
        select p.user_id, p.display_name,
               (select count(*) from plays pl join assets a on a.chain_id = pl.chain_id and a.asset_id = pl.asset_id
                join wallets w on w.address = a.controller
                where w.user_id = p.user_id and pl.chain_id = :chain_id and pl.counted) as plays
        from artist_profiles p where p.user_id = any(:ids)
          and not exists (select 1 from social_profiles sp where sp.user_id = p.user_id
                          and sp.suspended_at is not null)"""), {"chain_id": chain_id, "ids": list(user_ids)})
    return [Document(kind="artist", ref=str(r.user_id), title=r.display_name, artists=[r.display_name],
                     plays=r.plays, account_ids=[r.user_id]) for r in rows if r.display_name.strip()]


POST_TITLE_CHARS = 300  # what of a post's text is indexed (its start: posts are short, the key index is not)

# Public posts that are neither deleted nor hidden, by accounts not suspended; the author's handle is their "artist".
_POSTS = text("""
select p.id, p.author_id, p.text, sp.handle, ap.display_name
from social_posts p
left join social_profiles sp on sp.user_id = p.author_id
left join artist_profiles ap on ap.user_id = p.author_id
where p.id = any(:ids) and p.visibility = 'public' and p.deleted_at is null and p.hidden_at is null
  and sp.suspended_at is null and btrim(p.text) <> ''
""")

# Accounts with a handle, not suspended.
_USERS = text("""
select sp.user_id, sp.handle, ap.display_name from social_profiles sp
left join artist_profiles ap on ap.user_id = sp.user_id
where sp.user_id = any(:ids) and sp.suspended_at is null
""")


def _names(*names: str | None) -> list[str]:
    return list(dict.fromkeys(n.strip() for n in names if n and n.strip()))


def post_documents(session: Session, post_ids: list[uuid.UUID]) -> list[Document]:
    """Posts anyone may read; hidden, deleted, followers-only, holders-only and suspended authors' have none."""
    rows = session.execute(_POSTS, {"ids": list(post_ids)})
    return [Document(kind="post", ref=str(r.id), title=r.text[:POST_TITLE_CHARS],
                     artists=_names(r.display_name, r.handle and "@" + r.handle), account_ids=[r.author_id])
            for r in rows]


def user_documents(session: Session, user_ids: list[uuid.UUID]) -> list[Document]:
    """Accounts by `@handle` (and an artist's display name); suspended ones have none."""
    rows = session.execute(_USERS, {"ids": list(user_ids)})
    return [Document(kind="user", ref=str(r.user_id), title=r.handle, artists=_names(r.display_name),
                     account_ids=[r.user_id]) for r in rows]


def assets_of(session: Session, chain_id: int, user_ids: list[uuid.UUID]) -> list[int]:
    """Assets controlled by these accounts' wallets."""
    if not user_ids:
        return []
    return list(session.scalars(text(
        "select a.asset_id from assets a join wallets w on w.address = a.controller "
        "where a.chain_id = :c and w.user_id = any(:ids)"), {"c": chain_id, "ids": user_ids}))


_SUSPENDED = "exists (select 1 from social_profiles sp where sp.user_id = {} and sp.suspended_at is not null)"
_INDEXED_ASSETS = f"""
    from assets a join asset_metadata m on m.metadata_uri = a.metadata_uri
    where a.chain_id = :c and not exists (select 1 from wallets w where w.address = a.controller
                                          and {_SUSPENDED.format("w.user_id")})"""  # noqa: S608 -- ours
_INDEXED_ARTISTS = ("from artist_profiles p where btrim(p.display_name) <> '' and not "
                    + _SUSPENDED.format("p.user_id"))
_INDEXED_POSTS = ("from social_posts p left join social_profiles sp on sp.user_id = p.author_id "
                  "where p.visibility = 'public' and p.deleted_at is null and p.hidden_at is null "
                  "and sp.suspended_at is null and btrim(p.text) <> ''")
_INDEXED_USERS = "from social_profiles sp where sp.suspended_at is null"


def all_refs(session: Session, chain_id: int) -> dict[str, list[str]]:
    """Everything the index should hold, by outbox kind (for a rebuild and the count check)."""
    queries = {"asset": f"select a.asset_id {_INDEXED_ASSETS}", "artist": f"select p.user_id {_INDEXED_ARTISTS}",
               "post": f"select p.id {_INDEXED_POSTS}", "user": f"select sp.user_id {_INDEXED_USERS}"}
    return {kind: [str(r) for r in session.scalars(text(sql + " order by 1"), {"c": chain_id})]
            for kind, sql in queries.items()}


def expected_counts(session: Session, chain_id: int) -> dict[str, int]:
    """Documents per kind the database says the index should hold."""
    row = session.execute(text(f"""
        select count(*) filter (where a.kind = 'recording') as recording,
               count(*) filter (where a.kind = 'work') as work,
               coalesce(sum((select count(*) from editions e where e.chain_id = a.chain_id
                             and e.asset_id = a.asset_id)), 0) as edition
        {_INDEXED_ASSETS}"""), {"c": chain_id}).one()  # noqa: S608 -- our own fragments
    counts = {"recording": row.recording, "work": row.work, "edition": int(row.edition)}
    for kind, sql in (("artist", _INDEXED_ARTISTS), ("post", _INDEXED_POSTS), ("user", _INDEXED_USERS)):
        counts[kind] = session.scalar(text(f"select count(*) {sql}"))
    return {k: int(v) for k, v in counts.items() if v}
