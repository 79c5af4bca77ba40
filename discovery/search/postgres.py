"""The default backend: PostgreSQL full-text search over `search_documents`, in the caller's session.

Words are folded by `harmoni_fold` (lower-cased `unaccent`, IMMUTABLE), so "cafe" finds "Café" and "mo" finds
"MØ". Every query word matches as a prefix ("blu ho" finds "Blue Hour"); a word the index does not hold is also
read as its nearest indexed words within one edit (two for words of eight letters or more), found with
`pg_trgm` in `search_terms`. Tiers: 2 an exact title or artist name (also after correcting typos: "madona" is
Madonna), 1 a title or name that starts with the query, 0 the rest; within a tier, ts_rank (title A, artists B,
release C, tags D) times popularity and follows; ties go recording, artist, work, edition.

Speed: the upper tiers' candidates come from indexes that yield the most played first (at most `POOL` each, or a
page past the offset), so a query naming a common word or a prolific artist reads a few hundred rows, not every
match; within a tier holding more than that, the order is that of its most played `POOL`. The other matches are
read only when the upper tiers do not fill the page. Facets still count every match, in one pass.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable

from psycopg.rows import namedtuple_row
from sqlalchemy import bindparam, delete, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.types import Text, Uuid

from discovery.search.backend import (
    FOLLOWED_BOOST,
    KINDS,
    MAX_POPULARITY_BOOST,
    PLAYS_FOR_FULL_BOOST,
    Document,
    Hit,
    SearchQuery,
    SearchResults,
    Suggestion,
)
from discovery.search.models import SearchDocument, SearchTerm

MAX_WORDS = 8
_WORD = re.compile(r"[^\W_]+")
# Trigram similarity under which an indexed word is not even a candidate correction (pg_trgm's default is 0.3:
# too strict for one edit in a short word, "blie" ~ "blue" is 0.25).
CANDIDATE_SIMILARITY = 0.2


def edit_distance(a: str, b: str, cap: int = 2) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count one), stopping early above `cap`."""
    if abs(len(a) - len(b)) > cap:
        return cap + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > cap:
            return cap + 1
        previous2, previous = previous, current
    return previous[-1]


def allowed_edits(word: str) -> int:
    return 0 if len(word) < 4 else 1 if len(word) < 8 else 2


# Documents matching the words and the filters (the facets count these).
_MATCHES = """
  select d.* from {source}, q where d.search_text @@ q.tsq and d.kind = any(:kinds)
    and (cast(:genre as text) is null or d.genres @> array[cast(:genre as varchar)])
    and (cast(:mood as text) is null or d.moods @> array[cast(:mood as varchar)])
    and (cast(:year as integer) is null or d.year = :year)
    and (cast(:has_edition as boolean) is null or d.has_edition = :has_edition)"""
_ALL = "search_documents d"
# Each candidate looked up by its key (`offset 0` keeps this a loop over the few candidates, never a join with
# every match).
_CANDIDATES = ("head h cross join lateral (select * from search_documents s where s.kind = h.kind and s.ref = h.ref "
               "offset 0) d")
