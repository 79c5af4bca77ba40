import { useMemo, useState, type FormEvent, type ReactNode } from 'react'
import { Link, useSearchParams } from 'react-router'

import { paths, type AssetKind } from '../app/paths'
import { t } from '../app/strings'
import { useCreateCustodialWallet, useWallets } from '../api/me'
import { useOperation, useRegister } from '../api/rights'
import { submitErrors } from '../auth/forms'
import { ErrorState, FieldError, Loading } from '../components/states'
import { contentHashProblem, isrcProblem, iswcProblem, sha256Hex } from './identifiers'
import { SplitEditor } from './SplitEditor'
import { newRow, splitProblems, toPayees, totalState, type PayeeRow } from './split'

const FIELDS = ['title', 'iswc', 'isrc', 'content_hash', 'work_ids', 'split'] as const

function OperationStatus({ operationId, onAnother }: { operationId: string; onAnother: () => void }) {
  const operation = useOperation(operationId)
  if (operation.isPending) return <Loading />
  if (operation.isError) return <ErrorState error={operation.error} onRetry={() => void operation.refetch()} />
  const op = operation.data
  return (
    <section aria-labelledby="operation-title" className={`operation ${op.status}`}>
      <h2 id="operation-title">{t.register.operation}</h2>
      <p role="status" aria-live="polite">{t.register.status[op.status] ?? op.status}</p>
      {op.error && <p role="alert">{op.error}</p>}
      {op.status === 'confirmed' && op.asset_id != null && (
        <p><Link to={paths.asset.to(op.asset_id)}>{t.register.viewAsset(op.asset_id)}</Link></p>
      )}
      {(op.status === 'confirmed' || op.status === 'failed') && (
        <button type="button" onClick={onAnother}>{t.register.another}</button>
      )}
    </section>
  )
}

function WalletGate({ children }: { children: (address: string) => ReactNode }) {
  const wallets = useWallets()
  const create = useCreateCustodialWallet()
  if (wallets.isPending) return <Loading />
  if (wallets.isError) return <ErrorState error={wallets.error} onRetry={() => void wallets.refetch()} />
  const custodial = wallets.data.find((w) => w.kind === 'custodial')
  if (!custodial)
    return (
      <div className="notice">
        <p>{t.register.needsWallet}</p>
        {create.isError && <ErrorState error={create.error} />}
        <button type="button" disabled={create.isPending} onClick={() => create.mutate()}>{t.register.createWallet}</button>
      </div>
    )
  return <>{children(custodial.address)}</>
}

