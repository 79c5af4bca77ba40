/**
 * The artist's own browser wallet (EIP-1193) for what the API prepares but does not send: a transaction to send
 * (`eth_sendTransaction`) or an EIP-712 request to sign (`eth_signTypedData_v4`). The wallet must be on the
 * platform's chain and on the account the API named.
 */
import { browserWallet, type Eip1193Provider } from '../auth/wallet'

export class WalletMissing extends Error {}
export class WrongAccount extends Error {
  constructor(readonly expected: string) {
    super(`switch the wallet to ${expected}`)
  }
}

async function ready(expected: string, chainId: number): Promise<Eip1193Provider> {
  const provider = browserWallet()
  if (!provider) throw new WalletMissing('no browser wallet')
  const accounts = (await provider.request({ method: 'eth_requestAccounts' })) as string[]
  if (!accounts?.some((a) => a.toLowerCase() === expected.toLowerCase())) throw new WrongAccount(expected)
  const current = Number(await provider.request({ method: 'eth_chainId' }))
  if (current !== chainId)
    await provider.request({ method: 'wallet_switchEthereumChain', params: [{ chainId: `0x${chainId.toString(16)}` }] })
  return provider
}

/** Sends a prepared call from `from`; answers the transaction hash. */
export async function sendCall(from: string, chainId: number, call: { to: string; data: string; value: string }):
  Promise<string> {
  const provider = await ready(from, chainId)
  return (await provider.request({ method: 'eth_sendTransaction', params: [{
    from, to: call.to, data: call.data, value: `0x${BigInt(call.value).toString(16)}` }] })) as string
}

/** Signs a prepared EIP-712 document with `from`; answers the 65-byte signature. */
export async function signTypedData(from: string, chainId: number, typedData: unknown): Promise<string> {
  const provider = await ready(from, chainId)
  return (await provider.request({ method: 'eth_signTypedData_v4', params: [from, JSON.stringify(typedData)] })) as string
}
