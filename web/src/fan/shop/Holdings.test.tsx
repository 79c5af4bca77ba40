import { screen, within } from '@testing-library/react'
import { describe, expect, it } from 'vitest'

import { signIn } from '../../api/session'
import { expectAccessible, SLOW } from '../../test/axe'
import { json, stubFetch, tokenPair, USER } from '../../test/http'
import { renderApp } from '../../test/render'
import { BLOCK, edition, FAN_WALLET } from './fixtures'

const LOGIN = { 'POST /v1/auth/login': () => json(tokenPair('a', 'r', 900, { ...USER, roles: ['fan'] })) }

const invoice = (changes: Record<string, unknown> = {}) => ({
  id: '6b1e2f4a-0c3d-4e5f-8a7b-9c0d1e2f3a4b', number: 'HRM-000042', currency: 'EUR', total: 1199, tax: 200,
  tax_rate_bps: 2000, net: 999, refunded: 0, status: 'paid', buyer_country: 'FR',
  evidence: { billing: 'FR', card: 'FR', ip: 'FR' }, service_start: '2026-11-01T00:00:00Z',
  service_end: '2026-12-01T00:00:00Z', paid_at: '2026-11-01T09:30:00Z', ...changes,
})

describe('a fan’s collection and receipts', () => {
  it('lists the edition tokens in the fan’s wallets, linked to each edition', async () => {
    stubFetch({ ...LOGIN, 'GET /v1/me/collection': () => json({ block: BLOCK, data: [
      { wallet: FAN_WALLET, balance: 2, edition: edition(1) }, { wallet: FAN_WALLET, balance: 1, edition: edition(4) }] }) })
    await signIn('fan@example.org', 'correct horse 42!')
    renderApp('/account/collection')
    const rows = await screen.findAllByRole('row')
    expect(rows).toHaveLength(3)
    expect(within(rows[1]!).getByRole('link', { name: 'Edition 1' })).toHaveAttribute('href', '/shop/editions/1')
    expect(rows[1]).toHaveTextContent('0x15d34A…2C6A65')
    expect(rows[2]).toHaveTextContent('Edition 4')
    await expectAccessible()
  }, SLOW)

  it('offers the shop while the collection is empty', async () => {
    stubFetch({ ...LOGIN, 'GET /v1/me/collection': () => json({ block: BLOCK, data: [] }) })
    await signIn('fan@example.org', 'correct horse 42!')
    renderApp('/account/collection')
    expect(await screen.findByText(/No edition token in your wallets yet/)).toBeInTheDocument()
    expect(screen.getByRole('link', { name: 'Visit the shop' })).toHaveAttribute('href', '/shop')
  })

  it('shows receipts with total, tax and refunds in the currency’s own units', async () => {
    stubFetch({ ...LOGIN, 'GET /v1/me/invoices': () => json([
      invoice({ refunded: 500, status: 'partially_refunded' }),
      invoice({ id: 'b', number: 'HRM-000041', currency: 'JPY', total: 1200, tax: 109, tax_rate_bps: 1000, refunded: 0 }),
    ]) })
    await signIn('fan@example.org', 'correct horse 42!')
    renderApp('/account/receipts')
    const first = await screen.findByRole('row', { name: /HRM-000042/ })
    expect(first).toHaveTextContent('11.99 EUR')
    expect(first).toHaveTextContent('2.00 EUR (20.00%)')
    expect(first).toHaveTextContent('5.00 EUR')
    expect(first).toHaveTextContent('partly refunded')
    expect(first).toHaveTextContent('1 Nov 2026 – 1 Dec 2026')
    expect(screen.getByRole('row', { name: /HRM-000041/ })).toHaveTextContent('1,200 JPY')
    await expectAccessible()
  }, SLOW)
})
