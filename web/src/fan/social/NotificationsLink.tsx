import { NavLink } from 'react-router'

import { paths } from '../../app/paths'
import { t } from '../../app/strings'
import { useUnreadCount } from '../../api/notifications'
import { useSession } from '../../api/session'

/** "Notifications" in the header, with the unread count kept live (stream, or polling without one). */
export function NotificationsLink() {
  const session = useSession()
  const unread = useUnreadCount(session.status === 'signed-in')
  if (session.status !== 'signed-in') return null
  const count = unread.data?.unread_count ?? 0
  return (
    <NavLink to={paths.notifications.to()}>
      {t.notifications.nav}
      {count > 0 && (
        <>
          <span className="badge-count" aria-hidden="true">{count}</span>
          <span className="visually-hidden">, {t.notifications.unread(count)}</span>
        </>
      )}
    </NavLink>
  )
}
