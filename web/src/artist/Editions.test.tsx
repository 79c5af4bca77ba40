import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'

import { signIn } from '../api/session'
import { expectAccessible, SLOW } from '../test/axe'
import { json, problem, stubFetch, tokenPair, type Handler } from '../test/http'
import { renderApp } from '../test/render'

const CUSTODIAL = '0x90F79bf6EB2c4f870365E785982E1f101E93b906'
const LINKED = '0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65'
const EDITIONS = '0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9'
const TOKEN = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
const TX = `0x${'ab'.repeat(32)}`
const OP = '0c1f9a9e-2b7d-4f4e-8d52-8f0b5b1e4a77'
const LISTING = '5f0c7a52-8f5e-4bbf-9a8d-3c8a0f3e9d11'
const BLOCK = { number: 120, hash: `0x${'34'.repeat(32)}` }

const asset = (id: number, title: string, controller: string) => ({
  asset_id: id, kind: 'recording', title, industry_code: `USRC1760783${id}`, controller, pending_controller: null,
  metadata_uri: 'ipfs://bafy', content_hash: null, work_ids: [], split: { version: 1, recipients: [controller],
  allocations: [1000000] }, split_locked: false, frozen: false, registered: { block_number: 100, tx_hash: TX, log_index: 0 },
})

const edition = (id: number, extra: Record<string, unknown> = {}) => ({
  edition_id: id, asset_id: 7, creator: CUSTODIAL, payment_token: TOKEN, price: '5000000', fiat_price: null,
  max_supply: 100, minted: 3, supply_left: 97, sale_start: 0, sale_end: 0, per_wallet_cap: 2, royalty_bps: 500,
  platform_fee_bps: 1000, on_sale: true, sold_out: false, metadata_uri: null,
  created_in: { block_number: 110, tx_hash: `0x${'cd'.repeat(32)}` }, ...extra,
})

async function openEditions(routes: Record<string, Handler>, wallets = [CUSTODIAL]) {
  const calls = stubFetch({
    'POST /v1/auth/login': () => json(tokenPair()),
    'GET /v1/me/wallets': () => json(wallets.map((address) => ({
      address, kind: address === CUSTODIAL ? 'custodial' : 'linked', created_at: '2026-11-25T10:00:00Z' }))),
    'GET /v1/assets': (_r, url) => json({ block: BLOCK, next_cursor: null, data: url.searchParams.get('controller') === CUSTODIAL
      ? [asset(7, 'Blue Hour', CUSTODIAL)] : [asset(9, 'Low Tide', LINKED)] }),
    'GET /v1/uploads': () => json({ items: [], next: null }),
    'GET /v1/chain': () => json({ chain_id: 31337, rpc_url: null, contracts: {}, payout_token: TOKEN }),
    ...routes,
  })
  await signIn('ada@example.org', 'correct horse 42!')
  renderApp('/artist/editions?asset=7')
  await screen.findByRole('heading', { name: 'Editions', level: 1 })
  return { calls, user: userEvent.setup() }
}