export function RegisterForm({ wallet }: { wallet: string }) {
  const [params, setParams] = useSearchParams()
  // From a ready upload (`?upload_id=`): a recording whose content hash the API takes from the upload
  const uploadId = params.get('upload_id')
  const kind: AssetKind = params.get('kind') === 'recording' || uploadId ? 'recording' : 'work'
  const [title, setTitle] = useState(() => params.get('title') ?? '')
  const [code, setCode] = useState(() => params.get('isrc') ?? '')
  const [contentHash, setContentHash] = useState('')
  const [hashing, setHashing] = useState(false)
  const [workIds, setWorkIds] = useState('')
  const [rows, setRows] = useState<PayeeRow[]>(() => [newRow({ address: wallet, share: '100' })])
  const [submitted, setSubmitted] = useState(false)
  const [server, setServer] = useState<{ fields: Record<string, string>; form: string | null }>({ fields: {}, form: null })
  const [idempotencyKey, setIdempotencyKey] = useState(() => crypto.randomUUID())
  const [operationId, setOperationId] = useState<string | null>(null)
  const register = useRegister()
  const codeField = kind === 'work' ? 'iswc' : 'isrc'

  const typed = useMemo(() => {
    const problems: Record<string, string> = splitProblems(rows, submitted)
    if (!title.trim() && submitted) problems.title = t.split.required
    const codeProblem = code.trim() ? (kind === 'work' ? iswcProblem(code) : isrcProblem(code))
      : submitted ? t.split.required : null
    if (codeProblem) problems[codeField] = codeProblem
    if (kind === 'recording' && !uploadId) {
      const hashProblem = contentHash.trim() ? contentHashProblem(contentHash) : submitted ? t.split.required : null
      if (hashProblem) problems.content_hash = hashProblem
    }
    return problems
  }, [rows, submitted, title, code, kind, codeField, contentHash, uploadId])
  const errors = { ...typed, ...server.fields }

  const edited = (field: string) => setServer((s) => {
    const fields = Object.fromEntries(Object.entries(s.fields).filter(([k]) =>
      k !== field && !(field === 'split' && k.startsWith('split')) && !(field.startsWith('split[') && k === 'split')))
    return { fields, form: s.form }
  })

  async function chooseMaster(file: File | undefined) {
    if (!file) return
    setHashing(true)
    try {
      setContentHash(await sha256Hex(file))
      edited('content_hash')
    } finally {
      setHashing(false)
    }
  }

  async function submit(event: FormEvent) {
    event.preventDefault()
    setSubmitted(true)
    const now = { ...splitProblems(rows, true) }
    if (!title.trim() || !code.trim() || (kind === 'work' ? iswcProblem(code) : isrcProblem(code)) ||
        (kind === 'recording' && !uploadId && contentHashProblem(contentHash)) || Object.keys(now).length ||
        totalState(rows).kind !== 'complete') {
      setServer({ fields: {}, form: t.register.fixErrors })
      return
    }
    setServer({ fields: {}, form: null })
    const split = toPayees(rows)
    try {
      const operation = kind === 'work'
        ? await register.mutateAsync({ kind, key: idempotencyKey, body: { title: title.trim(), iswc: code, split } })
        : await register.mutateAsync({ kind, key: idempotencyKey, body: {
          title: title.trim(), isrc: code, split,
          ...(uploadId ? { upload_id: uploadId } : { content_hash: contentHash.trim() }),
          work_ids: workIds.split(',').map((s) => s.trim()).filter(Boolean).map(Number),
        } })
      setOperationId(operation.id)
    } catch (err) {
      setServer(submitErrors(err, FIELDS))
    }
  }

  function another() {
    if (uploadId) setParams({ kind: 'recording' }, { replace: true }) // the next recording needs its own master
    setOperationId(null)
    setTitle(''); setCode(''); setContentHash(''); setWorkIds('')
    setRows([newRow({ address: wallet, share: '100' })])
    setSubmitted(false)
    setIdempotencyKey(crypto.randomUUID())
    register.reset()
  }

  if (operationId) return <OperationStatus operationId={operationId} onAnother={another} />

  const field = (name: string, hint?: string) => ({
    'aria-invalid': !!errors[name],
    'aria-describedby': [errors[name] && `reg-${name}-error`, hint && `reg-${name}-hint`].filter(Boolean).join(' ') || undefined,
  })

  return (
    <form onSubmit={submit} noValidate>
      <p className="muted mono">{t.register.wallet(wallet)}</p>
      {server.form && <p className="form-error" role="alert">{server.form}</p>}
      <fieldset>
        <legend>{t.register.kind}</legend>
        <label><input type="radio" name="kind" checked={kind === 'work'}
          onChange={() => setParams({ kind: 'work' }, { replace: true })} /> {t.register.work}</label>
        <label><input type="radio" name="kind" checked={kind === 'recording'}
          onChange={() => setParams({ kind: 'recording' }, { replace: true })} /> {t.register.recording}</label>
      </fieldset>
      <label htmlFor="reg-title">{t.register.name}</label>
      <input id="reg-title" value={title} {...field('title')}
        onChange={(e) => { setTitle(e.target.value); edited('title') }} />
      <FieldError id="reg-title-error" message={errors.title} />

      <label htmlFor={`reg-${codeField}`}>{kind === 'work' ? t.register.iswc : t.register.isrc}</label>
      <input id={`reg-${codeField}`} className="mono" value={code} spellCheck={false} autoComplete="off"
        {...field(codeField, 'hint')} onChange={(e) => { setCode(e.target.value); edited(codeField) }} />
      <p id={`reg-${codeField}-hint`} className="hint">{kind === 'work' ? t.register.iswcHint : t.register.isrcHint}</p>
      <FieldError id={`reg-${codeField}-error`} message={errors[codeField]} />

      {kind === 'recording' && uploadId && (
        <div className="notice">
          <p>{t.register.fromUpload(uploadId)}</p>
          <button type="button" className="secondary" onClick={() => setParams({ kind: 'recording' }, { replace: true })}>
            {t.register.noUpload}
          </button>
        </div>
      )}
      {kind === 'recording' && !uploadId && (
        <>
          <label htmlFor="reg-master">{t.register.master}</label>
          <input id="reg-master" type="file" accept="audio/*" aria-describedby="reg-master-hint"
            onChange={(e) => void chooseMaster(e.target.files?.[0])} />
          <p id="reg-master-hint" className="hint">{hashing ? t.register.hashing : t.register.masterHint}</p>
          <label htmlFor="reg-content_hash">{t.register.contentHash}</label>
          <input id="reg-content_hash" className="mono" value={contentHash} spellCheck={false}
            {...field('content_hash', 'hint')}
            onChange={(e) => { setContentHash(e.target.value); edited('content_hash') }} />
          <p id="reg-content_hash-hint" className="hint">{t.register.contentHashHint}</p>
          <FieldError id="reg-content_hash-error" message={errors.content_hash} />
        </>
      )}
      {kind === 'recording' && (
        <>
          <label htmlFor="reg-work_ids">{t.register.workIds}</label>
          <input id="reg-work_ids" inputMode="numeric" value={workIds} {...field('work_ids')}
            onChange={(e) => { setWorkIds(e.target.value); edited('work_ids') }} />
          <FieldError id="reg-work_ids-error" message={errors.work_ids} />
        </>
      )}

      <SplitEditor rows={rows} errors={errors} onChange={(next, what) => { setRows(next); edited(what) }} />
      <button type="submit" disabled={register.isPending}>
        {register.isPending ? t.register.submitting : t.register.submit}
      </button>
    </form>
  )
}

export function RegisterPage() {
  return (
    <section>
      <h1>{t.register.title}</h1>
      <WalletGate>{(address) => <RegisterForm wallet={address} />}</WalletGate>
    </section>
  )
}
