import { useEffect, useState, type FormEvent } from 'react'

import { t } from '../app/strings'
import { useCreateEdition, usePrepareEdition, type Asset } from '../api/artistEditions'
import type { Wallet } from '../api/me'
import { useOperation } from '../api/rights'
import { useUploads } from '../api/uploads'
import { submitErrors, type SubmitErrors } from '../auth/forms'
import { short } from '../lib/format'
import { API_FIELD, DECIMALS, EMPTY, readEdition, royaltyError, type EditionFields } from './editionTerms'
import { Field } from './fields'
import { OperationLine } from './OperationLine'
import { sendCall, WalletMissing, WrongAccount } from './ownWallet'

const s = t.artistEditions
const KNOWN = ['asset_id', 'title', 'description', 'artwork_upload_id', 'artwork_uri', 'payment', 'price', 'fiat_price',
  'max_supply', 'sale_start', 'sale_end', 'per_wallet_cap', 'royalty_bps']
const NONE: SubmitErrors = { fields: {}, form: null }

function walletProblem(err: unknown): string {
  if (err instanceof WalletMissing) return s.noWallet
  if (err instanceof WrongAccount) return s.wrongAccount(err.expected)
  return s.walletRefused
}

interface Props {
  wallets: Wallet[]
  assets: Asset[]
  chainId: number | null
  initialAsset: string
  onSent: (txHash: string) => void
}

