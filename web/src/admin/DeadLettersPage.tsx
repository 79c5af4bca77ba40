import { useState } from 'react'

import { t } from '../app/strings'
import { useDeadLetters, useRetryDeadLetter, type DeadLetter } from '../api/payments'
import { Empty, ErrorState, Loading } from '../components/states'
import { formatDate } from '../lib/format'

function Row({ event, onDone }: { event: DeadLetter; onDone: (text: string) => void }) {
  const retry = useRetryDeadLetter()
  return (
    <tr>
      <th scope="row" className="mono">{event.id}</th>
      <td>{event.type}</td>
      <td>{event.attempts}</td>
      <td className="mono">{event.last_error ?? ''}</td>
      <td>{event.dead_at ? formatDate(event.dead_at) : ''}</td>
      <td>
        <button type="button" disabled={retry.isPending} aria-label={t.deadLetters.retry(event.id)}
          onClick={() => retry.mutate(event.id, { onSuccess: () => onDone(t.deadLetters.retried(event.id)) })}>{t.deadLetters.retryShort}</button>
        {retry.isError && <ErrorState error={retry.error} />}
      </td>
    </tr>
  )
}

export function DeadLettersPage() {
  const events = useDeadLetters()
  const [done, setDone] = useState<string | null>(null)
  return (
    <section>
      <h1>{t.deadLetters.title}</h1>
      <p className="muted">{t.deadLetters.intro}</p>
      {done && <p role="status">{done}</p>}
      {events.isPending ? <Loading /> : events.isError ? (
        <ErrorState error={events.error} onRetry={() => void events.refetch()} />
      ) : events.data.length === 0 ? <Empty>{t.deadLetters.empty}</Empty> : (
        <table>
          <thead><tr>
            <th scope="col">{t.deadLetters.event}</th><th scope="col">{t.deadLetters.type}</th>
            <th scope="col">{t.deadLetters.attempts}</th><th scope="col">{t.deadLetters.lastError}</th>
            <th scope="col">{t.deadLetters.deadAt}</th><th scope="col"><span className="visually-hidden">{t.deadLetters.retryShort}</span></th>
          </tr></thead>
          <tbody>{events.data.map((e) => <Row key={e.id} event={e} onDone={setDone} />)}</tbody>
        </table>
      )}
    </section>
  )
}
