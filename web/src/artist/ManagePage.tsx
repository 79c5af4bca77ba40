import { useState, type FormEvent } from 'react'
import { Link, useParams } from 'react-router'

import { paths } from '../app/paths'
import { t } from '../app/strings'
import { useAsset } from '../api/assets'
import {
  useDisputes,
  useGate,
  useLockSplit,
  useOpenDispute,
  useSetGate,
  useTransferControl,
} from '../api/manage'
import { submitErrors, type SubmitErrors } from '../auth/forms'
import { Empty, ErrorState, FieldError, Loading } from '../components/states'
import { formatDate } from '../lib/format'
import { AcceptControl } from './AcceptControl'
import { OperationLine } from './OperationLine'

const ADDRESS = /^0x[0-9a-fA-F]{40}$/
const NO_ERRORS: SubmitErrors = { fields: {}, form: null }

function GateSection({ assetId }: { assetId: number }) {
  const gate = useGate(assetId)
  const setGate = useSetGate(assetId)
  const [edition, setEdition] = useState('')
  const [errors, setErrors] = useState<SubmitErrors>(NO_ERRORS)
  function submit(event: FormEvent) {
    event.preventDefault()
    setErrors(NO_ERRORS)
    const id = Number(edition)
    if (!/^\d+$/.test(edition.trim()) || !Number.isSafeInteger(id))
      return setErrors({ fields: { edition_id: t.manage.edition + ': 0, 1, 2…' }, form: null })
    setGate.mutate(id, { onError: (err) => setErrors(submitErrors(err, ['edition_id'])), onSuccess: () => setEdition('') })
  }
  return (
    <section aria-labelledby="gate-title">
      <h2 id="gate-title">{t.manage.gate}</h2>
      <p>{t.manage.gateIntro}</p>
      {gate.isPending ? <Loading /> : gate.isError ? <ErrorState error={gate.error} onRetry={() => void gate.refetch()} /> : (
        <p role="status">{gate.data.edition_id === null ? t.manage.gateOpen : t.manage.gateSet(gate.data.edition_id)}</p>
      )}
      <form onSubmit={submit} noValidate aria-label={t.manage.setGate}>
        {errors.form && <p className="form-error" role="alert">{errors.form}</p>}
        <label htmlFor="gate-edition">{t.manage.edition}</label>
        <input id="gate-edition" inputMode="numeric" value={edition} onChange={(e) => setEdition(e.target.value)}
          aria-invalid={!!errors.fields.edition_id}
          aria-describedby={errors.fields.edition_id ? 'gate-edition-error' : undefined} />
        <FieldError id="gate-edition-error" message={errors.fields.edition_id} />
        <button type="submit" disabled={setGate.isPending || !edition.trim()}>{t.manage.setGate}</button>{' '}
        {gate.data?.edition_id != null && (
          <button type="button" className="secondary" disabled={setGate.isPending}
            onClick={() => setGate.mutate(null, { onError: (err) => setErrors(submitErrors(err, [])) })}>
            {t.manage.clearGate}</button>
        )}
      </form>
    </section>
  )
}

function LockSection({ assetId, locked }: { assetId: number; locked: boolean }) {
  const lock = useLockSplit(assetId)
  const [sure, setSure] = useState(false)
  const [key] = useState(() => crypto.randomUUID())
  return (
    <section aria-labelledby="lock-title">
      <h2 id="lock-title">{t.manage.lock}</h2>
      {locked ? <p>{t.manage.locked}</p> : (
        <>
          <p>{t.manage.lockIntro}</p>
          <label><input type="checkbox" checked={sure} onChange={(e) => setSure(e.target.checked)} /> {t.manage.confirmLock}</label>
          <p><button type="button" disabled={!sure || lock.isPending || lock.isSuccess}
            onClick={() => lock.mutate(key)}>{t.manage.lockButton}</button></p>
        </>
      )}
      {lock.isError && <ErrorState error={lock.error} />}
      {lock.data && <OperationLine what={t.manage.lock} operationId={lock.data.id} />}
    </section>
  )
}