_QUERY = "with q as (select to_tsquery('simple'::regconfig, :tsq) as tsq)"
# Candidates of the two upper tiers, each from an index that yields the most played first, so a common word
# ("echo": thousands of matches) or a prolific artist costs a few hundred rows: exact titles, titles starting with
# the query, the sole artist's exact name. Only when those do not fill the page are documents naming the artist
# among others or an artist whose name starts with the query looked for (a trigram index, every such document),
# and only when all of these do not fill it are the other matches read (tier 0).
_HEAD = """,
ordered as (
  (select kind, ref from search_documents where title_key = :key order by plays desc limit :pool)
  union (select kind, ref from search_documents where title_key = :corrected_key order by plays desc limit :pool)
  union (select kind, ref from search_documents where {starts} order by plays desc limit :pool)
  union (select kind, ref from search_documents where artists_key = '|' || :key || '|'
         order by plays desc limit :pool)
  union (select kind, ref from search_documents where artists_key = '|' || :corrected_key || '|'
         order by plays desc limit :pool)
),
head as (
  select * from ordered
  union (select kind, ref from search_documents where (select count(*) from ordered) < :need
         and (artists_key like '%|' || :key || '|%' or artists_key like '%|' || :corrected_key || '|%'
              or artists_key like '%|' || :key_prefix) order by plays desc limit :pool)
),
head_matched as materialized ({head_matches}),
matched as (
  select * from head_matched
  union all
  select m.* from ({matches}) m
  where (select count(*) from head_matched) < :need and (m.kind, m.ref) not in (select kind, ref from head)
)"""
# Upper bound of the strings starting with a prefix, in text_pattern_ops (byte) order.
_LAST_CHAR = chr(0x10FFFF)
# Longer prefixes are rare enough to sort (the text_pattern_ops index); up to 6 letters each has its own index.
PREFIX_INDEXED = 6
_RANKED = """
select kind, ref, title, artists, genres, moods, year, has_edition, asset_id, tier,
       (rank + 0.1 * similarity(title_key, :key))
       * (1 + :boost * least(1.0, ln(1 + plays) / ln(1 + :full_plays)))
       * (case when account_ids && :followed then :followed_boost else 1 end) as score
from (
  select m.*, ts_rank(m.search_text, q.tsq) as rank,
         case when m.title_key in (:key, :corrected_key) or m.artists_key like '%|' || :key || '|%'
                   or m.artists_key like '%|' || :corrected_key || '|%' then 2
              when m.title_key like :key_prefix or m.artists_key like '%|' || :key_prefix then 1
              else 0 end as tier
  from matched m, q) ranked
order by tier desc, score desc, array_position(array['recording', 'artist', 'work', 'edition', 'user'],
                                                cast(kind as text)), ref
offset :offset limit :limit
"""
_BINDS = (bindparam("kinds", type_=ARRAY(Text)), bindparam("followed", type_=ARRAY(Uuid)))


def _starts(length: int, key: str = ":key") -> str:
    """Titles starting with `key` (an SQL expression) of this length, in a form one index answers."""
    if length <= PREFIX_INDEXED:
        return f"left(title_key, {length}) = {key}"
    return f"title_key ~>=~ {key} and title_key ~<~ ({key} || cast(:last as text)) and title_key like ({key} || '%')"


_SEARCH = {n: text(_QUERY + _HEAD.format(starts=_starts(n), matches=_MATCHES.format(source=_ALL),
                                        head_matches=_MATCHES.format(source=_CANDIDATES)) + _RANKED).bindparams(*_BINDS)
           for n in range(1, PREFIX_INDEXED + 2)}
# Suggest in one round trip: the prefix is folded in the statement, and only the branch for its length runs (the
# others stop at their one-time length check), each reading its index in play order.
SUGGEST_MAX = 20
# A literal limit (the caller's is applied to these rows): with a parameter there, PostgreSQL rates the statement's
# generic plan worse than a custom one and plans it afresh on every call, which costs more than running it.
_SUGGEST_BRANCH = """(select kind, ref, title, plays, title_key from search_documents
    where (select length(key) from k) {length} and {starts} order by plays desc, title_key, kind, ref
    limit {limit})"""
_SUGGEST_HEAD = "with k as materialized (select harmoni_key(:q) as key) select kind, ref, title from ("
_SUGGEST_TAIL = ") s order by plays desc, title_key, kind, ref"
_SUGGEST = text(_SUGGEST_HEAD + " union all ".join(
    _SUGGEST_BRANCH.format(length=f"= {n}" if n <= PREFIX_INDEXED else f"> {PREFIX_INDEXED}",
                           starts=_starts(n, "(select key from k)"), limit=SUGGEST_MAX)
    for n in range(1, PREFIX_INDEXED + 2))
                + _SUGGEST_TAIL)
POOL = 100  # candidates per upper-tier index, at least a page past the offset
_FOLD_ONLY = text("select harmoni_fold(:q)")
# The folded query and, in the same round trip, its words of 4 letters or more that start an indexed word. It also
# sets, for the rest of the transaction, generic plans for prepared statements (the search statement's custom
# plans are no better: its candidates come from indexes either way) and the trigram similarity under which `%`
# finds no typo candidate.
_FOLD = text("""
select set_config('plan_cache_mode', 'force_generic_plan', true) as plans,
       set_config('pg_trgm.similarity_threshold', cast(:similarity as text), true) as similarity, f.folded,
       array(select w from regexp_split_to_table(f.folded, '[^[:alnum:]]+') w
                       where length(w) >= 4 and exists (select 1 from search_terms t
                       where t.term ~>=~ w and t.term ~<~ (w || cast(:last as text)))) as known
from (select harmoni_fold(:q) as folded) f""").bindparams(last=_LAST_CHAR, similarity=str(CANDIDATE_SIMILARITY))

