import { screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'

import { signIn } from '../../api/session'
import { expectAccessible, SLOW } from '../../test/axe'
import { json, stubFetch, tokenPair, USER } from '../../test/http'
import { renderApp } from '../../test/render'
import { FAN_WALLET, MINT_TX } from './fixtures'

const ORDER_ID = '3f2c9a1e-7b4d-4e8a-9c61-5d0f2b7a8e13'
const order = (state: string, minted = false) => ({
  id: ORDER_ID, onchain_order_id: `0x${'0'.repeat(32)}${ORDER_ID.replaceAll('-', '')}`, edition_id: 1, quantity: 1,
  state, message: `The server's sentence for ${state}.`, wallet: FAN_WALLET, wallet_kind: 'custodial',
  currency: 'USD', amount: 500, tax: 0, tx_hash: minted ? MINT_TX : null, created_at: '2026-03-01T12:00:00Z',
  paid_at: null, minted_at: null,
})

describe('an order paid by card', () => {
  it('is followed from payment-pending to minted, and then shows where the token is', async () => {
    const answers = [order('payment-pending'), order('mint-pending'), order('minted', true)]
    stubFetch({
      'POST /v1/auth/login': () => json(tokenPair('a', 'r', 900, { ...USER, roles: ['fan'] })),
      [`GET /v1/me/orders/${ORDER_ID}`]: () => json(answers.length > 1 ? answers.shift() : answers[0]),
    })
    await signIn('fan@example.org', 'correct horse 42!')
    renderApp(`/orders/${ORDER_ID}`)
    expect(await screen.findByText(/^Payment pending/)).toHaveAttribute('role', 'status')
    await expectAccessible()
    expect(await screen.findByText(/^Minted: the token is in the wallet below/, {}, { timeout: 8000 }))
      .toBeInTheDocument()
    expect(screen.getByText(MINT_TX)).toBeInTheDocument()
    expect(screen.getByText(FAN_WALLET)).toBeInTheDocument()
    expect(screen.getByRole('link', { name: 'Edition 1' })).toHaveAttribute('href', '/shop/editions/1')
  }, SLOW)

  it('says plainly when the edition sold out before the payment and the money went back', async () => {
    stubFetch({
      'POST /v1/auth/login': () => json(tokenPair('a', 'r', 900, { ...USER, roles: ['fan'] })),
      [`GET /v1/me/orders/${ORDER_ID}`]: () => json(order('sold-out-refunded')),
    })
    await signIn('fan@example.org', 'correct horse 42!')
    renderApp(`/orders/${ORDER_ID}`)
    expect(await screen.findByRole('alert')).toHaveTextContent('the payment was refunded in full')
    expect(screen.queryByText(MINT_TX)).not.toBeInTheDocument()
  })

  it('needs a signed-in account', async () => {
    stubFetch({})
    const { router } = renderApp(`/orders/${ORDER_ID}`)
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument()
    expect(router.state.location.search).toBe(`?next=%2Forders%2F${ORDER_ID}`)
  })
})
