/**
 * Sign-in with a browser wallet (EIP-1193 provider, Sign-In With Ethereum / EIP-4361, EIP-191 `personal_sign`).
 * The API gives a single-use nonce with the domain, URI and chain id the message must name; the wallet signs the
 * message; the API checks both and answers a token pair. viem (for the EIP-55 checksum) is loaded on the click.
 */
import { api, type Schemas } from '../api/client'
import { unwrap } from '../api/errors'
import { signInWithSiwe, type User } from '../api/session'

export interface Eip1193Provider {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>
}

export const STATEMENT = 'Sign in to HARMONI'

export function browserWallet(): Eip1193Provider | null {
  const candidate = (globalThis as { ethereum?: Eip1193Provider }).ethereum
  return candidate && typeof candidate.request === 'function' ? candidate : null
}

/** The exact text the wallet signs, field by field in EIP-4361's order (identity/siwe.py parses it strictly). */
export function siweMessage(nonce: Schemas['SiweNonceOut'], address: string, issuedAt: Date): string {
  const timestamp = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z')
  return [
    `${nonce.domain} wants you to sign in with your Ethereum account:`, address, '', STATEMENT, '',
    `URI: ${nonce.uri}`, `Version: ${nonce.version ?? '1'}`, `Chain ID: ${nonce.chain_id}`, `Nonce: ${nonce.nonce}`,
    `Issued At: ${timestamp(issuedAt)}`, `Expiration Time: ${timestamp(new Date(nonce.expires_at))}`,
  ].join('\n')
}

function utf8Hex(text: string): string {
  return '0x' + [...new TextEncoder().encode(text)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

export async function signInWithWallet(provider: Eip1193Provider): Promise<User> {
  const accounts = (await provider.request({ method: 'eth_requestAccounts' })) as string[]
  if (!accounts?.[0]) throw new Error('the wallet shared no account')
  const { getAddress } = await import('viem')
  const address = getAddress(accounts[0])
  const nonce = await unwrap(api.POST('/v1/auth/siwe/nonce'))
  const message = siweMessage(nonce, address, new Date())
  const signature = (await provider.request({ method: 'personal_sign', params: [utf8Hex(message), address] })) as string
  return signInWithSiwe(message, signature)
}
