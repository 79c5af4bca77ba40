import { t } from '../app/strings'
import type { Check } from './verify'

/** A green or red verdict per check, and one for the whole. */
export function Checks({ checks }: { checks: Check[] }) {
  const passed = checks.every((c) => c.passed)
  return (
    <section aria-labelledby="checks-title">
      <h2 id="checks-title">{t.audit.checks}</h2>
      <p role="status" className={`verdict ${passed ? 'pass' : 'fail'}`}>
        {passed ? `✔ ${t.audit.allPassed}` : `✘ ${t.audit.someFailed}`}
      </p>
      <ul className="checks">
        {checks.map((check) => (
          <li key={check.id} className={check.passed ? 'pass' : 'fail'}
            aria-label={`${t.audit.check[check.id]}: ${check.passed ? t.audit.passed : t.audit.failed}`}>
            <span aria-hidden="true">{check.passed ? '✔' : '✘'}</span>{' '}
            <strong>{t.audit.check[check.id]}</strong> — {check.passed ? t.audit.passed : t.audit.failed}
            <div className="mono muted detail">{check.detail}</div>
          </li>
        ))}
      </ul>
    </section>
  )
}
