import { useState, type FormEvent } from 'react'
import { Link, useNavigate, useSearchParams } from 'react-router'

import { paths } from '../../app/paths'
import { t } from '../../app/strings'
import { useEditions, type Edition, type EditionFilters } from '../../api/editions'
import { filtersFrom } from './filters'
import { Empty, ErrorState, Loading } from '../../components/states'
import { cryptoPrice, money, saleState } from './money'

function EditionCard({ edition }: { edition: Edition }) {
  const name = t.shop.edition(edition.edition_id)
  return (
    <li className="card">
      <article aria-label={name}>
        <h2><Link to={paths.edition.to(edition.edition_id)}>{name}</Link></h2>
        <p className="muted">{t.shop.ofAsset(edition.asset_id)}</p>
        <p>{cryptoPrice(edition, edition.price)}
          {edition.fiat_price && <> · {money(edition.fiat_price.amount_cents, edition.fiat_price.currency)}</>}</p>
        <p>{t.shop.left(edition.supply_left, edition.max_supply)} · <strong>{saleState(edition)}</strong></p>
      </article>
    </li>
  )
}

function Filters({ filters }: { filters: EditionFilters }) {
  const navigate = useNavigate()
  const [onSale, setOnSale] = useState(!!filters.on_sale)
  const [soldOut, setSoldOut] = useState(!!filters.sold_out)
  const [artist, setArtist] = useState(filters.artist ?? '')
  function submit(event: FormEvent) {
    event.preventDefault()
    void navigate(paths.shop.to({ on_sale: onSale, sold_out: soldOut, artist: artist.trim() }))
  }
  return (
    <form onSubmit={submit} aria-label={t.shop.filters} className="row">
      <label><input type="checkbox" checked={onSale} onChange={(e) => setOnSale(e.target.checked)} /> {t.shop.onSale}</label>
      <label><input type="checkbox" checked={soldOut} onChange={(e) => setSoldOut(e.target.checked)} /> {t.shop.soldOut}</label>
      <label htmlFor="shop-artist">{t.shop.artist}</label>
      <input id="shop-artist" className="mono" value={artist} onChange={(e) => setArtist(e.target.value)}
        placeholder="0x…" spellCheck={false} />
      <button type="submit">{t.shop.apply}</button>
    </form>
  )
}

export function ShopPage() {
  const [search] = useSearchParams()
  const filters = filtersFrom(search)
  const editions = useEditions(filters)
  const { cursor: _cursor, ...unpaged } = filters
  return (
    <section>
      <h1>{t.shop.title}</h1>
      <Filters key={search.toString()} filters={filters} />
      {editions.isPending ? <Loading /> : editions.isError ? (
        <ErrorState error={editions.error} onRetry={() => void editions.refetch()} />
      ) : editions.data.data.length === 0 ? (
        <Empty>{t.shop.empty} {Object.keys(filters).length > 0 && <Link to={paths.shop.to()}>{t.shop.clear}</Link>}</Empty>
      ) : (
        <>
          <ul className="cards">{editions.data.data.map((e) => <EditionCard key={e.edition_id} edition={e} />)}</ul>
          {editions.data.next_cursor && (
            <Link to={paths.shop.to({ ...unpaged, cursor: editions.data.next_cursor })}>{t.shop.next}</Link>
          )}
        </>
      )}
    </section>
  )
}
