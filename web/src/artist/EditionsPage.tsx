import { useEffect, useState } from 'react'
import { useSearchParams } from 'react-router'

import { t } from '../app/strings'
import { useControlledAssets, useCreatorEditions, type Asset, type Edition } from '../api/artistEditions'
import { useChainInfo } from '../api/chain'
import { useWallets } from '../api/me'
import { Empty, ErrorState, Loading } from '../components/states'
import { formatDate, formatUnits } from '../lib/format'
import { DECIMALS } from './editionTerms'
import { EditionForm } from './EditionForm'

const s = t.artistEditions
const NATIVE = /^0x0{40}$/

function when(seconds: number): string {
  return formatDate(new Date(seconds * 1000).toISOString())
}

function windowText(e: Edition): string {
  if (!e.sale_start && !e.sale_end) return s.always
  return [e.sale_start ? s.from(when(e.sale_start)) : '', e.sale_end ? s.until(when(e.sale_end)) : '']
    .filter(Boolean).join(' ')
}

function EditionRows({ editions, assets }: { editions: Edition[]; assets: Asset[] }) {
  const titles = new Map(assets.map((a) => [a.asset_id, a.title ?? t.asset.title(a.asset_id)]))
  return (
    <table>
      <caption className="visually-hidden">{s.yours}</caption>
      <thead><tr>
        <th scope="col">{s.edition}</th><th scope="col">{s.asset}</th><th scope="col">{s.priceColumn}</th>
        <th scope="col">{s.sold}</th><th scope="col">{s.left}</th><th scope="col">{s.status}</th>
        <th scope="col">{s.window}</th><th scope="col">{s.royaltyColumn}</th>
      </tr></thead>
      <tbody>
        {editions.map((e) => {
          const native = NATIVE.test(e.payment_token)
          const price = formatUnits(e.price, native ? DECIMALS.native : DECIMALS.payout_token)
          return (
            <tr key={e.edition_id}>
              <th scope="row">{e.edition_id}</th>
              <td>{titles.get(e.asset_id) ?? t.asset.title(e.asset_id)}</td>
              <td>
                {s.tokenPrice(price, native)}
                {e.fiat_price && <><br />{s.fiatPrice(formatUnits(String(e.fiat_price.amount_cents), 2),
                  e.fiat_price.currency)}</>}
              </td>
              <td>{s.soldOf(e.minted, e.max_supply)}</td>
              <td>{e.supply_left}</td>
              <td>{e.sold_out ? s.soldOut : e.on_sale ? s.onSale : s.notOnSale}</td>
              <td>{windowText(e)}</td>
              <td>{(e.royalty_bps / 100).toString()}%</td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}

/** The artist's editions: create one for an asset a wallet of theirs controls, and see what each sold. */
export function EditionsPage() {
  const [search] = useSearchParams()
  const wallets = useWallets()
  const addresses = (wallets.data ?? []).map((w) => w.address)
  const [waitingFor, setWaitingFor] = useState<string | null>(null)
  const assets = useControlledAssets(addresses)
  const editions = useCreatorEditions(addresses, waitingFor !== null)
  const chain = useChainInfo()
  const arrived = waitingFor !== null && editions.data.some((e) =>
    String((e.created_in as { tx_hash?: string }).tx_hash ?? '').toLowerCase() === waitingFor.toLowerCase())
  useEffect(() => { if (arrived) setWaitingFor(null) }, [arrived])
  if (wallets.isPending) return <Loading />
  if (wallets.isError) return <ErrorState error={wallets.error} onRetry={() => void wallets.refetch()} />
  const sorted = [...editions.data].sort((a, b) => b.edition_id - a.edition_id)
  return (
    <section>
      <h1>{s.title}</h1>
      <p>{s.intro}</p>
      {assets.pending ? <Loading /> : assets.error ? <ErrorState error={assets.error} onRetry={assets.refetch} />
        : assets.data.length === 0 ? <Empty>{s.noAssets}</Empty> : (
          <EditionForm wallets={wallets.data} assets={assets.data} chainId={chain.data?.chain_id ?? null}
            initialAsset={search.get('asset') ?? ''} onSent={setWaitingFor} />
        )}
      <h2>{s.yours}</h2>
      {editions.pending ? <Loading /> : editions.error ? <ErrorState error={editions.error} onRetry={editions.refetch} />
        : sorted.length === 0 ? <Empty>{s.none}</Empty> : <EditionRows editions={sorted} assets={assets.data} />}
    </section>
  )
}
