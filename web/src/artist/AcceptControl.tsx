import { useState } from 'react'

import { t } from '../app/strings'
import { useChainInfo } from '../api/chain'
import { ApiError } from '../api/errors'
import { useAcceptControl } from '../api/manage'
import { useWallets } from '../api/me'
import { ErrorState } from '../components/states'
import { OperationLine } from './OperationLine'
import { signTypedData, WalletMissing } from './ownWallet'

const s = t.accept

/** Shown to the account whose wallet is the asset's pending controller: accept (or, by doing nothing, decline). */
export function AcceptControl({ assetId, pending }: { assetId: number; pending: string | null | undefined }) {
  return pending ? <Nominated assetId={assetId} pending={pending} /> : null
}

function Nominated({ assetId, pending }: { assetId: number; pending: string }) {
  const wallets = useWallets()
  const chain = useChainInfo()
  const accept = useAcceptControl(assetId)
  const [key] = useState(() => crypto.randomUUID())
  const nominee = wallets.data?.find((w) => w.address.toLowerCase() === pending.toLowerCase())
  if (!nominee) return null
  const own = nominee.kind !== 'custodial'
  const click = () => accept.mutate({
    key,
    ...(own ? { ownWallet: { address: nominee.address,
      sign: (typed: unknown) => signTypedData(nominee.address, chain.data?.chain_id ?? 0, typed) } } : {}),
  })
  const failure = accept.error
  return (
    <section aria-labelledby="accept-title" className="notice">
      <h2 id="accept-title">{s.title}</h2>
      <p>{s.intro(nominee.address)}</p>
      <p className="muted">{own ? s.ownWallet : s.custodial}</p>
      <p className="muted">{s.decline}</p>
      <button type="button" disabled={accept.isPending || accept.isSuccess} onClick={click}>{s.button}</button>
      {failure && (failure instanceof ApiError ? <ErrorState error={failure} />
        : <p className="form-error" role="alert">{failure instanceof WalletMissing ? s.noWallet : s.refused}</p>)}
      {accept.data && <OperationLine what={s.operation} operationId={accept.data.id} />}
    </section>
  )
}
