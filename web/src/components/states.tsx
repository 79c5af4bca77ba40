/** Loading, empty and error states, the same on every page. */
import type { ReactNode } from 'react'
import { Link, useLocation } from 'react-router'

import { paths } from '../app/paths'
import { t } from '../app/strings'
import {
  ApiError,
  ForbiddenError,
  NetworkError,
  NotFoundError,
  RateLimitedError,
  UnauthorizedError,
} from '../api/errors'

export function Loading({ label = t.states.loading }: { label?: string }) {
  return (
    <p className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {label}
    </p>
  )
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="state state-empty">{children}</p>
}

/** What a failed request means for the user, from its typed error. */
export function errorMessage(error: unknown): string {
  if (error instanceof NetworkError) return t.states.offline
  if (error instanceof RateLimitedError) return t.states.rateLimited(error.retryAfterS)
  if (error instanceof UnauthorizedError) return t.states.signInNeeded
  if (error instanceof ForbiddenError) return error.problem.detail ?? t.states.forbidden
  if (error instanceof NotFoundError) return error.problem.detail ?? t.states.missing
  if (error instanceof ApiError) return error.problem.detail ?? error.title
  return t.states.unexpected
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const location = useLocation()
  const title = error instanceof ApiError ? error.title : t.states.unexpected
  return (
    <div className="state state-error" role="alert">
      <p className="state-title">{title}</p>
      <p>{errorMessage(error)}</p>
      {error instanceof UnauthorizedError ? (
        <Link to={paths.signIn.to(location.pathname + location.search)}>{t.nav.signIn}</Link>
      ) : onRetry && !(error instanceof ApiError && error.status < 500 && error.status !== 429) ? (
        <button type="button" onClick={onRetry}>{t.states.retry}</button>
      ) : null}
    </div>
  )
}

/** A form field's error, tied to its input by `aria-describedby` / `aria-errormessage`. */
export function FieldError({ id, message }: { id: string; message?: string | undefined }) {
  if (!message) return null
  return <p id={id} className="field-error">{message}</p>
}
