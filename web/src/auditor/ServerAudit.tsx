import { useState } from 'react'

import { t } from '../app/strings'
import { ErrorState, Loading } from '../components/states'
import { AUDIT_INPUTS, fetchAuditInput, useServerAudit, type AuditInput } from '../api/royalties'

function save(blob: Blob, filename: string) {
  const href = URL.createObjectURL(blob)
  const link = Object.assign(document.createElement('a'), { href, download: filename })
  link.click()
  setTimeout(() => URL.revokeObjectURL(href), 1000)
}

/** For auditors and admins: the server's recomputation, and every raw input of the period to download. */
export function ServerAudit({ periodId }: { periodId: number }) {
  const audit = useServerAudit(periodId, true)
  const [failed, setFailed] = useState<unknown>(null)

  async function download(name: AuditInput) {
    setFailed(null)
    try {
      save(await fetchAuditInput(periodId, name), `period-${periodId}-${name}`)
    } catch (err) {
      setFailed(err)
    }
  }

  return (
    <section aria-labelledby="server-audit-title">
      <h2 id="server-audit-title">{t.audit.server}</h2>
      <p className="muted">{t.audit.serverIntro}</p>
      {audit.isPending ? <Loading /> : audit.isError ? (
        <ErrorState error={audit.error} onRetry={() => void audit.refetch()} />
      ) : (
        <ul className="checks" aria-label={t.audit.server}>
          {audit.data.checks.map((check) => (
            <li key={check.name} className={check.passed ? 'pass' : 'fail'}
              aria-label={`${check.name}: ${check.passed ? t.audit.passed : t.audit.failed}`}>
              <span aria-hidden="true">{check.passed ? '✔' : '✘'}</span> <strong>{check.name}</strong> —{' '}
              {check.passed ? t.audit.passed : t.audit.failed}
              <div className="mono muted detail">{check.detail}</div>
            </li>
          ))}
        </ul>
      )}
      <h3>{t.audit.inputs}</h3>
      {failed !== null && <ErrorState error={failed} />}
      <div className="row">
        {AUDIT_INPUTS.map((name) => (
          <button key={name} type="button" className="secondary" aria-label={t.audit.download(name)}
            onClick={() => void download(name)}>{name}</button>
        ))}
      </div>
    </section>
  )
}
