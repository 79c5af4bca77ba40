/**
 * A bar chart drawn as plain SVG (no chart library), with what it shows said in words (`aria-describedby`) and
 * the same numbers as a table for anyone who cannot see the bars.
 */
import { useId } from 'react'

import { t } from '../app/strings'

export interface Bar {
  label: string
  value: number
  shown?: string // the value as people read it (money), when not the plain number
}

const W = 640
const H = 180
const PAD = 24

export function BarChart({ title, summary, bars, columns }: {
  title: string
  summary: string
  bars: Bar[]
  columns: [string, string]
}) {
  const id = useId()
  const max = Math.max(1, ...bars.map((b) => b.value))
  const step = (W - PAD) / Math.max(1, bars.length)
  const width = Math.max(1, step * 0.8)
  return (
    <figure className="chart" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`}><strong>{title}</strong></figcaption>
      <p id={`${id}-summary`} className="muted">{summary}</p>
      <svg viewBox={`0 0 ${W} ${H + PAD}`} width="100%" role="img" aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-summary`} style={{ maxWidth: `${W}px` }}>
        <line x1={PAD} x2={W} y1={H} y2={H} stroke="currentColor" strokeOpacity={0.4} />
        <text x={0} y={12} fontSize={11} fill="currentColor">{bars.find((b) => b.value === max)?.shown ?? max}</text>
        {bars.map((b, i) => {
          const height = (b.value / max) * (H - PAD)
          return (
            <rect key={b.label} x={PAD + i * step + (step - width) / 2} y={H - height} width={width} height={height}
              style={{ fill: 'var(--accent)' }}>
              <title>{`${b.label}: ${b.shown ?? b.value}`}</title>
            </rect>
          )
        })}
        {bars.length > 0 && <text x={PAD} y={H + 16} fontSize={11} fill="currentColor">{bars[0]!.label}</text>}
        {bars.length > 1 && (
          <text x={W} y={H + 16} fontSize={11} fill="currentColor" textAnchor="end">{bars.at(-1)!.label}</text>
        )}
      </svg>
      <details>
        <summary>{t.analytics.table(title)}</summary>
        <table>
          <caption className="visually-hidden">{title}</caption>
          <thead><tr><th scope="col">{columns[0]}</th><th scope="col">{columns[1]}</th></tr></thead>
          <tbody>
            {bars.map((b) => <tr key={b.label}><th scope="row">{b.label}</th><td>{b.shown ?? b.value}</td></tr>)}
          </tbody>
        </table>
      </details>
    </figure>
  )
}
