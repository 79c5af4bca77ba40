import { useState, type FormEvent } from 'react'
import { useNavigate } from 'react-router'

import { paths } from '../../app/paths'
import { t } from '../../app/strings'
import { useEraseAccount, useExport, useRequestExport } from '../../api/privacy'
import { signOut, useSession } from '../../api/session'
import { ErrorState } from '../../components/states'
import { formatDate } from '../../lib/format'

const size = (bytes: number | null) => (bytes === null ? '?' : bytes < 1024 * 1024
  ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`)

function ExportData() {
  const request = useRequestExport()
  const followed = useExport(request.data?.id ?? null)
  const current = followed.data ?? request.data
  return (
    <section aria-labelledby="export">
      <h2 id="export">{t.privacy.exportTitle}</h2>
      <p>{t.privacy.exportIntro}</p>
      <button type="button" disabled={request.isPending || current?.status === 'pending'} onClick={() => request.mutate()}>
        {t.privacy.exportButton}
      </button>
      {current?.status === 'pending' && <p role="status">{t.privacy.exportPending}</p>}
      {current?.status === 'failed' && <p role="alert">{t.privacy.exportFailed}</p>}
      {current?.status === 'ready' && current.download_url && (
        <p role="status">
          <a href={current.download_url} download>{t.privacy.download(size(current.size_bytes))}</a>{' '}
          {current.expires_at && t.privacy.expires(formatDate(current.expires_at))}
        </p>
      )}
      {(request.error ?? followed.error) && <ErrorState error={request.error ?? followed.error} />}
    </section>
  )
}

function DeleteAccount({ accountId, email }: { accountId: string; email: string }) {
  const erase = useEraseAccount()
  const navigate = useNavigate()
  const [confirming, setConfirming] = useState(false)
  const [typed, setTyped] = useState('')
  function submit(event: FormEvent) {
    event.preventDefault()
    erase.mutate(accountId, { onSuccess: async () => {
      // leave the signed-in page first (the home page's code may still be loading: wait for the navigation),
      // since signing out there would send the browser to the sign-in page
      await navigate(paths.home.to(), { replace: true })
      await signOut()
    } })
  }
  return (
    <section aria-labelledby="erase">
      <h2 id="erase">{t.privacy.deleteTitle}</h2>
      <p>{t.privacy.deleteIntro}</p>
      {!confirming ? (
        <button type="button" onClick={() => setConfirming(true)}>{t.privacy.deleteStart}</button>
      ) : (
        <form onSubmit={submit} aria-label={t.privacy.deleteTitle}>
          <label htmlFor="erase-confirm">{t.privacy.confirmLabel(email)}</label>
          <input id="erase-confirm" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off"
            spellCheck={false} autoFocus />
          {erase.isError && <ErrorState error={erase.error} />}
          <div className="row">
            <button type="submit" disabled={typed.trim() !== email || erase.isPending}>
              {t.privacy.deleteConfirm}
            </button>
            <button type="button" className="secondary" onClick={() => { setConfirming(false); setTyped('') }}>
              {t.privacy.deleteCancel}
            </button>
          </div>
        </form>
      )}
    </section>
  )
}

export function PrivacyPage() {
  const session = useSession()
  if (session.status !== 'signed-in') return null
  const { id, email } = session.user
  return (
    <section>
      <h1>{t.privacy.title}</h1>
      <ExportData />
      {/* a wallet-only account confirms with its id, as the API does */}
      <DeleteAccount accountId={id} email={email ?? id} />
    </section>
  )
}
