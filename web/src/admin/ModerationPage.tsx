import { useState } from 'react'
import { Link, useSearchParams } from 'react-router'

import { paths } from '../app/paths'
import { t } from '../app/strings'
import {
  REPORT_STATUSES,
  useActOnReport,
  useReports,
  type ModerationAction,
  type Report,
  type ReportStatus,
} from '../api/moderation'
import { Empty, ErrorState, Loading } from '../components/states'
import { formatDate } from '../lib/format'

// "suspend" suspends the subject's author; an account reported is itself the author
const ACTIONS: ModerationAction[] = ['hide', 'delete', 'suspend', 'dismiss']

function ReportRow({ report, onDone }: { report: Report; onDone: (text: string) => void }) {
  const act = useActOnReport()
  const subject = t.moderation.subjectOf(report.subject_type, report.subject_id)
  return (
    <tr>
      <th scope="row">{subject}</th>
      <td>{report.reason}</td>
      <td>{formatDate(report.created_at)}</td>
      <td>{report.status === 'open' ? (
        <div className="row">
          {ACTIONS.map((action) => (
            <button key={action} type="button" className={action === 'dismiss' ? 'secondary' : undefined}
              disabled={act.isPending} aria-label={t.moderation.actOn(t.moderation.act[action]!, subject)}
              onClick={() => act.mutate({ reportId: report.id, action },
                { onSuccess: () => onDone(t.moderation.done(t.moderation.act[action]!, subject)) })}>
              {t.moderation.act[action]}
            </button>
          ))}
          {act.isError && <ErrorState error={act.error} />}
        </div>
      ) : (report.action ? t.moderation.act[report.action] : t.moderation.statuses[report.status])}</td>
    </tr>
  )
}

export function ModerationPage() {
  const [search] = useSearchParams()
  const asked = search.get('status') as ReportStatus | null
  const status: ReportStatus = asked && REPORT_STATUSES.includes(asked) ? asked : 'open'
  const reports = useReports(status)
  const [done, setDone] = useState<string | null>(null)
  return (
    <section>
      <h1>{t.moderation.title}</h1>
      <nav aria-label={t.moderation.status} className="row">
        {REPORT_STATUSES.map((s) => (
          <Link key={s} to={paths.adminModeration.to(s)} aria-current={s === status ? 'page' : undefined}>
            {t.moderation.statuses[s]}
          </Link>
        ))}
      </nav>
      {done && <p role="status">{done}</p>}
      {reports.isPending ? <Loading /> : reports.isError ? (
        <ErrorState error={reports.error} onRetry={() => void reports.refetch()} />
      ) : reports.data.length === 0 ? <Empty>{t.moderation.empty}</Empty> : (
        <table>
          <thead><tr>
            <th scope="col">{t.moderation.subject}</th><th scope="col">{t.moderation.reason}</th>
            <th scope="col">{t.moderation.reported}</th>
            <th scope="col">{status === 'open' ? t.moderation.actions : t.moderation.outcome}</th>
          </tr></thead>
          <tbody>{reports.data.map((r) => <ReportRow key={r.id} report={r} onDone={setDone} />)}</tbody>
        </table>
      )}
    </section>
  )
}
