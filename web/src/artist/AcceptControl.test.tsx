import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'

import { signIn } from '../api/session'
import { expectAccessible, SLOW } from '../test/axe'
import { json, stubFetch, tokenPair, type Handler } from '../test/http'
import { renderApp } from '../test/render'

const CONTROLLER = '0x90F79bf6EB2c4f870365E785982E1f101E93b906'
const MINE = '0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65'
const TX = `0x${'12'.repeat(32)}`
const OP = '5f0c7a52-8f5e-4bbf-9a8d-3c8a0f3e9d11'
const SIGNATURE = `0x${'5a'.repeat(65)}`
const TYPED = { domain: { name: 'RightsRegistry', chainId: 31337 }, primaryType: 'AcceptController',
  message: { assetId: 7, nonce: 0, deadline: 1900000000 } }

const asset = (pending: string | null) => ({
  block: { number: 120, hash: `0x${'34'.repeat(32)}` },
  data: {
    asset_id: 7, kind: 'work', title: 'Blue Hour', industry_code: 'T0345246801', controller: CONTROLLER,
    pending_controller: pending, metadata_uri: 'ipfs://bafy', content_hash: null, work_ids: [],
    split: { version: 1, recipients: [CONTROLLER], allocations: [1000000] }, split_locked: false, frozen: false,
    registered: { block_number: 100, tx_hash: TX, log_index: 0 },
  },
  split_history: [], controller_history: [], freezes: [],
})

async function openManage(pending: string | null, kind: 'custodial' | 'linked', routes: Record<string, Handler> = {}) {
  const calls = stubFetch({
    'POST /v1/auth/login': () => json(tokenPair()),
    'GET /v1/assets/7': () => json(asset(pending)),
    'GET /v1/assets/7/disputes': () => json({ data: [] }),
    'GET /v1/me/wallets': () => json([{ address: MINE, kind, created_at: '2026-11-25T10:00:00Z' }]),
    'GET /v1/chain': () => json({ chain_id: 31337, rpc_url: null, contracts: {}, payout_token: null }),
    [`GET /v1/operations/${OP}`]: () => json({ id: OP, kind: 'accept_controller', status: 'confirmed' }),
    ...routes,
  })
  await signIn('ada@example.org', 'correct horse 42!')
  renderApp('/artist/assets/7')
  await screen.findByRole('heading', { name: 'Manage Blue Hour', level: 1 })
  return { calls, user: userEvent.setup() }
}

describe('accepting control of an asset', () => {
  it('is offered to the nominated custodial wallet, which signs through HARMONI', async () => {
    const { calls, user } = await openManage(MINE, 'custodial', {
      'POST /v1/assets/7/controller/accept': () => json({ id: OP, kind: 'accept_controller', status: 'pending' }, 202),
    })
    const section = await screen.findByRole('region', { name: 'Control handed to you' })
    expect(section).toHaveTextContent(`nominated your wallet ${MINE}`)
    expect(section).toHaveTextContent(/To decline, do nothing/)
    await expectAccessible()
    await user.click(within(section).getByRole('button', { name: 'Accept control' }))
    expect(await within(section).findByText('Accepting control: Confirmed')).toBeInTheDocument()
    const sent = calls.find((c) => c.path === '/v1/assets/7/controller/accept')!
    expect(sent.request.headers.get('Idempotency-Key')).toMatch(/^[0-9a-f-]{36}$/)
    expect(within(section).getByRole('button', { name: 'Accept control' })).toBeDisabled()
  }, SLOW)

  it('has the nominated own wallet sign the prepared request on the platform’s chain, then relays it', async () => {
    const wallet = vi.fn(async ({ method }: { method: string; params?: unknown[] }) => {
      if (method === 'eth_requestAccounts') return [MINE]
      if (method === 'eth_chainId') return '0x89' // on another chain first
      if (method === 'wallet_switchEthereumChain') return null
      if (method === 'eth_signTypedData_v4') return SIGNATURE
      throw new Error(`unexpected ${method}`)
    })
    vi.stubGlobal('ethereum', { request: wallet })
    const { calls, user } = await openManage(MINE.toLowerCase(), 'linked', {
      'POST /v1/assets/7/controller/accept/prepare': () => json({ typed_data: TYPED }),
      'POST /v1/signed-requests': () => json({ id: OP, kind: 'accept_controller', status: 'pending' }, 202),
    })
    const section = await screen.findByRole('region', { name: 'Control handed to you' })
    expect(section).toHaveTextContent('Your browser wallet signs the acceptance')
    await user.click(within(section).getByRole('button', { name: 'Accept control' }))
    expect(await within(section).findByText('Accepting control: Confirmed')).toBeInTheDocument()
    const prepare = calls.find((c) => c.path === '/v1/assets/7/controller/accept/prepare')!
    expect(new URL(prepare.request.url).searchParams.get('controller')).toBe(MINE)
    expect(wallet).toHaveBeenCalledWith({ method: 'wallet_switchEthereumChain', params: [{ chainId: '0x7a69' }] })
    expect(wallet).toHaveBeenCalledWith({ method: 'eth_signTypedData_v4', params: [MINE, JSON.stringify(TYPED)] })
    expect(calls.find((c) => c.path === '/v1/signed-requests')!.body).toEqual({ typed_data: TYPED, signature: SIGNATURE })
  }, SLOW)

  it('says so when the wallet refuses, and is not offered to anyone else', async () => {
    vi.stubGlobal('ethereum', { request: async ({ method }: { method: string }) => {
      if (method === 'eth_requestAccounts') return [MINE]
      if (method === 'eth_chainId') return '0x7a69'
      throw Object.assign(new Error('User rejected the request.'), { code: 4001 })
    } })
    const { calls, user } = await openManage(MINE, 'linked', {
      'POST /v1/assets/7/controller/accept/prepare': () => json({ typed_data: TYPED }),
    })
    const section = await screen.findByRole('region', { name: 'Control handed to you' })
    await user.click(within(section).getByRole('button', { name: 'Accept control' }))
    expect(await within(section).findByRole('alert')).toHaveTextContent('The wallet did not sign.')
    expect(calls.some((c) => c.path === '/v1/signed-requests')).toBe(false)
  }, SLOW)

  it('is not shown when the transfer is to another wallet', async () => {
    await openManage(CONTROLLER, 'custodial')
    expect(await screen.findByRole('region', { name: 'Hand over control' })).toHaveTextContent(`Waiting for ${CONTROLLER}`)
    expect(screen.queryByRole('region', { name: 'Control handed to you' })).not.toBeInTheDocument()
  })
})
