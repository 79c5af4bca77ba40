import { useState, type FormEvent } from 'react'

import { t } from '../app/strings'
import { ROLES, useRoleChange, type Role } from '../api/moderation'
import { submitErrors } from '../auth/forms'
import { FieldError } from '../components/states'

/** There is no user list in the API yet: an account is named by its id (as `GET /v1/me` shows it). */
export function RolesPage() {
  const change = useRoleChange()
  const [userId, setUserId] = useState('')
  const [role, setRole] = useState<Role>('artist')
  const errors = change.isError ? submitErrors(change.error, ['user_id', 'role']) : { fields: {}, form: null }
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault()
    const submitter = (event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null
    const granting = submitter?.value !== 'revoke'
    change.mutate({ userId: userId.trim(), role, grant: granting })
  }
  const userError = errors.fields.user_id
  return (
    <section>
      <h1>{t.roles.title}</h1>
      <p className="muted">{t.roles.intro}</p>
      <form onSubmit={submit} aria-label={t.roles.title} noValidate>
        {errors.form && <p className="form-error" role="alert">{errors.form}</p>}
        <label htmlFor="role-user">{t.roles.userId}</label>
        <input id="role-user" className="mono" value={userId} onChange={(e) => setUserId(e.target.value)}
          spellCheck={false} aria-invalid={!!userError} aria-describedby={userError ? 'role-user-error' : undefined} />
        <FieldError id="role-user-error" message={userError} />
        <label htmlFor="role-role">{t.roles.role}</label>
        <select id="role-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
        </select>
        <div className="row">
          <button type="submit" value="grant" disabled={change.isPending || !userId.trim()}>{t.roles.grant}</button>
          <button type="submit" value="revoke" className="secondary" disabled={change.isPending || !userId.trim()}>
            {t.roles.revoke}
          </button>
        </div>
      </form>
      {change.isSuccess && (
        <p role="status">{t.roles.result(change.data.email ?? change.data.id,
          change.data.roles.join(', ') || t.roles.noRoles)}</p>
      )}
    </section>
  )
}
