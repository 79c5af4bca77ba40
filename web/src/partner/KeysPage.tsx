import { useState, type FormEvent } from 'react'

import { t } from '../app/strings'
import { SCOPES, useIssueKey, useKeys, useRevokeKey, type ApiScope } from '../api/partners'
import { submitErrors, type SubmitErrors } from '../auth/forms'
import { Empty, ErrorState, FieldError, Loading } from '../components/states'
import { formatDate } from '../lib/format'

function IssueForm() {
  const issue = useIssueKey()
  const [name, setName] = useState('')
  const [scopes, setScopes] = useState<ApiScope[]>(['assets:read'])
  const [errors, setErrors] = useState<SubmitErrors>({ fields: {}, form: null })
  function submit(event: FormEvent) {
    event.preventDefault()
    setErrors({ fields: {}, form: null })
    if (!scopes.length) return setErrors({ fields: { scopes: t.partner.pickScope }, form: null })
    issue.mutate({ name: name.trim(), scopes }, {
      onError: (err) => setErrors(submitErrors(err, ['name', 'scopes'])),
      onSuccess: () => setName(''),
    })
  }
  return (
    <form onSubmit={submit} aria-labelledby="issue-key" noValidate>
      <h2 id="issue-key">{t.partner.issue}</h2>
      {errors.form && <p className="form-error" role="alert">{errors.form}</p>}
      {issue.isSuccess && (
        <div className="notice" role="status">
          <p>{t.partner.shownOnce}</p>
          <p><strong>{t.partner.issued}:</strong> <code className="mono">{issue.data.key}</code></p>
        </div>
      )}
      <label htmlFor="key-name">{t.partner.name}</label>
      <input id="key-name" value={name} onChange={(e) => setName(e.target.value)} aria-invalid={!!errors.fields.name}
        aria-describedby={errors.fields.name ? 'key-name-error' : undefined} />
      <FieldError id="key-name-error" message={errors.fields.name} />
      <fieldset aria-describedby={errors.fields.scopes ? 'key-scopes-error' : undefined}>
        <legend>{t.partner.scopes}</legend>
        {SCOPES.map((scope) => (
          <label key={scope}>
            <input type="checkbox" checked={scopes.includes(scope)} onChange={(e) =>
              setScopes(e.target.checked ? [...scopes, scope] : scopes.filter((s) => s !== scope))} /> {scope}
          </label>
        ))}
        <FieldError id="key-scopes-error" message={errors.fields.scopes} />
      </fieldset>
      <button type="submit" disabled={issue.isPending || !name.trim()}>{t.partner.submit}</button>
    </form>
  )
}

export function KeysPage() {
  const keys = useKeys()
  const revoke = useRevokeKey()
  return (
    <section>
      <h1>{t.partner.title}</h1>
      <p>{t.partner.intro}</p>
      {keys.isPending ? <Loading /> : keys.isError ? (
        <ErrorState error={keys.error} onRetry={() => void keys.refetch()} />
      ) : keys.data.length === 0 ? <Empty>{t.partner.none}</Empty> : (
        <table>
          <thead><tr>
            <th scope="col">{t.partner.name}</th><th scope="col">{t.partner.prefix}</th>
            <th scope="col">{t.partner.scopes}</th><th scope="col">{t.partner.created}</th>
            <th scope="col">{t.partner.lastUsed}</th><th />
          </tr></thead>
          <tbody>
            {keys.data.map((key) => (
              <tr key={key.id}>
                <td>{key.name}</td><td className="mono">{key.prefix}…</td><td>{key.scopes.join(', ')}</td>
                <td>{formatDate(key.created_at)}</td>
                <td>{key.last_used_at ? formatDate(key.last_used_at) : t.partner.never}</td>
                <td>{key.revoked_at ? t.partner.revoked : (
                  <button type="button" className="secondary" disabled={revoke.isPending}
                    onClick={() => revoke.mutate(key.id)}>{t.partner.revoke(key.name)}</button>
                )}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {revoke.isError && <ErrorState error={revoke.error} />}
      <IssueForm />
    </section>
  )
}
