/** Buying an edition with the connected browser wallet: the prepared calls sent in order, each mined before the next. */
import type { Eip1193Provider } from '../../auth/wallet'
import type { PurchasePrepared } from '../../api/editions'

/** Thrown when a call of the purchase reverted on chain (the mint is then not sent). */
export class CallReverted extends Error {
  constructor(readonly description: string, readonly txHash: string) {
    super(`${description} reverted`)
    this.name = 'CallReverted'
  }
}

export async function connectedAccount(provider: Eip1193Provider): Promise<string> {
  const accounts = (await provider.request({ method: 'eth_requestAccounts' })) as string[]
  if (!accounts?.[0]) throw new Error('the wallet shared no account')
  const { getAddress } = await import('viem')
  return getAddress(accounts[0])
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function mined(provider: Eip1193Provider, txHash: string, description: string): Promise<void> {
  for (;;) {
    const receipt = (await provider.request({ method: 'eth_getTransactionReceipt', params: [txHash] })) as
      { status?: string } | null
    if (receipt) {
      if (receipt.status === '0x0') throw new CallReverted(description, txHash)
      return
    }
    await pause(1000)
  }
}

/** Sends every call from the wallet; answers the last one's hash (the mint), which the API then follows. */
export async function sendPurchase(provider: Eip1193Provider, prepared: PurchasePrepared): Promise<string> {
  let last = ''
  for (const [index, call] of prepared.calls.entries()) {
    last = (await provider.request({ method: 'eth_sendTransaction', params: [{
      from: prepared.wallet, to: call.to, data: call.data, value: `0x${BigInt(call.value).toString(16)}`,
    }] })) as string
    // the mint spends what the approve allowed: it must be mined first
    if (index < prepared.calls.length - 1) await mined(provider, last, call.description)
  }
  return last
}
