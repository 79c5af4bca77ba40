import type { ReactNode } from 'react'
import { Navigate, useLocation } from 'react-router'

import { paths } from '../app/paths'
import { t } from '../app/strings'
import { hasRole, useSession, type Role } from '../api/session'
import { Loading } from './states'

/** Pages for signed-in users (of one of `roles`, when given): others are sent to sign in and back. */
export function RequireSession({ roles, children, refusal }: { roles?: Role[]; children: ReactNode; refusal?: string }) {
  const session = useSession()
  const location = useLocation()
  if (session.status === 'restoring') return <Loading />
  if (session.status === 'signed-out')
    return <Navigate to={paths.signIn.to(location.pathname + location.search)} replace />
  if (roles && !hasRole(session, ...roles))
    return <p className="state state-error" role="alert">{refusal ?? t.states.forbidden}</p>
  return <>{children}</>
}
