import { useState } from 'react'

import { t } from '../../app/strings'
import { usePreparePurchase, usePurchaseStatus } from '../../api/editions'
import { browserWallet } from '../../auth/wallet'
import { ErrorState } from '../../components/states'
import { short } from '../../lib/format'
import { CallReverted, connectedAccount, sendPurchase } from './buy'

type Step = { at: 'idle' } | { at: 'wallet' } | { at: 'sent'; txHash: string } | { at: 'failed'; message: string }

function walletFailure(err: unknown): string {
  if (err instanceof CallReverted) return t.shop.reverted(err.description)
  return t.shop.walletRefused
}

function Following({ txHash }: { txHash: string }) {
  const status = usePurchaseStatus(txHash)
  const data = status.data
  return (
    <div>
      {status.isError ? <ErrorState error={status.error} /> : (
        <p role={data?.status === 'mint-failed' ? 'alert' : 'status'}>
          {!data || data.status === 'mint-pending' ? t.shop.mintPending
            : `${data.status === 'minted' ? t.shop.minted : t.shop.mintFailed}: ${data.message}`}
        </p>
      )}
      <dl>
        <dt>{t.shop.tx}</dt><dd className="mono" title={txHash}>{short(txHash)}</dd>
        {data?.mints.map((m) => (
          <div key={`${m.wallet}-${m.edition_id}`}><dt>{t.shop.wallet}</dt><dd className="mono">{m.wallet}</dd></div>
        ))}
      </dl>
    </div>
  )
}

/** Crypto: the connected browser wallet pays and receives; the state follows the transaction, never a guess. */
export function BuyWithWallet({ editionId, quantity, disabled }: { editionId: number; quantity: number; disabled: boolean }) {
  const prepare = usePreparePurchase()
  const [step, setStep] = useState<Step>({ at: 'idle' })
  const provider = browserWallet()
  async function buy() {
    if (!provider) return
    setStep({ at: 'wallet' })
    let wallet: string
    try {
      wallet = await connectedAccount(provider)
    } catch (err) {
      return setStep({ at: 'failed', message: walletFailure(err) })
    }
    prepare.mutate({ editionId, wallet, quantity }, {
      onError: () => setStep({ at: 'idle' }),
      onSuccess: (prepared) => sendPurchase(provider, prepared).then(
        (txHash) => setStep({ at: 'sent', txHash }),
        (err: unknown) => setStep({ at: 'failed', message: walletFailure(err) })),
    })
  }
  if (step.at === 'sent') return <Following txHash={step.txHash} />
  return (
    <div>
      <button type="button" disabled={disabled || !provider || step.at === 'wallet'} onClick={() => void buy()}>
        {t.shop.buyCrypto}
      </button>
      {!provider && <p className="muted">{t.shop.noWallet}</p>}
      {step.at === 'wallet' && !prepare.isError && <p role="status">{t.shop.confirmInWallet}</p>}
      {step.at === 'failed' && <p role="alert">{step.message}</p>}
      {prepare.isError && <ErrorState error={prepare.error} />}
    </div>
  )
}
