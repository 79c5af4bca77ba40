import { screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'

import { leaveWith } from '../../api/payments'
import { signIn } from '../../api/session'
import { expectAccessible, SLOW } from '../../test/axe'
import { json, problem, stubFetch, tokenPair, USER } from '../../test/http'
import { renderApp } from '../../test/render'
import { APPROVE_TX, BLOCK, EDITIONS_CONTRACT, edition, FAN_WALLET, MINT_TX, PAYOUT_TOKEN } from './fixtures'

const FAN = { ...USER, roles: ['fan'] }
const ORDER_ID = '3f2c9a1e-7b4d-4e8a-9c61-5d0f2b7a8e13'

const prepared = {
  edition_id: 1, wallet: FAN_WALLET, quantity: 2, total: '10000000', payment_token: PAYOUT_TOKEN,
  calls: [{ to: PAYOUT_TOKEN, data: '0x095ea7b3', value: '0', description: 'approve' },
          { to: EDITIONS_CONTRACT, data: '0x1b2ef1ca', value: '16', description: 'mint 2 of edition 1' }],
}

function editionRoutes(changes: Record<string, unknown> = {}) {
  return {
    'POST /v1/auth/login': () => json(tokenPair('a', 'r', 900, FAN)),
    'GET /v1/editions/1': () => json({ block: BLOCK, data: edition(1, changes) }),
    'GET /v1/editions/1/holders': () => json({ block: BLOCK, edition_id: 1,
                                              data: [{ wallet: FAN_WALLET, balance: 1 }, { wallet: PAYOUT_TOKEN, balance: 2 }] }),
  }
}

/** A browser wallet (EIP-1193) that signs whatever it is asked: each request recorded. */
function fakeWallet(receipts: Record<string, string> = {}) {
  const sent: unknown[] = []
  const request = vi.fn(async ({ method, params }: { method: string; params?: unknown[] }) => {
    if (method === 'eth_requestAccounts') return [FAN_WALLET.toLowerCase()]
    if (method === 'eth_sendTransaction') {
      sent.push(params?.[0])
      return sent.length === 1 ? APPROVE_TX : MINT_TX
    }
    if (method === 'eth_getTransactionReceipt') return { status: receipts[params?.[0] as string] ?? '0x1' }
    throw new Error(`unexpected ${method}`)
  })
  vi.stubGlobal('ethereum', { request })
  return sent
}

describe('an edition', () => {
  it('shows its supply, prices, sale window and holders, and buys two with the connected wallet', async () => {
    let polls = 0
    const calls = stubFetch({
      ...editionRoutes(),
      'POST /v1/editions/1/purchase/prepare': () => json(prepared),
      [`GET /v1/me/edition-purchases/${MINT_TX}`]: () => json(++polls === 1
        ? { status: 'mint-pending', message: 'not mirrored yet', tx_hash: MINT_TX, mints: [] }
        : { status: 'minted', message: `2 token(s) of edition 1 in ${FAN_WALLET}`, tx_hash: MINT_TX,
            mints: [{ edition_id: 1, wallet: FAN_WALLET, quantity: 2, paid: '10000000', block_number: 1211 }] }),
    })
    const sent = fakeWallet()
    await signIn('fan@example.org', 'correct horse 42!')
    renderApp('/shop/editions/1')
    expect(await screen.findByRole('heading', { level: 1, name: 'Edition 1' })).toBeInTheDocument()
    expect(screen.getByText('97 of 100 left')).toBeInTheDocument()
    expect(screen.getByText('5.00 in the payout token')).toBeInTheDocument()
    expect(screen.getByText('5.00 USD')).toBeInTheDocument()
    expect(screen.getByText('open since creation, until 1 Jan 2027, 00:00 UTC')).toBeInTheDocument()
    expect(await screen.findByText('2 holders')).toBeInTheDocument()
    await expectAccessible()

    const user = userEvent.setup()
    await user.clear(screen.getByRole('spinbutton', { name: 'Quantity' }))
    await user.type(screen.getByRole('spinbutton', { name: 'Quantity' }), '2')
    await user.click(screen.getByRole('button', { name: 'Buy with my wallet' }))
    expect(await screen.findByText(/^Mint pending/)).toHaveAttribute('role', 'status')
    expect(calls.find((c) => c.path === '/v1/editions/1/purchase/prepare')?.body).toEqual({ wallet: FAN_WALLET, quantity: 2 })
    expect(sent).toEqual([
      { from: FAN_WALLET, to: PAYOUT_TOKEN, data: '0x095ea7b3', value: '0x0' },
      { from: FAN_WALLET, to: EDITIONS_CONTRACT, data: '0x1b2ef1ca', value: '0x10' },
    ])
    expect(await screen.findByText(`Minted: 2 token(s) of edition 1 in ${FAN_WALLET}`, {}, { timeout: 5000 }))
      .toBeInTheDocument()
    expect(screen.getByText(FAN_WALLET)).toBeInTheDocument()
    await expectAccessible()
  }, SLOW)

  it('does not send the mint when the approve reverted', async () => {
    stubFetch({ ...editionRoutes(), 'POST /v1/editions/1/purchase/prepare': () => json(prepared) })
    const sent = fakeWallet({ [APPROVE_TX]: '0x0' })
    await signIn('fan@example.org', 'correct horse 42!')
    renderApp('/shop/editions/1')
    const user = userEvent.setup()
    await user.click(await screen.findByRole('button', { name: 'Buy with my wallet' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('The transaction “approve” reverted: nothing was minted.')
    expect(sent).toHaveLength(1)
  })

  it('shows the API’s refusal of a purchase (a wallet not linked to the account)', async () => {
    stubFetch({
      ...editionRoutes(),
      'POST /v1/editions/1/purchase/prepare': () => problem(403, 'wallet-not-yours', 'Wallet not yours',
        { detail: 'link the wallet to your account first', field: 'wallet' }),
    })
    const sent = fakeWallet()
    await signIn('fan@example.org', 'correct horse 42!')
    renderApp('/shop/editions/1')
    const user = userEvent.setup()
    await user.click(await screen.findByRole('button', { name: 'Buy with my wallet' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('link the wallet to your account first')
    expect(sent).toEqual([])
  })

  it('buys by card: the checkout URL is where the page goes, and the order can be followed', async () => {
    const went: string[] = []
    leaveWith((url) => went.push(url))
    const calls = stubFetch({
      ...editionRoutes(),
      'POST /v1/editions/1/checkout': () => json({ checkout_url: 'https://checkout.stripe.com/c/pay/cs_1', order: { id: ORDER_ID, state: 'payment-pending' } }, 201),
    })
    await signIn('fan@example.org', 'correct horse 42!')
    renderApp('/shop/editions/1')
    const user = userEvent.setup()
    await user.click(await screen.findByRole('button', { name: 'Buy by card' }))
    expect(await screen.findByRole('link', { name: 'Follow the order' })).toHaveAttribute('href', `/orders/${ORDER_ID}`)
    expect(went).toEqual(['https://checkout.stripe.com/c/pay/cs_1'])
    expect(calls.find((c) => c.path === '/v1/editions/1/checkout')?.body).toEqual({ quantity: 1 })
    expect(screen.getByRole('button', { name: 'Buy by card' })).toBeDisabled()
  })

  it('cannot be bought once sold out, and has no card button without a card price', async () => {
    stubFetch(editionRoutes({ supply_left: 0, sold_out: true, on_sale: false, fiat_price: null }))
    renderApp('/shop/editions/1')
    expect(await screen.findByText('This edition cannot be bought now.')).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Buy with my wallet' })).toBeDisabled()
    expect(screen.queryByRole('button', { name: 'Buy by card' })).not.toBeInTheDocument()
  })
})
