import { useState, type FormEvent } from 'react'
import { Link, useSearchParams } from 'react-router'

import { t } from '../app/strings'
import {
  EVENTS,
  useDeleteWebhook,
  useDeliveries,
  useRegisterWebhook,
  useWebhooks,
  type Delivery,
  type WebhookEvent,
} from '../api/partners'
import { submitErrors, type SubmitErrors } from '../auth/forms'
import { Empty, ErrorState, FieldError, Loading } from '../components/states'
import { formatDate } from '../lib/format'

function RegisterForm() {
  const register = useRegisterWebhook()
  const [url, setUrl] = useState('')
  const [events, setEvents] = useState<WebhookEvent[]>(['asset.registered'])
  const [errors, setErrors] = useState<SubmitErrors>({ fields: {}, form: null })
  function submit(event: FormEvent) {
    event.preventDefault()
    setErrors({ fields: {}, form: null })
    if (!events.length) return setErrors({ fields: { events: t.webhooks.pickEvent }, form: null })
    register.mutate({ url: url.trim(), events }, {
      onError: (err) => setErrors(submitErrors(err, ['url', 'events'])),
      onSuccess: () => setUrl(''),
    })
  }
  const urlError = errors.fields.url
  return (
    <form onSubmit={submit} aria-labelledby="register-webhook" noValidate>
      <h2 id="register-webhook">{t.webhooks.register}</h2>
      {errors.form && <p className="form-error" role="alert">{errors.form}</p>}
      {register.isSuccess && (
        <div className="notice" role="status">
          <p>{t.webhooks.secretOnce}</p>
          <p><strong>{t.webhooks.secret}:</strong> <code className="mono">{register.data.secret}</code></p>
        </div>
      )}
      <label htmlFor="webhook-url">{t.webhooks.url}</label>
      <input id="webhook-url" type="url" value={url} onChange={(e) => setUrl(e.target.value)}
        aria-invalid={!!urlError} aria-describedby={urlError ? 'webhook-url-error' : undefined} />
      <FieldError id="webhook-url-error" message={urlError} />
      <fieldset aria-describedby={errors.fields.events ? 'webhook-events-error' : undefined}>
        <legend>{t.webhooks.events}</legend>
        {EVENTS.map((name) => (
          <label key={name}>
            <input type="checkbox" checked={events.includes(name)} onChange={(e) =>
              setEvents(e.target.checked ? [...events, name] : events.filter((x) => x !== name))} /> {name}
          </label>
        ))}
        <FieldError id="webhook-events-error" message={errors.fields.events} />
      </fieldset>
      <button type="submit" disabled={register.isPending || !url.trim()}>{t.webhooks.submit}</button>
    </form>
  )
}

function Attempts({ delivery }: { delivery: Delivery }) {
  if (delivery.log.length === 0) return <span className="muted">{t.webhooks.noAttempt}</span>
  return (
    <details>
      <summary>{t.webhooks.attempts(delivery.log.length)}</summary>
      <ol>
        {delivery.log.map((a) => (
          <li key={a.attempt}>
            {formatDate(a.attempted_at)}: {a.succeeded ? t.webhooks.ok : t.webhooks.notOk}
            {' '}{a.status_code !== null ? `HTTP ${a.status_code}` : (a.error ?? t.webhooks.noAnswer)}
            {' '}· {a.duration_ms} ms
            {a.response_excerpt && <pre className="excerpt">{a.response_excerpt}</pre>}
          </li>
        ))}
      </ol>
    </details>
  )
}

function Deliveries({ endpointId, url }: { endpointId: string; url: string }) {
  const deliveries = useDeliveries(endpointId)
  return (
    <section aria-labelledby="deliveries-title">
      <h2 id="deliveries-title">{t.webhooks.deliveries(url)}</h2>
      {deliveries.isPending ? <Loading /> : deliveries.isError ? (
        <ErrorState error={deliveries.error} onRetry={() => void deliveries.refetch()} />
      ) : deliveries.data.length === 0 ? <Empty>{t.webhooks.noDeliveries}</Empty> : (
        <table>
          <caption>{t.webhooks.log}</caption>
          <thead><tr>
            <th scope="col">{t.webhooks.event}</th><th scope="col">{t.webhooks.status}</th>
            <th scope="col">{t.webhooks.created}</th><th scope="col">{t.webhooks.tries}</th>
          </tr></thead>
          <tbody>
            {deliveries.data.map((d) => (
              <tr key={d.id}>
                <th scope="row"><span className="mono">{d.event_type}</span><br /><small className="mono">{d.event_id}</small></th>
                <td>{t.webhooks.statuses[d.status] ?? d.status}
                  {d.last_status_code !== null && ` (HTTP ${d.last_status_code})`}
                  {d.status === 'pending' && d.next_attempt_at && <><br /><small>{t.webhooks.next(formatDate(d.next_attempt_at))}</small></>}
                  {d.delivered_at && <><br /><small>{t.webhooks.delivered(formatDate(d.delivered_at))}</small></>}
                </td>
                <td>{formatDate(d.created_at)}</td>
                <td><Attempts delivery={d} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

export function WebhooksPage() {
  const [params, setParams] = useSearchParams()
  const selected = params.get('endpoint')
  const webhooks = useWebhooks()
  const remove = useDeleteWebhook()
  const current = webhooks.data?.find((w) => w.id === selected)
  return (
    <section>
      <h1>{t.webhooks.title}</h1>
      <p>{t.webhooks.intro}</p>
      {webhooks.isPending ? <Loading /> : webhooks.isError ? (
        <ErrorState error={webhooks.error} onRetry={() => void webhooks.refetch()} />
      ) : webhooks.data.length === 0 ? <Empty>{t.webhooks.none}</Empty> : (
        <table>
          <caption>{t.webhooks.endpoints}</caption>
          <thead><tr><th scope="col">{t.webhooks.url}</th><th scope="col">{t.webhooks.events}</th>
            <th scope="col">{t.webhooks.created}</th><th /></tr></thead>
          <tbody>
            {webhooks.data.map((w) => (
              <tr key={w.id} aria-current={w.id === selected ? 'true' : undefined}>
                <td><Link to={`?endpoint=${w.id}`} aria-label={t.webhooks.show(w.url)} className="mono">{w.url}</Link></td>
                <td>{w.events.join(', ')}</td>
                <td>{formatDate(w.created_at)}</td>
                <td><button type="button" className="secondary" disabled={remove.isPending}
                  onClick={() => remove.mutate(w.id, { onSuccess: () => { if (w.id === selected) setParams({}) } })}>
                  {t.webhooks.remove(w.url)}</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {remove.isError && <ErrorState error={remove.error} />}
      {current && <Deliveries key={current.id} endpointId={current.id} url={current.url} />}
      <RegisterForm />
    </section>
  )
}
