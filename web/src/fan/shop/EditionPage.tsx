import { useState } from 'react'
import { Link, useParams } from 'react-router'

import { paths } from '../../app/paths'
import { t } from '../../app/strings'
import { HOLDERS_LIMIT, useEdition, useHolders, type Edition } from '../../api/editions'
import { ErrorState, Loading } from '../../components/states'
import { BuyByCard } from './BuyByCard'
import { BuyWithWallet } from './BuyWithWallet'
import { cryptoPrice, money, saleState, saleWindow } from './money'

function Holders({ editionId }: { editionId: number }) {
  const holders = useHolders(editionId)
  if (holders.isPending) return <>{t.states.loading}</>
  if (holders.isError) return <>{t.states.unexpected}</>
  const n = holders.data.data.length
  return <>{t.shop.holdersCount(n, n >= HOLDERS_LIMIT)}</>
}

function Buy({ edition }: { edition: Edition }) {
  const [quantity, setQuantity] = useState(1)
  const cap = edition.per_wallet_cap || edition.supply_left
  const max = Math.max(1, Math.min(edition.supply_left, cap))
  const closed = !edition.on_sale
  return (
    <section aria-labelledby="buy">
      <h2 id="buy">{t.shop.buy}</h2>
      {closed && <p>{t.shop.notOnSale}</p>}
      <label htmlFor="buy-quantity">{t.shop.quantity}</label>
      <input id="buy-quantity" type="number" min={1} max={max} value={quantity} disabled={closed}
        onChange={(e) => setQuantity(Math.min(max, Math.max(1, Math.floor(Number(e.target.value) || 1))))} />
      <div className="row">
        <BuyWithWallet editionId={edition.edition_id} quantity={quantity} disabled={closed} />
        {edition.fiat_price && <BuyByCard editionId={edition.edition_id} quantity={quantity} disabled={closed} />}
      </div>
    </section>
  )
}

export function EditionPage() {
  const editionId = Number(useParams().editionId)
  const edition = useEdition(editionId)
  if (edition.isPending) return <Loading />
  if (edition.isError) return <ErrorState error={edition.error} onRetry={() => void edition.refetch()} />
  const e = edition.data.data
  return (
    <section>
      <h1>{t.shop.edition(e.edition_id)}</h1>
      <p><Link to={paths.asset.to(e.asset_id)}>{t.shop.asset}</Link> · <strong>{saleState(e)}</strong></p>
      <dl>
        <dt>{t.shop.price}</dt><dd>{cryptoPrice(e, e.price)}</dd>
        {e.fiat_price && <><dt>{t.shop.cardPrice}</dt><dd>{money(e.fiat_price.amount_cents, e.fiat_price.currency)}</dd></>}
        <dt>{t.shop.supply}</dt><dd>{t.shop.left(e.supply_left, e.max_supply)}</dd>
        <dt>{t.shop.saleWindow}</dt><dd>{saleWindow(e)}</dd>
        <dt>{t.shop.holders}</dt><dd><Holders editionId={e.edition_id} /></dd>
        <dt>{t.shop.perWallet}</dt><dd>{e.per_wallet_cap || t.shop.noCap}</dd>
        <dt>{t.shop.royalty}</dt><dd>{(e.royalty_bps / 100).toFixed(2)}%</dd>
        <dt>{t.shop.creator}</dt><dd className="mono">{e.creator}</dd>
      </dl>
      <Buy edition={e} />
    </section>
  )
}
