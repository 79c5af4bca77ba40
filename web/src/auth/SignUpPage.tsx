import { useState, type FormEvent } from 'react'
import { Link, useNavigate, useSearchParams } from 'react-router'

import { paths } from '../app/paths'
import { t } from '../app/strings'
import { ConflictError } from '../api/errors'
import { signUp } from '../api/session'
import { FieldError } from '../components/states'
import { submitErrors, type SubmitErrors } from './forms'
import { safeNext } from './SignInPage'

export function SignUpPage() {
  const [params] = useSearchParams()
  const navigate = useNavigate()
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [role, setRole] = useState<'fan' | 'artist'>('fan')
  const [busy, setBusy] = useState(false)
  const [errors, setErrors] = useState<SubmitErrors>({ fields: {}, form: null })

  async function submit(event: FormEvent) {
    event.preventDefault()
    setBusy(true)
    setErrors({ fields: {}, form: null })
    try {
      await signUp(email, password, role)
      const next = params.get('next')
      navigate(next ? safeNext(next) : role === 'artist' ? paths.register.to() : paths.catalog.to(), { replace: true })
    } catch (err) {
      setErrors(err instanceof ConflictError
        ? { fields: { email: t.auth.emailTaken }, form: null }
        : submitErrors(err, ['email', 'password', 'role']))
    } finally {
      setBusy(false)
    }
  }

  return (
    <section className="narrow">
      <h1>{t.auth.signUpTitle}</h1>
      <form onSubmit={submit} noValidate>
        {errors.form && <p className="form-error" role="alert">{errors.form}</p>}
        <label htmlFor="signup-email">{t.auth.email}</label>
        <input id="signup-email" type="email" autoComplete="email" required value={email}
          onChange={(e) => setEmail(e.target.value)} aria-invalid={!!errors.fields.email}
          aria-describedby={errors.fields.email ? 'signup-email-error' : undefined} />
        <FieldError id="signup-email-error" message={errors.fields.email} />
        <label htmlFor="signup-password">{t.auth.password}</label>
        <input id="signup-password" type="password" autoComplete="new-password" required value={password}
          onChange={(e) => setPassword(e.target.value)} aria-invalid={!!errors.fields.password}
          aria-describedby={errors.fields.password ? 'signup-password-error' : 'signup-password-hint'} />
        <p id="signup-password-hint" className="hint">{t.auth.passwordHint}</p>
        <FieldError id="signup-password-error" message={errors.fields.password} />
        <fieldset>
          <legend>{t.auth.role}</legend>
          <label><input type="radio" name="role" value="fan" checked={role === 'fan'}
            onChange={() => setRole('fan')} /> {t.auth.roleFan}</label>
          <label><input type="radio" name="role" value="artist" checked={role === 'artist'}
            onChange={() => setRole('artist')} /> {t.auth.roleArtist}</label>
        </fieldset>
        <button type="submit" disabled={busy}>{busy ? t.auth.working : t.auth.submitSignUp}</button>
      </form>
      <p>{t.auth.haveAccount} <Link to={paths.signIn.to(params.get('next') ?? undefined)}>{t.nav.signIn}</Link></p>
    </section>
  )
}