function TransferSection({ assetId, pending }: { assetId: number; pending: string | null | undefined }) {
  const transfer = useTransferControl(assetId)
  const [address, setAddress] = useState('')
  const [errors, setErrors] = useState<SubmitErrors>(NO_ERRORS)
  const [key, setKey] = useState(() => crypto.randomUUID())
  function submit(event: FormEvent) {
    event.preventDefault()
    setErrors(NO_ERRORS)
    if (!ADDRESS.test(address.trim())) return setErrors({ fields: { new_controller: t.manage.badAddress }, form: null })
    transfer.mutate({ newController: address.trim(), key }, {
      onError: (err) => setErrors(submitErrors(err, ['new_controller'])),
      onSuccess: () => setKey(crypto.randomUUID()),
    })
  }
  return (
    <section aria-labelledby="transfer-title">
      <h2 id="transfer-title">{t.manage.transfer}</h2>
      <p>{t.manage.transferIntro}</p>
      {pending && <p className="notice">{t.manage.pending(pending)}</p>}
      <form onSubmit={submit} noValidate aria-label={t.manage.transfer}>
        {errors.form && <p className="form-error" role="alert">{errors.form}</p>}
        <label htmlFor="transfer-to">{t.manage.newController}</label>
        <input id="transfer-to" className="mono" spellCheck={false} value={address}
          onChange={(e) => setAddress(e.target.value)} aria-invalid={!!errors.fields.new_controller}
          aria-describedby={errors.fields.new_controller ? 'transfer-to-error' : undefined} />
        <FieldError id="transfer-to-error" message={errors.fields.new_controller} />
        <button type="submit" disabled={transfer.isPending || !address.trim()}>{t.manage.transferButton}</button>
      </form>
      {transfer.data && <OperationLine what={t.manage.transfer} operationId={transfer.data.id} />}
    </section>
  )
}

function DisputesSection({ assetId }: { assetId: number }) {
  const disputes = useDisputes(assetId)
  const open = useOpenDispute(assetId)
  const [reason, setReason] = useState('')
  const [evidence, setEvidence] = useState('')
  const [errors, setErrors] = useState<SubmitErrors>(NO_ERRORS)
  function submit(event: FormEvent) {
    event.preventDefault()
    setErrors(NO_ERRORS)
    open.mutate({ reason: reason.trim(), evidence_uri: evidence.trim() || null }, {
      onError: (err) => setErrors(submitErrors(err, ['reason', 'evidence_uri'])),
      onSuccess: () => { setReason(''); setEvidence('') },
    })
  }
  return (
    <section aria-labelledby="disputes-title">
      <h2 id="disputes-title">{t.manage.disputes}</h2>
      <p>{t.manage.disputesIntro}</p>
      {disputes.isPending ? <Loading /> : disputes.isError ? (
        <ErrorState error={disputes.error} onRetry={() => void disputes.refetch()} />
      ) : disputes.data.data.length === 0 ? <Empty>{t.manage.noDisputes}</Empty> : (
        <ul className="disputes">
          {disputes.data.data.map((d) => (
            <li key={d.id}>
              <strong>{t.manage.disputeStatus[d.status] ?? d.status}</strong> · {t.manage.opened} {formatDate(d.opened_at)}
              {d.reason && <p>{d.reason}</p>}
              {d.evidence_uri && <p className="mono">{d.evidence_uri}</p>}
              {d.resolution_note && <p><em>{d.resolution_note}</em></p>}
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={submit} noValidate aria-label={t.manage.openDispute}>
        {errors.form && <p className="form-error" role="alert">{errors.form}</p>}
        <label htmlFor="dispute-reason">{t.manage.reason}</label>
        <textarea id="dispute-reason" value={reason} onChange={(e) => setReason(e.target.value)} rows={3}
          aria-invalid={!!errors.fields.reason} aria-describedby={errors.fields.reason ? 'dispute-reason-error' : undefined} />
        <FieldError id="dispute-reason-error" message={errors.fields.reason} />
        <label htmlFor="dispute-evidence">{t.manage.evidence}</label>
        <input id="dispute-evidence" value={evidence} onChange={(e) => setEvidence(e.target.value)}
          aria-invalid={!!errors.fields.evidence_uri}
          aria-describedby={errors.fields.evidence_uri ? 'dispute-evidence-error' : undefined} />
        <FieldError id="dispute-evidence-error" message={errors.fields.evidence_uri} />
        <button type="submit" disabled={open.isPending || !reason.trim()}>{t.manage.openDispute}</button>
      </form>
    </section>
  )
}

/** An artist's asset: its gate (recordings), split lock, control transfer and disputes. */
export function ManagePage() {
  const assetId = Number(useParams().assetId)
  const detail = useAsset(assetId)
  if (!Number.isInteger(assetId) || assetId < 1) return <Empty>{t.states.missing}</Empty>
  if (detail.isPending) return <Loading />
  if (detail.isError) return <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />
  const asset = detail.data.data
  return (
    <article>
      <h1>{t.manage.title(asset.title ?? t.asset.title(asset.asset_id))}</h1>
      {asset.frozen && <p className="notice" role="status">{t.asset.frozen}</p>}
      <AcceptControl assetId={assetId} pending={asset.pending_controller} />
      <p><Link to={paths.artistEditions.to(assetId)}>{t.artistEditions.link}</Link></p>
      {asset.kind === 'recording' ? <GateSection assetId={assetId} /> : null}
      <LockSection assetId={assetId} locked={asset.split_locked} />
      <TransferSection assetId={assetId} pending={asset.pending_controller} />
      <DisputesSection assetId={assetId} />
    </article>
  )
}
