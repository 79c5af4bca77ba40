import { useState, type FormEvent } from 'react'
import { useSearchParams } from 'react-router'

import { t } from '../app/strings'
import type { AnalyticsScope } from '../api/analytics'
import { useControlledAssets } from '../api/artistEditions'
import { useWallets } from '../api/me'
import { usePeriods } from '../api/royalties'
import { Empty, ErrorState, Loading } from '../components/states'
import { short } from '../lib/format'
import { DailyCharts, RevenueChart, TerritoryChart } from './AnalyticsCharts'
import { Field } from './fields'

const s = t.analytics
const DAY_MS = 86_400_000
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10)
const DAY = /^\d{4}-\d{2}-\d{2}$/

function Territories({ assetId }: { assetId: number | null }) {
  const [search, setSearch] = useSearchParams()
  const periods = usePeriods()
  const period = search.get('period')
  return (
    <section aria-labelledby="territories-title">
      <h2 id="territories-title">{s.territories}</h2>
      <p className="muted">{s.territoriesIntro}</p>
      {assetId === null ? <Empty>{s.pickRecording}</Empty> : (
        <>
          <Field id="analytics-period" label={s.period}>
            {(a) => (
              <select {...a} value={period ?? ''} onChange={(e) => setSearch((old) => {
                const next = new URLSearchParams(old)
                if (e.target.value) next.set('period', e.target.value)
                else next.delete('period')
                return next
              })}>
                <option value="">{s.allPeriods}</option>
                {(periods.data ?? []).map((p) => <option key={p.period_id} value={p.period_id}>{s.periodLabel(p.period_id)}</option>)}
              </select>
            )}
          </Field>
          <TerritoryChart assetId={assetId} periodId={period ? Number(period) : null} />
        </>
      )}
    </section>
  )
}

/** Plays, listeners, territories and revenue per period, for one recording or all of a wallet's; shareable URL. */
export function AnalyticsPage() {
  const [search, setSearch] = useSearchParams()
  const wallets = useWallets()
  const addresses = (wallets.data ?? []).map((w) => w.address)
  const assets = useControlledAssets(addresses)
  const recordings = assets.data.filter((a) => a.kind === 'recording')
  const to = DAY.test(search.get('to') ?? '') ? search.get('to')! : isoDay(Date.now())
  const from = DAY.test(search.get('from') ?? '') ? search.get('from')! : isoDay(Date.parse(to) - 29 * DAY_MS)
  const [range, setRange] = useState({ from, to })
  const [rangeError, setRangeError] = useState<string | undefined>()
  const asset = Number(search.get('asset'))
  const scope: AnalyticsScope | null = Number.isSafeInteger(asset) && asset > 0 ? { asset_id: asset }
    : search.get('artist') ? { artist: search.get('artist')! } : addresses[0] ? { artist: addresses[0] } : null
  const scopeValue = scope === null ? '' : 'asset_id' in scope ? `asset:${scope.asset_id}` : `artist:${scope.artist}`

  function choose(value: string) {
    setSearch((old) => {
      const next = new URLSearchParams(old)
      next.delete('asset'); next.delete('artist'); next.delete('period')
      const [kind, id] = value.split(':')
      next.set(kind === 'asset' ? 'asset' : 'artist', id!)
      return next
    })
  }
  function apply(event: FormEvent) {
    event.preventDefault()
    if (!DAY.test(range.from) || !DAY.test(range.to) || range.to < range.from) return setRangeError(s.badRange)
    setRangeError(undefined)
    setSearch((old) => {
      const next = new URLSearchParams(old)
      next.set('from', range.from); next.set('to', range.to)
      return next
    })
  }

  if (wallets.isPending) return <Loading />
  if (wallets.isError) return <ErrorState error={wallets.error} onRetry={() => void wallets.refetch()} />
  return (
    <section>
      <h1>{s.title}</h1>
      {scope === null ? <Empty>{s.noScope}</Empty> : (
        <>
          <form onSubmit={apply} noValidate aria-label={s.title}>
            <Field id="analytics-scope" label={s.scope}>
              {(a) => (
                <select {...a} value={scopeValue} onChange={(e) => choose(e.target.value)}>
                  {addresses.map((w) => <option key={w} value={`artist:${w}`}>{s.allOf(short(w))}</option>)}
                  {recordings.map((r) => (
                    <option key={r.asset_id} value={`asset:${r.asset_id}`}>
                      {s.recording(r.title ?? t.asset.title(r.asset_id))}</option>
                  ))}
                </select>
              )}
            </Field>
            <Field id="analytics-from" label={s.from} error={rangeError}>
              {(a) => <input {...a} type="date" value={range.from}
                onChange={(e) => setRange((old) => ({ ...old, from: e.target.value }))} />}
            </Field>
            <Field id="analytics-to" label={s.to}>
              {(a) => <input {...a} type="date" value={range.to}
                onChange={(e) => setRange((old) => ({ ...old, to: e.target.value }))} />}
            </Field>
            <button type="submit">{s.apply}</button>
          </form>
          <section aria-labelledby="daily-title">
            <h2 id="daily-title">{s.daily}</h2>
            <DailyCharts scope={scope} from={from} to={to} />
          </section>
          <Territories assetId={scope && 'asset_id' in scope ? scope.asset_id : null} />
        </>
      )}
      <section aria-labelledby="revenue-title">
        <h2 id="revenue-title">{s.revenue}</h2>
        <p className="muted">{s.revenueIntro}</p>
        <RevenueChart />
      </section>
    </section>
  )
}