describe('an artist’s editions', () => {
  it('creates one through the custodial wallet, the royalty checked as typed, and lists what it sold', async () => {
    const listed = [edition(1, { minted: 100, supply_left: 0, sold_out: true, on_sale: false })]
    let mirrored = false
    const { calls, user } = await openEditions({
      'GET /v1/editions': () => json({ block: BLOCK, next_cursor: null, data: mirrored
        ? [...listed, edition(2, { minted: 0, supply_left: 100, created_in: { block_number: 130, tx_hash: TX } })]
        : listed }),
      'POST /v1/editions': () => json({ listing_id: LISTING, metadata_uri: 'ipfs://bafk', operation_id: OP,
                                        status: 'pending', from_address: CUSTODIAL }, 202),
      // the edition is mirrored some time after its transaction is confirmed: the list is asked again until then
      [`GET /v1/operations/${OP}`]: () => json({ id: OP, kind: 'create_edition', status: 'confirmed', tx_hash: TX }),
    })
    const form = await screen.findByRole('form', { name: 'Create an edition' })
    expect(within(form).getByLabelText('Asset')).toHaveValue('7') // from the link's ?asset=7
    expect(form).toHaveTextContent(/Sent by your custodial wallet/)
    const table = await screen.findByRole('table', { name: 'Your editions' })
    expect(within(table).getByRole('row', { name: /^1 Blue Hour/ })).toHaveTextContent('100 of 100')
    expect(within(table).getByRole('row', { name: /^1 Blue Hour/ })).toHaveTextContent('Sold out')

    const royalty = within(form).getByLabelText('Royalty on resales (%)')
    await user.clear(royalty)
    await user.type(royalty, '12')
    expect(royalty).toHaveAttribute('aria-invalid', 'true')
    expect(royalty).toHaveAccessibleDescription(/A royalty is at most 10%/)
    await user.click(within(form).getByRole('button', { name: 'Create edition' }))
    expect(calls.some((c) => c.method === 'POST' && c.path === '/v1/editions')).toBe(false)
    await user.clear(royalty)
    await user.type(royalty, '7.5')
    expect(royalty).not.toHaveAttribute('aria-invalid', 'true')

    await user.type(within(form).getByLabelText('Title'), 'Blue Hour — signed')
    await user.type(within(form).getByLabelText('Description'), '100 numbered copies')
    await user.type(within(form).getByLabelText('Price of one token (on chain)'), '5.25')
    await user.type(within(form).getByLabelText('Card price'), '4.99')
    await user.type(within(form).getByLabelText('Number of tokens'), '100')
    await user.clear(within(form).getByLabelText('Tokens one wallet may buy (0: no cap)'))
    await user.type(within(form).getByLabelText('Tokens one wallet may buy (0: no cap)'), '2')
    await user.type(within(form).getByLabelText('Sale opens (UTC; empty: at once)'), '2027-01-01T12:00')
    await expectAccessible()
    await user.click(within(form).getByRole('button', { name: 'Create edition' }))
    expect(await within(form).findByText('Edition: Confirmed')).toBeInTheDocument()
    mirrored = true
    const sent = calls.find((c) => c.method === 'POST' && c.path === '/v1/editions')!
    expect(sent.body).toEqual({
      asset_id: 7, title: 'Blue Hour — signed', description: '100 numbered copies', payment: 'payout_token',
      price: 5250000, fiat_price: { amount_cents: 499, currency: 'USD' }, max_supply: 100, sale_start: 1798804800,
      sale_end: 0, per_wallet_cap: 2, royalty_bps: 750 })
    expect(sent.request.headers.get('Idempotency-Key')).toMatch(/^[0-9a-f-]{36}$/)
    expect(await screen.findByRole('row', { name: /^2 Blue Hour/ })).toHaveTextContent('0 of 100')
  }, SLOW)

  it('shows the field the API refuses', async () => {
    const { user } = await openEditions({
      'GET /v1/editions': () => json({ block: BLOCK, data: [], next_cursor: null }),
      'POST /v1/editions': () => problem(422, 'edition-invalid', 'Invalid edition', {
        field: 'price', detail: 'price must be a whole number of the payout currency’s smallest unit' }),
    })
    expect(await screen.findByText('No edition yet.')).toBeInTheDocument()
    const form = screen.getByRole('form', { name: 'Create an edition' })
    await user.type(within(form).getByLabelText('Title'), 'Blue Hour')
    await user.type(within(form).getByLabelText('Price of one token (on chain)'), '0.000001')
    await user.type(within(form).getByLabelText('Number of tokens'), '10')
    await user.click(within(form).getByRole('button', { name: 'Create edition' }))
    const price = within(form).getByLabelText('Price of one token (on chain)')
    await waitFor(() => expect(price).toHaveAccessibleDescription(/whole number of the payout currency’s smallest unit/))
  })

  it('prepares the transaction for the artist’s own wallet and sends it from there', async () => {
    let listed: unknown[] = []
    const wallet = vi.fn(async ({ method }: { method: string; params?: unknown[] }) => {
      if (method === 'eth_requestAccounts') return [LINKED.toLowerCase()]
      if (method === 'eth_chainId') return '0x7a69'
      if (method === 'eth_sendTransaction') {
        listed = [edition(4, { asset_id: 9, creator: LINKED, created_in: { block_number: 130, tx_hash: TX } })]
        return TX
      }
      throw new Error(`unexpected ${method}`)
    })
    vi.stubGlobal('ethereum', { request: wallet })
    const { calls, user } = await openEditions({
      'GET /v1/editions': (_r, url) => json({ block: BLOCK, next_cursor: null,
        data: url.searchParams.get('artist') === LINKED ? listed : [] }),
      'POST /v1/editions/prepare': () => json({ listing_id: LISTING, metadata_uri: 'ipfs://bafk', from_address: LINKED,
        transaction: { to: EDITIONS, data: '0x5c3d4e2a', value: '0', description: 'create an edition of asset 9' } }, 201),
    }, [CUSTODIAL, LINKED])
    const form = await screen.findByRole('form', { name: 'Create an edition' })
    await user.selectOptions(within(form).getByLabelText('Asset'), '9')
    expect(form).toHaveTextContent(/Sent by your own wallet/)
    await user.type(within(form).getByLabelText('Title'), 'Low Tide')
    await user.type(within(form).getByLabelText('Price of one token (on chain)'), '1')
    await user.type(within(form).getByLabelText('Number of tokens'), '5')
    await user.click(within(form).getByRole('button', { name: 'Create edition' }))
    expect(await within(form).findByText(/Sent as transaction 0xabab/)).toHaveAttribute('role', 'status')
    const prepare = calls.find((c) => c.path === '/v1/editions/prepare')!
    expect(new URL(prepare.request.url).searchParams.get('controller')).toBe(LINKED)
    expect(wallet).toHaveBeenCalledWith({ method: 'eth_sendTransaction',
      params: [{ from: LINKED, to: EDITIONS, data: '0x5c3d4e2a', value: '0x0' }] })
    expect(await screen.findByRole('row', { name: /^4 Low Tide/ })).toHaveTextContent('3 of 100')
  }, SLOW)
})
