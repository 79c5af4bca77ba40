import { useState, type FormEvent } from 'react'
import { Link, useNavigate, useSearchParams } from 'react-router'

import { paths } from '../app/paths'
import { t } from '../app/strings'
import { UnauthorizedError } from '../api/errors'
import { signIn, useSession } from '../api/session'
import { FieldError } from '../components/states'
import { browserWallet, signInWithWallet } from './wallet'
import { submitErrors, type SubmitErrors } from './forms'

/** Only paths of this app: `?next=https://elsewhere` must not send a signed-in user off the site. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : paths.catalog.to()
}

export function SignInPage() {
  const [params] = useSearchParams()
  const navigate = useNavigate()
  const session = useSession()
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const [errors, setErrors] = useState<SubmitErrors>({ fields: {}, form: null })
  const ended = session.status === 'signed-out' ? session.ended : undefined

  async function submit(event: FormEvent) {
    event.preventDefault()
    setBusy(true)
    setErrors({ fields: {}, form: null })
    try {
      await signIn(email, password)
      navigate(safeNext(params.get('next')), { replace: true })
    } catch (err) {
      setErrors(err instanceof UnauthorizedError
        ? { fields: {}, form: t.auth.badCredentials }
        : submitErrors(err, ['email', 'password']))
    } finally {
      setBusy(false)
    }
  }

  const wallet = browserWallet()

  async function withWallet() {
    if (!wallet) return
    setBusy(true)
    setErrors({ fields: {}, form: null })
    try {
      await signInWithWallet(wallet)
      navigate(safeNext(params.get('next')), { replace: true })
    } catch (err) {
      const refused = (err as { code?: number }).code === 4001 // EIP-1193: the user rejected the request
      setErrors(refused ? { fields: {}, form: t.auth.walletRefused } : submitErrors(err, []))
    } finally {
      setBusy(false)
    }
  }

  return (
    <section className="narrow">
      <h1>{t.auth.signInTitle}</h1>
      {ended && !errors.form && (
        <p className="notice" role="status">{ended === 'reused' ? t.auth.sessionReused : t.auth.sessionExpired}</p>
      )}
      <form onSubmit={submit} noValidate>
        {errors.form && <p className="form-error" role="alert">{errors.form}</p>}
        <label htmlFor="signin-email">{t.auth.email}</label>
        <input id="signin-email" type="email" autoComplete="email" required value={email}
          onChange={(e) => setEmail(e.target.value)} aria-invalid={!!errors.fields.email}
          aria-describedby={errors.fields.email ? 'signin-email-error' : undefined} />
        <FieldError id="signin-email-error" message={errors.fields.email} />
        <label htmlFor="signin-password">{t.auth.password}</label>
        <input id="signin-password" type="password" autoComplete="current-password" required value={password}
          onChange={(e) => setPassword(e.target.value)} aria-invalid={!!errors.fields.password}
          aria-describedby={errors.fields.password ? 'signin-password-error' : undefined} />
        <FieldError id="signin-password-error" message={errors.fields.password} />
        <button type="submit" disabled={busy}>{busy ? t.auth.working : t.auth.submitSignIn}</button>
      </form>
      <h2>{t.auth.walletTitle}</h2>
      {wallet ? (
        <button type="button" className="secondary" disabled={busy} onClick={() => void withWallet()}>
          {t.auth.walletButton}
        </button>
      ) : <p className="muted">{t.auth.noWallet}</p>}
      <p>{t.auth.noAccount} <Link to={paths.signUp.to(params.get('next') ?? undefined)}>{t.nav.signUp}</Link></p>
    </section>
  )
}
