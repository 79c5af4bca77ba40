import { Link, useNavigate, useSearchParams } from 'react-router'

import { paths } from '../../app/paths'
import { t } from '../../app/strings'
import {
  filtersFrom, SEARCH_KINDS, useGenres, useSearch, type Genre, type SearchFilters, type SearchHit, type SearchKind,
} from '../../api/search'
import { Empty, ErrorState, Loading } from '../../components/states'
import { suggestionPath, SearchBox } from './SearchBox'

const GROUPS = [...SEARCH_KINDS, 'user']

function Hit({ hit }: { hit: SearchHit }) {
  return (
    <li className="card">
      <Link to={suggestionPath(hit)}>{hit.title}</Link>
      <span className="badge">{t.search.kindOne[hit.kind] ?? hit.kind}{hit.year ? ` · ${hit.year}` : ''}</span>
      {hit.artists.length > 0 && <span className="muted">{t.search.by(hit.artists.join(', '))}</span>}
    </li>
  )
}

type Counts = Record<string, number> | undefined

function Facet({ id, label, any, value, counts, names, onChange }: {
  id: string; label: string; any: string; value: string; counts: Counts
  names: (key: string) => string; onChange: (value: string) => void
}) {
  const keys = Object.keys(counts ?? {})
  if (value && !keys.includes(value)) keys.push(value)
  return (
    <div>
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{any}</option>
        {keys.sort().map((key) => (
          <option key={key} value={key}>{counts?.[key] === undefined ? names(key) : t.search.count(names(key), counts[key])}</option>
        ))}
      </select>
    </div>
  )
}

export function SearchPage() {
  const [params] = useSearchParams()
  const navigate = useNavigate()
  const filters = filtersFrom(params)
  const results = useSearch(filters)
  const genres = useGenres()
  const genreName = (slug: string) => genres.data?.data.find((g) => g.slug === slug)?.name ?? slug
  // a new filter starts again from the first page
  const go = (change: Partial<SearchFilters>) => void navigate(paths.search.to({ ...filters, cursor: undefined, ...change }))
  const facets = results.data?.facets

  return (
    <section>
      <h1>{t.search.title}</h1>
      <SearchBox key={filters.q} initial={filters.q} onSearch={(q) => go({ q })} />
      {filters.q && (
        <fieldset className="facets">
          <legend>{t.search.filters}</legend>
          <Facet id="facet-kind" label={t.search.kind} any={t.search.anyKind} value={filters.type ?? ''}
            counts={facets?.kind} names={(k) => t.search.kinds[k] ?? k}
            onChange={(v) => go({ type: (v || undefined) as SearchKind | undefined })} />
          <Facet id="facet-genre" label={t.search.genre} any={t.search.anyGenre} value={filters.genre ?? ''}
            counts={facets?.genre} names={genreName} onChange={(v) => go({ genre: (v || undefined) as Genre | undefined })} />
          <Facet id="facet-year" label={t.search.year} any={t.search.anyYear} value={filters.year ? String(filters.year) : ''}
            counts={facets?.year} names={(y) => y} onChange={(v) => go({ year: v ? Number(v) : undefined })} />
          <Facet id="facet-edition" label={t.search.edition} any={t.search.anyEdition}
            value={filters.has_edition === undefined ? '' : String(filters.has_edition)} counts={facets?.has_edition}
            names={(v) => (v === 'true' ? t.search.withEdition : t.search.withoutEdition)}
            onChange={(v) => go({ has_edition: v === '' ? undefined : v === 'true' })} />
        </fieldset>
      )}
      {!filters.q ? <p className="muted">{t.search.prompt}</p>
        : results.isPending ? <Loading />
        : results.isError ? <ErrorState error={results.error} onRetry={() => void results.refetch()} />
        : results.data.data.length === 0 ? <Empty>{t.search.empty}</Empty> : (
          <>
            {Object.keys(results.data.corrected).length > 0 && (
              <p className="notice">{t.search.corrected(Object.values(results.data.corrected).join(', '))}</p>
            )}
            {GROUPS.map((kind) => {
              const hits = results.data.data.filter((h) => h.kind === kind)
              return hits.length > 0 && (
                <section key={kind} aria-labelledby={`hits-${kind}`}>
                  <h2 id={`hits-${kind}`}>{t.search.kinds[kind]}</h2>
                  <ul className="cards">{hits.map((hit) => <Hit key={`${hit.kind}:${hit.ref}`} hit={hit} />)}</ul>
                </section>
              )
            })}
            <nav className="pager" aria-label={t.search.title}>
              {filters.cursor && <Link to={paths.search.to({ ...filters, cursor: undefined })}>{t.search.first}</Link>}
              {results.data.next_cursor && (
                <Link to={paths.search.to({ ...filters, cursor: results.data.next_cursor })}>{t.search.next}</Link>
              )}
            </nav>
          </>
        )}
    </section>
  )
}
