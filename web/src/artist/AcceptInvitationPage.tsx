import { useState, type FormEvent } from 'react'
import { Link } from 'react-router'

import { paths } from '../app/paths'
import { t } from '../app/strings'
import { ApiError, ConflictError, ForbiddenError, NotFoundError } from '../api/errors'
import { useAcceptInvitation } from '../api/me'
import { submitErrors } from '../auth/forms'
import { FieldError } from '../components/states'

function refusal(error: unknown): string {
  if (error instanceof NotFoundError) return t.invitation.notFound
  if (error instanceof ConflictError) return t.invitation.used
  if (error instanceof ForbiddenError) return t.invitation.notYours
  if (error instanceof ApiError && error.status === 410) return t.invitation.expired
  return submitErrors(error, []).form ?? t.states.unexpected
}

export function AcceptInvitationPage() {
  const fromFragment = new URLSearchParams(globalThis.location?.hash.slice(1) ?? '').get('token') ?? ''
  const [token, setToken] = useState(fromFragment)
  const accept = useAcceptInvitation()

  function submit(event: FormEvent) {
    event.preventDefault()
    if (token.trim()) accept.mutate(token.trim())
  }

  return (
    <section className="narrow">
      <h1>{t.invitation.title}</h1>
      <p>{t.invitation.intro}</p>
      {accept.isSuccess ? (
        <p role="status" className="verdict pass">
          {t.invitation.accepted(accept.data.wallet.address)} <Link to={paths.earnings.to()}>{t.nav.earnings}</Link>
        </p>
      ) : (
        <form onSubmit={submit} noValidate>
          {accept.isError && <p className="form-error" role="alert">{refusal(accept.error)}</p>}
          <label htmlFor="invitation-token">{t.invitation.token}</label>
          <input id="invitation-token" className="mono" autoComplete="off" spellCheck={false} value={token}
            onChange={(e) => setToken(e.target.value)} aria-invalid={!token.trim() && accept.isError}
            aria-describedby={!token.trim() && accept.isError ? 'invitation-token-error' : undefined} />
          <FieldError id="invitation-token-error" message={!token.trim() && accept.isError ? t.split.required : undefined} />
          <button type="submit" disabled={accept.isPending || !token.trim()}>{t.invitation.submit}</button>
        </form>
      )}
    </section>
  )
}