/** Creating an edition: sent by the custodial wallet, or by the artist's own wallet when that controls the asset. */
export function EditionForm({ wallets, assets, chainId, initialAsset, onSent }: Props) {
  const [f, setF] = useState<EditionFields>({ ...EMPTY, asset: initialAsset })
  const [errors, setErrors] = useState<SubmitErrors>(NONE)
  const [key, setKey] = useState(() => crypto.randomUUID())
  const [operationId, setOperationId] = useState<string | null>(null)
  const [sentTx, setSentTx] = useState<string | null>(null)
  const [sending, setSending] = useState(false)
  const create = useCreateEdition()
  const prepare = usePrepareEdition()
  const uploads = useUploads()
  // the custodial wallet's transaction, once sent: the list is polled until the edition it creates is mirrored
  const operationTx = useOperation(operationId).data?.tx_hash ?? null
  useEffect(() => { if (operationTx) onSent(operationTx) }, [operationTx, onSent])
  const artworks = (uploads.data?.items ?? []).filter((u) => u.kind === 'artwork' && u.state === 'ready')
  const change = (field: keyof EditionFields, value: string) => {
    setF((old) => ({ ...old, [field]: value }))
    setErrors((old) => {
      const { [API_FIELD[field]]: _cleared, ...fields } = old.fields
      return { ...old, fields }
    })
  }
  const set = (field: keyof EditionFields) => (e: { target: { value: string } }) => change(field, e.target.value)
  const asset = assets.find((a) => String(a.asset_id) === f.asset)
  const wallet = asset && wallets.find((w) => w.address.toLowerCase() === asset.controller.toLowerCase())
  const royaltyLive = royaltyError(f.royalty)
  const error = (field: string) => errors.fields[field] ?? (field === 'royalty_bps' ? royaltyLive ?? undefined : undefined)
  const busy = create.isPending || prepare.isPending || sending

  function submit(event: FormEvent) {
    event.preventDefault()
    setOperationId(null)
    setSentTx(null)
    const { body, errors: fields } = readEdition(f)
    if (!body) return setErrors({ fields, form: s.fixErrors })
    if (!wallet) return setErrors({ fields: {}, form: s.notYours })
    setErrors(NONE)
    const failed = (err: unknown) => setErrors(submitErrors(err, KNOWN))
    if (wallet.kind === 'custodial') {
      create.mutate({ body, key }, {
        onSuccess: (answer) => { setOperationId(answer.operation_id); setKey(crypto.randomUUID()) },
        onError: failed,
      })
      return
    }
    prepare.mutate({ body, controller: wallet.address }, {
      onError: failed,
      onSuccess: async (prepared) => {
        setSending(true)
        try {
          const hash = await sendCall(prepared.from_address, chainId ?? 0, prepared.transaction)
          setSentTx(hash)
          onSent(hash)
        } catch (err) {
          setErrors({ fields: {}, form: walletProblem(err) })
        } finally {
          setSending(false)
        }
      },
    })
  }

  const decimals = DECIMALS[f.payment]
  return (
    <form onSubmit={submit} noValidate aria-labelledby="edition-create-title">
      <h2 id="edition-create-title">{s.create}</h2>
      {errors.form && <p className="form-error" role="alert">{errors.form}</p>}
      <Field id="edition-asset" label={s.asset} error={error('asset_id')}>
        {(a) => (
          <select {...a} value={f.asset} onChange={set('asset')}>
            <option value="">{s.pickAsset}</option>
            {assets.map((x) => (
              <option key={x.asset_id} value={x.asset_id}>{x.title ?? t.asset.title(x.asset_id)} ({x.industry_code})</option>
            ))}
          </select>
        )}
      </Field>
      {wallet && <p className="muted">{wallet.kind === 'custodial' ? s.custodial(short(wallet.address))
        : s.ownWallet(short(wallet.address))}</p>}
      <Field id="edition-title" label={s.name} error={error('title')}>
        {(a) => <input {...a} value={f.title} onChange={set('title')} maxLength={300} />}
      </Field>
      <Field id="edition-description" label={s.description} error={error('description')}>
        {(a) => <textarea {...a} value={f.description} onChange={set('description')} rows={3} maxLength={5000} />}
      </Field>
      <Field id="edition-artwork" label={s.artwork} error={error('artwork_upload_id')}>
        {(a) => (
          <select {...a} value={f.artwork} onChange={set('artwork')}>
            <option value="">{s.artworkNone}</option>
            {artworks.map((u) => <option key={u.id} value={u.id}>{s.artworkUpload(u.filename ?? u.id)}</option>)}
            <option value="uri">{s.artworkUri}</option>
          </select>
        )}
      </Field>
      {f.artwork === 'uri' && (
        <Field id="edition-artwork-uri" label={s.artworkUriLabel} error={error('artwork_uri')}>
          {(a) => <input {...a} value={f.artworkUri} onChange={set('artworkUri')} spellCheck={false} />}
        </Field>
      )}
      <Field id="edition-payment" label={s.payment} error={error('payment')}>
        {(a) => (
          <select {...a} value={f.payment} onChange={set('payment')}>
            <option value="payout_token">{s.payoutToken}</option>
            <option value="native">{s.native}</option>
          </select>
        )}
      </Field>
      <Field id="edition-price" label={s.price} error={error('price')} hint={s.priceHint(decimals)}>
        {(a) => <input {...a} inputMode="decimal" value={f.price} onChange={set('price')} />}
      </Field>
      <fieldset>
        <legend>{s.fiat}</legend>
        <p className="hint">{s.fiatHint}</p>
        <Field id="edition-fiat" label={s.fiatAmount} error={error('fiat_price.amount_cents') ?? error('fiat_price')}>
          {(a) => <input {...a} inputMode="decimal" value={f.fiat} onChange={set('fiat')} />}
        </Field>
        <Field id="edition-currency" label={s.currency} error={error('fiat_price.currency')}>
          {(a) => <input {...a} value={f.currency} maxLength={3}
            onChange={(e) => change('currency', e.target.value.toUpperCase())} />}
        </Field>
      </fieldset>
      <Field id="edition-supply" label={s.maxSupply} error={error('max_supply')}>
        {(a) => <input {...a} inputMode="numeric" value={f.maxSupply} onChange={set('maxSupply')} />}
      </Field>
      <Field id="edition-start" label={s.saleStart} error={error('sale_start')}>
        {(a) => <input {...a} type="datetime-local" value={f.saleStart} onChange={set('saleStart')} />}
      </Field>
      <Field id="edition-end" label={s.saleEnd} error={error('sale_end')}>
        {(a) => <input {...a} type="datetime-local" value={f.saleEnd} onChange={set('saleEnd')} />}
      </Field>
      <Field id="edition-cap" label={s.cap} error={error('per_wallet_cap')}>
        {(a) => <input {...a} inputMode="numeric" value={f.cap} onChange={set('cap')} />}
      </Field>
      <Field id="edition-royalty" label={s.royalty} error={error('royalty_bps')} hint={s.royaltyHint}>
        {(a) => <input {...a} inputMode="decimal" value={f.royalty} onChange={set('royalty')} />}
      </Field>
      <button type="submit" disabled={busy}>{busy ? s.submitting : s.submit}</button>
      {operationId && <OperationLine what={s.operation} operationId={operationId} />}
      {sentTx && <p role="status">{s.sent(sentTx)}</p>}
    </form>
  )
}
