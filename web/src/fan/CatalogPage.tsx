import { useState, type FormEvent } from 'react'
import { Link, useSearchParams } from 'react-router'

import { paths, type AssetKind } from '../app/paths'
import { t } from '../app/strings'
import { useAssets, type AssetFilters } from '../api/assets'
import { Empty, ErrorState, Loading } from '../components/states'
import { readableCode, short } from '../lib/format'

/** Filters and page live in the URL, so a search can be shared or bookmarked. */
function filtersFrom(params: URLSearchParams): AssetFilters {
  const kind = params.get('kind')
  return {
    q: params.get('q') ?? undefined,
    kind: kind === 'work' || kind === 'recording' ? kind : undefined,
    cursor: params.get('cursor') ?? undefined,
  }
}

export function CatalogPage() {
  const [params, setParams] = useSearchParams()
  const filters = filtersFrom(params)
  const [q, setQ] = useState(filters.q ?? '')
  const assets = useAssets(filters)

  function search(event: FormEvent) {
    event.preventDefault()
    setParams(new URLSearchParams(paths.catalog.to({ q: q.trim(), kind: filters.kind }).split('?')[1] ?? ''))
  }

  return (
    <section>
      <h1>{t.catalog.title}</h1>
      <form className="filters" role="search" onSubmit={search}>
        <label htmlFor="catalog-q">{t.catalog.search}</label>
        <input id="catalog-q" type="search" value={q} onChange={(e) => setQ(e.target.value)} />
        <label htmlFor="catalog-kind">{t.catalog.kind}</label>
        <select id="catalog-kind" value={filters.kind ?? ''} onChange={(e) =>
          setParams(new URLSearchParams(paths.catalog.to({
            q: filters.q, kind: (e.target.value || undefined) as AssetKind | undefined,
          }).split('?')[1] ?? ''))}>
          <option value="">{t.catalog.anyKind}</option>
          <option value="work">{t.catalog.works}</option>
          <option value="recording">{t.catalog.recordings}</option>
        </select>
        <button type="submit">{t.catalog.searchButton}</button>
      </form>
      {assets.isPending ? <Loading /> : assets.isError ? (
        <ErrorState error={assets.error} onRetry={() => void assets.refetch()} />
      ) : assets.data.data.length === 0 ? (
        <Empty>{t.catalog.empty}</Empty>
      ) : (
        <>
          <p className="muted">{t.catalog.asOfBlock(assets.data.block.number)}</p>
          <ul className="cards" aria-label={t.catalog.results}>
            {assets.data.data.map((asset) => (
              <li key={asset.asset_id} className="card">
                <Link to={paths.asset.to(asset.asset_id)}>{asset.title ?? t.catalog.untitled}</Link>
                <span className="badge">{asset.kind === 'work' ? t.catalog.work : t.catalog.recording}</span>
                <span className="mono">{readableCode(asset.industry_code)}</span>
                <span className="mono muted" title={asset.controller}>{short(asset.controller)}</span>
              </li>
            ))}
          </ul>
          <nav className="pager" aria-label="Pages">
            {filters.cursor && <Link to={paths.catalog.to({ q: filters.q, kind: filters.kind })}>{t.catalog.first}</Link>}
            {assets.data.next_cursor && (
              <Link to={paths.catalog.to({ q: filters.q, kind: filters.kind, cursor: assets.data.next_cursor })}>
                {t.catalog.next}
              </Link>
            )}
          </nav>
        </>
      )}
    </section>
  )
}
