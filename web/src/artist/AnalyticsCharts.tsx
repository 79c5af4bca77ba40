/** The analytics page's charts, each asking on its own so that one failing leaves the others standing. */
import { t } from '../app/strings'
import { useTerritories, usePlays, type AnalyticsScope } from '../api/analytics'
import { useEarnings } from '../api/royalties'
import { Empty, ErrorState, Loading } from '../components/states'
import { formatUnits } from '../lib/format'
import { BarChart, type Bar } from './BarChart'

const s = t.analytics

function summary(bars: Bar[]): string {
  const peak = bars.reduce((best, b) => (b.value > best.value ? b : best), bars[0]!)
  return s.seriesDesc(bars.reduce((sum, b) => sum + b.value, 0), bars.length, peak.value, peak.label)
}

/** One chart per daily figure the API answers: plays and listeners now, any numeric field it adds later too. */
export function DailyCharts({ scope, from, to }: { scope: AnalyticsScope; from: string; to: string }) {
  const plays = usePlays(scope, from, to)
  if (plays.isPending) return <Loading />
  if (plays.isError) return <ErrorState error={plays.error} onRetry={() => void plays.refetch()} />
  const points = plays.data.points as unknown as Record<string, unknown>[]
  const fields = [...new Set(points.flatMap((p) => Object.keys(p)))].filter((k) => k !== 'day'
    && points.every((p) => p[k] === undefined || typeof p[k] === 'number'))
  if (points.every((p) => fields.every((f) => !p[f]))) return <Empty>{s.nothing}</Empty>
  return (
    <>
      {fields.map((field) => {
        const bars = points.map((p) => ({ label: String(p.day), value: Number(p[field] ?? 0) }))
        const title = s.series[field] ?? s.perDay(field)
        return <BarChart key={field} title={title} summary={summary(bars)} bars={bars} columns={[s.day, s.count]} />
      })}
    </>
  )
}

export function TerritoryChart({ assetId, periodId }: { assetId: number; periodId: number | null }) {
  const territories = useTerritories(assetId, periodId)
  if (territories.isPending) return <Loading />
  if (territories.isError) return <ErrorState error={territories.error} onRetry={() => void territories.refetch()} />
  const rows = [...territories.data.territories].sort((a, b) => b.usage - a.usage)
  if (rows.length === 0) return <Empty>{s.noTerritories}</Empty>
  const bars = rows.map((r) => ({ label: r.territory, value: r.usage }))
  return (
    <>
      <BarChart title={s.usage} summary={s.territoriesDesc(rows.length, rows[0]!.territory)} bars={bars}
        columns={[s.territory, s.usage]} />
      <BarChart title={s.netRevenue} summary={s.territoriesDesc(rows.length, rows[0]!.territory)}
        bars={rows.map((r) => ({ label: r.territory, value: r.net_revenue,
          shown: `${formatUnits(String(r.net_revenue), 2)} ${r.currency}` }))}
        columns={[s.territory, s.netRevenue]} />
    </>
  )
}

/** What the account's wallets earned per closed period (the statement amounts, in the payout token). */
export function RevenueChart() {
  const earnings = useEarnings()
  if (earnings.isPending) return <Loading />
  if (earnings.isError) return <ErrorState error={earnings.error} onRetry={() => void earnings.refetch()} />
  const byPeriod = new Map<number, bigint>()
  for (const p of earnings.data.periods) byPeriod.set(p.period_id, (byPeriod.get(p.period_id) ?? 0n) + BigInt(p.amount))
  if (byPeriod.size === 0) return <Empty>{s.noRevenue}</Empty>
  const sorted = [...byPeriod.entries()].sort(([a], [b]) => a - b)
  const total = sorted.reduce((sum, [, v]) => sum + v, 0n)
  const bars = sorted.map(([id, amount]) => ({ label: s.periodLabel(id), value: Number(amount), shown: formatUnits(amount) }))
  return <BarChart title={s.revenue} summary={s.revenueDesc(bars.length, formatUnits(total))} bars={bars}
    columns={[s.period, s.amount]} />
}
