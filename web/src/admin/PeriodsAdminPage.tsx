import { useState, type FormEvent } from 'react'

import { t } from '../app/strings'
import {
  useClosePeriod,
  useFollowedPeriod,
  useOpenPeriod,
  usePeriods,
  usePublishPeriod,
  useRecordRevenue,
  type Period,
} from '../api/royalties'
import { submitErrors, type SubmitErrors } from '../auth/forms'
import { Empty, ErrorState, FieldError, Loading } from '../components/states'
import { formatDate, formatUnits } from '../lib/format'

const NO_ERRORS: SubmitErrors = { fields: {}, form: null }

/** `datetime-local` values are read as UTC, as the labels say. */
const utc = (local: string) =>
  (local ? new Date(`${local.length === 16 ? `${local}:00` : local}Z`).toISOString() : undefined)

function OpenPeriodForm({ first }: { first: boolean }) {
  const open = useOpenPeriod()
  const [startsAt, setStartsAt] = useState('')
  const [endsAt, setEndsAt] = useState('')
  const [errors, setErrors] = useState(NO_ERRORS)
  function submit(event: FormEvent) {
    event.preventDefault()
    setErrors(NO_ERRORS)
    open.mutate({ ends_at: utc(endsAt) ?? '', starts_at: first ? utc(startsAt) : undefined },
      { onError: (err) => setErrors(submitErrors(err, ['ends_at', 'starts_at'])),
        onSuccess: () => { setStartsAt(''); setEndsAt('') } })
  }
  return (
    <form onSubmit={submit} aria-labelledby="open-period" noValidate>
      <h2 id="open-period">{t.admin.open}</h2>
      {errors.form && <p className="form-error" role="alert">{errors.form}</p>}
      {first && (<>
        <label htmlFor="period-starts">{t.admin.startsAt}</label>
        <input id="period-starts" type="datetime-local" step="1" value={startsAt} onChange={(e) => setStartsAt(e.target.value)}
          aria-describedby={errors.fields.starts_at ? 'period-starts-error' : undefined} />
        <FieldError id="period-starts-error" message={errors.fields.starts_at} />
      </>)}
      <label htmlFor="period-ends">{t.admin.endsAt}</label>
      <input id="period-ends" type="datetime-local" step="1" value={endsAt} onChange={(e) => setEndsAt(e.target.value)}
        aria-describedby={errors.fields.ends_at ? 'period-ends-error' : undefined} />
      <FieldError id="period-ends-error" message={errors.fields.ends_at} />
      <button type="submit" disabled={open.isPending || !endsAt}>{t.admin.openSubmit}</button>
    </form>
  )
}