_FACET_SQL = {
    "kind": "select 'kind', kind, count(*) from matched group by kind",
    "genre": "select 'genre', g, count(*) from matched, unnest(genres) g group by g",
    "mood": "select 'mood', m, count(*) from matched, unnest(moods) m group by m",
    "year": "select 'year', year::text, count(*) from matched where year is not null group by year",
    "has_edition": "select 'has_edition', has_edition::text, count(*) from matched group by has_edition",
}


class PostgresBackend:
    """Search in PostgreSQL; writes join the caller's transaction (the outbox drain commits both at once)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # writes

    def upsert(self, documents: list[Document], version: int) -> None:
        if not documents:
            return
        rows = [{"kind": d.kind, "ref": d.ref, "title": d.title, "artists": d.artists,
                 "artists_text": " ".join(d.artists), "release": d.release or "", "genres": d.genres,
                 "moods": d.moods, "tags_text": " ".join(t.replace("-", " ") for t in (*d.genres, *d.moods)),
                 "year": d.year, "has_edition": d.has_edition, "plays": d.plays, "account_ids": d.account_ids,
                 "asset_id": d.asset_id, "version": version} for d in documents]
        stmt = insert(SearchDocument).values(rows)
        updated = {c: stmt.excluded[c] for c in rows[0] if c not in ("kind", "ref")}
        self.session.execute(stmt.on_conflict_do_update(
            index_elements=["kind", "ref"], set_=updated, where=SearchDocument.version <= stmt.excluded.version))
        words = select(func.unnest(func.tsvector_to_array(SearchDocument.search_text))).where(
            SearchDocument.kind.in_({d.kind for d in documents}), SearchDocument.ref.in_({d.ref for d in documents}))
        self.session.execute(insert(SearchTerm).from_select(["term"], words.distinct()).on_conflict_do_nothing())

    def delete(self, keys: list[tuple[str, str]], version: int) -> None:
        for kind, ref in keys:
            self.session.execute(delete(SearchDocument).where(SearchDocument.kind == kind, SearchDocument.ref == ref,
                                                              SearchDocument.version <= version))

    def prune_editions(self, asset_id: int, keep: list[str], version: int) -> None:
        self.session.execute(delete(SearchDocument).where(
            SearchDocument.kind == "edition", SearchDocument.asset_id == asset_id, SearchDocument.ref.not_in(keep),
            SearchDocument.version <= version))

    def clear(self) -> None:
        self.session.execute(delete(SearchDocument))
        self.session.execute(delete(SearchTerm))

    def counts(self) -> dict[str, int]:
        rows = self.session.execute(select(SearchDocument.kind, func.count()).group_by(SearchDocument.kind))
        return {kind: count for kind, count in rows}

    # reads

    def _prepared(self, statement: TextClause, params: dict) -> list:
        """Rows of `statement` run as a server-side prepared statement in this transaction: planned once per
        connection rather than on every call (psycopg would prepare it only from its 5th use on one connection, and
        a server's many pooled connections rarely get there; planning these statements costs more than running
        them)."""
        compiled = statement.compile(dialect=self.session.get_bind().dialect)
        values = {**compiled.params, **params}
        connection = self.session.connection().connection.dbapi_connection
        with connection.cursor(row_factory=namedtuple_row) as cursor:
            cursor.execute(str(compiled), {name: values[name] for name in compiled.params}, prepare=True)
            return cursor.fetchall()

    def _words(self, value: str) -> tuple[str, list[str], set[str]]:
        """The folded query, its words, and those of them that start an indexed word (so need no correction)."""
        row = self._prepared(_FOLD, {"q": value})[0]
        words = _WORD.findall(row.folded or "")[:MAX_WORDS]
        return " ".join(words), words, set(row.known)

    def _corrections(self, words: Iterable[str], known: set[str]) -> dict[str, list[str]]:
        """Indexed words within the allowed edits of each query word that the index does not hold as a prefix."""
        unknown = [w for w in dict.fromkeys(words) if allowed_edits(w) and w not in known]
        if not unknown:
            return {}
        rows = self.session.execute(text(
            "select w, t.term from unnest(cast(:words as text[])) w, lateral ("
            "  select term from search_terms where term % w order by similarity(term, w) desc limit 20) t"),
            {"words": unknown})
        found: dict[str, list[str]] = {}
        for word, term in rows:
            distance = edit_distance(word, term, allowed_edits(word))
            if distance <= allowed_edits(word):
                found.setdefault(word, []).append((distance, term))
        return {w: [t for _, t in sorted(c)[:3]] for w, c in found.items()}

    def search(self, query: SearchQuery) -> SearchResults:
        key, words, known = self._words(query.text)
        if not words:
            return SearchResults([], {f: {} for f in query.facets}, False)
        corrections = self._corrections(words, known)
        tsq = " & ".join("(" + " | ".join([f"'{w}':*", *(f"'{c}'" for c in corrections.get(w, []))]) + ")"
                         for w in words)
        # The query read with its typos corrected may be an exact title or name too ("madona" is Madonna).
        corrected_key = " ".join(corrections[w][0] if w in corrections else w for w in words)
        need = query.offset + query.limit + 1
        params = {"tsq": tsq, "key": key, "corrected_key": corrected_key, "key_prefix": key + "%",
                  "last": _LAST_CHAR, "pool": max(POOL, need), "need": need,
                  "kinds": list(query.kinds or KINDS), "genre": query.genre, "mood": query.mood, "year": query.year,
                  "has_edition": query.has_edition, "followed": [uuid.UUID(str(a)) for a in query.followed],
                  "followed_boost": FOLLOWED_BOOST, "boost": MAX_POPULARITY_BOOST - 1.0,
                  "full_plays": PLAYS_FOR_FULL_BOOST, "offset": query.offset, "limit": query.limit + 1}
        rows = self._prepared(_SEARCH[min(len(key), PREFIX_INDEXED + 1)], params)
        hits = [Hit(kind=r.kind, ref=r.ref, title=r.title, artists=list(r.artists), genres=list(r.genres),
                    moods=list(r.moods), year=r.year, has_edition=r.has_edition, asset_id=r.asset_id,
                    exact=r.tier == 2, score=float(r.score)) for r in rows[:query.limit]]
        facets = self._facets(query, params) if query.facets else {}
        corrected = {w: c[0] for w, c in corrections.items()}
        return SearchResults(hits, facets, len(rows) > query.limit, corrected)

    def _facets(self, query: SearchQuery, params: dict) -> dict[str, dict[str, int]]:
        """Counts over every match, in one pass: the matches are read once and each facet groups them."""
        sql = (_QUERY + ", matched as materialized (" + _MATCHES.format(source=_ALL) + ") "
               + " union all ".join(_FACET_SQL[f] for f in query.facets))
        counts: dict[str, dict[str, int]] = {f: {} for f in query.facets}
        statement = text(sql).bindparams(_BINDS[0])
        for facet, value, count in self.session.execute(statement, params):
            counts[facet][value] = count
        return {f: dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))) for f, c in counts.items()}

    def suggest(self, prefix: str, limit: int = 10) -> list[Suggestion]:
        """Titles starting with `prefix` (most played first: each prefix length up to 6 has an index ordered by
        plays, so only `limit` rows are read), then, from 3 letters on, titles and names with words starting with
        its words."""
        rows = self._prepared(_SUGGEST, {"q": prefix, "last": _LAST_CHAR})[:limit]
        if len(rows) == limit:
            return [Suggestion(r.kind, r.ref, r.title) for r in rows]
        words = _WORD.findall(self.session.scalar(_FOLD_ONLY, {"q": prefix}) or "")[:MAX_WORDS]
        key = " ".join(words)
        if len(key) >= 3:
            tsq = " & ".join(f"'{w}':*" for w in words)
            rows += self.session.execute(text("""
                select kind, ref, title from search_documents
                where search_text @@ to_tsquery('simple'::regconfig, :tsq) and title_key not like :starts
                order by (artists_key like :name_starts) desc, plays desc, title_key, kind, ref
                limit :limit"""), {"tsq": tsq, "starts": key + "%", "name_starts": "%|" + key + "%",
                                   "limit": limit - len(rows)}).all()
        return [Suggestion(r.kind, r.ref, r.title) for r in rows]
