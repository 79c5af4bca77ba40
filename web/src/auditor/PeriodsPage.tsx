import { Link } from 'react-router'

import { paths } from '../app/paths'
import { t } from '../app/strings'
import { usePeriods } from '../api/royalties'
import { Empty, ErrorState, Loading } from '../components/states'
import { formatDate, formatUnits, short } from '../lib/format'

export function PeriodsPage() {
  const periods = usePeriods()
  return (
    <section>
      <h1>{t.periods.title}</h1>
      <p>{t.periods.intro}</p>
      {periods.isPending ? <Loading /> : periods.isError ? (
        <ErrorState error={periods.error} onRetry={() => void periods.refetch()} />
      ) : periods.data.length === 0 ? <Empty>{t.periods.empty}</Empty> : (
        <table>
          <thead><tr>
            <th scope="col">{t.periods.column}</th><th scope="col">{t.periods.window}</th>
            <th scope="col">{t.periods.status}</th><th scope="col">{t.periods.allocated}</th>
            <th scope="col">{t.periods.root}</th>
          </tr></thead>
          <tbody>
            {periods.data.map((p) => (
              <tr key={p.period_id}>
                <td><Link to={paths.period.to(p.period_id)}>{t.periods.period(p.period_id)}</Link></td>
                <td>{formatDate(p.starts_at)} – {formatDate(p.ends_at)}</td>
                <td>{p.status}</td>
                <td>{p.statement ? formatUnits(p.statement.allocated) : '—'}</td>
                <td className="mono" title={p.statement?.root}>{p.statement ? short(p.statement.root) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}
