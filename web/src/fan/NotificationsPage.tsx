import { Link, useSearchParams } from 'react-router'

import { paths } from '../app/paths'
import { t } from '../app/strings'
import { useMarkRead, useNotifications, type Notification } from '../api/notifications'
import { Empty, ErrorState, errorMessage, Loading } from '../components/states'
import { formatDate } from '../lib/format'

/** Where a notification leads: the recording, the account that followed, or nowhere in particular. */
function subjectPath(n: Notification): string | null {
  if ((n.subject_type === 'recording' || n.subject_type === 'asset') && /^\d+$/.test(n.subject_id)) return paths.asset.to(Number(n.subject_id))
  if (n.subject_type === 'account' || n.subject_type === 'user') return paths.artist.to(n.subject_id)
  if (n.kind === 'follow' && n.actors[0]) return paths.artist.to(n.actors[0].id)
  return null
}

function Item({ n }: { n: Notification }) {
  const mark = useMarkRead()
  const to = subjectPath(n)
  return (
    <li className={n.read ? undefined : 'unread'}>
      <p className="feed-head">
        {!n.read && <span className="badge">{t.notifications.newItem} </span>}
        {to ? <Link to={to}>{n.summary}</Link> : n.summary}
      </p>
      <p className="muted">{formatDate(n.updated_at)}</p>
      {!n.read && (
        <button type="button" className="secondary" disabled={mark.isPending} onClick={() => mark.mutate(n.id)}
          aria-label={t.notifications.markRead(n.summary)}>{t.notifications.markReadShort}</button>
      )}
    </li>
  )
}

/** Grouped notifications ("Ana and 11 others liked Blue Hour"), newest first; unread only is a URL filter. */
export function NotificationsPage() {
  const [params, setParams] = useSearchParams()
  const unreadOnly = params.get('unread') === '1'
  const list = useNotifications(unreadOnly)
  const markAll = useMarkRead()
  const items = list.data?.pages.flatMap((p) => p.items) ?? []
  const unread = list.data?.pages[0]?.unread_count ?? 0
  return (
    <section>
      <h1>{t.notifications.title}</h1>
      <div className="row">
        <label>
          <input type="checkbox" checked={unreadOnly}
            onChange={(e) => setParams(e.target.checked ? { unread: '1' } : {})} /> {t.notifications.unreadOnly}
        </label>
        {unread > 0 && (
          <button type="button" className="secondary" disabled={markAll.isPending} onClick={() => markAll.mutate(null)}>
            {t.notifications.markAll}
          </button>
        )}
      </div>
      {markAll.isError && <p className="form-error" role="alert">{errorMessage(markAll.error)}</p>}
      {list.isPending ? <Loading /> : list.isError ? <ErrorState error={list.error} onRetry={() => void list.refetch()} />
        : items.length === 0 ? <Empty>{unreadOnly ? t.notifications.emptyUnread : t.notifications.empty}</Empty> : (
          <ul className="notifications" aria-label={t.notifications.list}>
            {items.map((n) => <Item key={n.id} n={n} />)}
          </ul>
        )}
      {list.hasNextPage && (
        <button type="button" className="secondary" onClick={() => void list.fetchNextPage()}>{t.notifications.more}</button>
      )}
    </section>
  )
}