function RevenueForm({ periodId }: { periodId: number }) {
  const record = useRecordRevenue()
  const [source, setSource] = useState<'subscriptions' | 'direct_sales'>('subscriptions')
  const [amount, setAmount] = useState('')
  const [currency, setCurrency] = useState('USD')
  const [reference, setReference] = useState('')
  const [assetId, setAssetId] = useState('')
  const [errors, setErrors] = useState(NO_ERRORS)
  const id = `revenue-${periodId}`
  function submit(event: FormEvent) {
    event.preventDefault()
    setErrors(NO_ERRORS)
    record.mutate({ periodId, body: {
      source, amount: Number(amount), currency, reference: reference.trim(),
      asset_id: source === 'direct_sales' && assetId ? Number(assetId) : undefined,
    } }, { onError: (err) => setErrors(submitErrors(err, ['source', 'amount', 'currency', 'reference', 'asset_id'])) })
  }
  const field = (name: string) => ({
    'aria-invalid': !!errors.fields[name],
    'aria-describedby': errors.fields[name] ? `${id}-${name}-error` : undefined,
  })
  return (
    <form onSubmit={submit} aria-label={t.admin.revenue(periodId)} noValidate>
      <h3>{t.admin.revenue(periodId)}</h3>
      {errors.form && <p className="form-error" role="alert">{errors.form}</p>}
      {record.isSuccess && <p role="status">{t.admin.recorded(formatUnits(record.data.amount, 2), record.data.currency)}</p>}
      <label htmlFor={`${id}-source`}>{t.admin.source}</label>
      <select id={`${id}-source`} value={source} onChange={(e) => setSource(e.target.value as typeof source)}>
        <option value="subscriptions">{t.admin.subscriptions}</option>
        <option value="direct_sales">{t.admin.directSales}</option>
      </select>
      {source === 'direct_sales' && (<>
        <label htmlFor={`${id}-asset_id`}>{t.admin.assetId}</label>
        <input id={`${id}-asset_id`} inputMode="numeric" value={assetId} onChange={(e) => setAssetId(e.target.value)}
          {...field('asset_id')} />
        <FieldError id={`${id}-asset_id-error`} message={errors.fields.asset_id} />
      </>)}
      <label htmlFor={`${id}-amount`}>{t.admin.amount}</label>
      <input id={`${id}-amount`} inputMode="numeric" value={amount} onChange={(e) => setAmount(e.target.value)}
        {...field('amount')} />
      <FieldError id={`${id}-amount-error`} message={errors.fields.amount} />
      <label htmlFor={`${id}-currency`}>{t.admin.currency}</label>
      <input id={`${id}-currency`} value={currency} maxLength={3} onChange={(e) => setCurrency(e.target.value.toUpperCase())}
        {...field('currency')} />
      <FieldError id={`${id}-currency-error`} message={errors.fields.currency} />
      <label htmlFor={`${id}-reference`}>{t.admin.reference}</label>
      <input id={`${id}-reference`} value={reference} onChange={(e) => setReference(e.target.value)}
        {...field('reference')} />
      <FieldError id={`${id}-reference-error`} message={errors.fields.reference} />
      <button type="submit" disabled={record.isPending}>{t.admin.record}</button>
    </form>
  )
}

function PeriodActions({ period }: { period: Period }) {
  const close = useClosePeriod()
  const publish = usePublishPeriod()
  const [until, setUntil] = useState<Period['status'] | null>(null)
  const followed = useFollowedPeriod(period.period_id, until)
  const status = followed.data?.status ?? period.status
  const running = until !== null && status !== until
  const error = close.error ?? publish.error
  const start = (action: 'close' | 'publish') => {
    const mutation = action === 'close' ? close : publish
    const target = action === 'close' ? 'closed' : 'published'
    mutation.mutate(period.period_id, { onSuccess: () => setUntil(target) })
  }
  return (
    <div>
      <p role="status">{running ? t.admin.following(until === 'closed' ? 'close' : 'publish')
        : t.admin.statusOf(period.period_id, status)}</p>
      {error && <ErrorState error={error} />}
      <div className="row">
        {status === 'open' && (
          <button type="button" disabled={close.isPending || running} onClick={() => start('close')}>
            {t.admin.close(period.period_id)}
          </button>
        )}
        {status === 'closed' && (
          <button type="button" disabled={publish.isPending || running} onClick={() => start('publish')}>
            {t.admin.publish(period.period_id)}
          </button>
        )}
      </div>
      {status === 'open' && <RevenueForm periodId={period.period_id} />}
    </div>
  )
}

export function PeriodsAdminPage() {
  const periods = usePeriods()
  return (
    <section>
      <h1>{t.admin.title}</h1>
      {periods.isPending ? <Loading /> : periods.isError ? (
        <ErrorState error={periods.error} onRetry={() => void periods.refetch()} />
      ) : (
        <>
          {periods.data.length === 0 && <Empty>{t.admin.none}</Empty>}
          {periods.data.map((period) => (
            <article key={period.period_id} className="card" aria-label={t.periods.period(period.period_id)}>
              <h2>{t.periods.period(period.period_id)}</h2>
              <p className="muted">{formatDate(period.starts_at)} – {formatDate(period.ends_at)}</p>
              <PeriodActions period={period} />
            </article>
          ))}
          <OpenPeriodForm first={periods.data.length === 0} />
        </>
      )}
    </section>
  )
}
