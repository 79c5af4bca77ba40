import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'

import { signIn } from '../api/session'
import { json, problem, stubFetch, tokenPair, USER } from '../test/http'
import { renderApp } from '../test/render'

const period = (status: string) => ({ period_id: 1, starts_at: '2026-11-01T00:00:00Z',
                                      ends_at: '2026-12-01T00:00:00Z', status, statement: null })

describe('the admin’s periods', () => {
  it('opens the first period with its start and end read as UTC', async () => {
    const calls = stubFetch({
      'POST /v1/auth/login': () => json(tokenPair('a', 'r', 900, { ...USER, roles: ['admin'] })),
      'GET /v1/periods': () => json([]),
      'POST /v1/periods': () => json(period('open'), 201),
    })
    await signIn('boss@example.org', 'correct horse 42!')
    renderApp('/admin/periods')
    const user = userEvent.setup()
    expect(await screen.findByText('No period yet: open the first one.')).toBeInTheDocument()
    await user.type(screen.getByLabelText('Starts at (UTC; only the first period)'), '2026-11-01T00:00')
    await user.type(screen.getByLabelText('Ends at (UTC)'), '2026-12-01T00:00')
    await user.click(screen.getByRole('button', { name: 'Open period' }))
    await screen.findByRole('button', { name: 'Open period' })
    expect(calls.find((c) => c.method === 'POST' && c.path === '/v1/periods')?.body).toEqual(
      { starts_at: '2026-11-01T00:00:00.000Z', ends_at: '2026-12-01T00:00:00.000Z' })
  })

  it('records revenue, shows a refused close, then follows the close and the publish to their end', async () => {
    let status = 'open'
    let closes = 0
    const calls = stubFetch({
      'POST /v1/auth/login': () => json(tokenPair('a', 'r', 900, { ...USER, roles: ['admin'] })),
      'GET /v1/periods': () => json([period(status)]),
      'GET /v1/periods/1': () => json(period(status)),
      'POST /v1/periods/1/revenue': () => json({ id: 'x', period_id: 1, source: 'subscriptions', asset_id: null,
                                                 amount: '10000', currency: 'USD', reference: 'subs-2026-11' }, 201),
      'POST /v1/periods/1/close': () => {
        if (++closes === 1) return problem(409, 'period-not-over', 'Period not over',
          { detail: 'period 1 ends at 2026-12-01 00:00 UTC; close it after 00:01' })
        status = 'closed'
        return json({ ...period('closing'), job: { action: 'close', until: 'closed', url: '/v1/periods/1' } }, 202)
      },
      'POST /v1/periods/1/publish': () => {
        status = 'published'
        return json({ ...period('closed'), job: { action: 'publish', until: 'published', url: '/v1/periods/1' } }, 202)
      },
    })
    await signIn('boss@example.org', 'correct horse 42!')
    renderApp('/admin/periods')
    const user = userEvent.setup()
    const card = await screen.findByRole('article', { name: 'Period 1' })
    await user.type(within(card).getByLabelText('Amount (cents)'), '10000')
    await user.type(within(card).getByLabelText(/^Reference/), 'subs-2026-11')
    await user.click(within(card).getByRole('button', { name: 'Record revenue' }))
    expect(await within(card).findByText('Recorded 100.00 USD.')).toBeInTheDocument()
    expect(calls.find((c) => c.path === '/v1/periods/1/revenue')?.body).toEqual(
      { source: 'subscriptions', amount: 10000, currency: 'USD', reference: 'subs-2026-11' })

    await user.click(within(card).getByRole('button', { name: 'Close period 1' }))
    expect(await within(card).findByRole('alert')).toHaveTextContent('period 1 ends at 2026-12-01 00:00 UTC')
    await user.click(within(card).getByRole('button', { name: 'Close period 1' }))
    await user.click(await within(card).findByRole('button', { name: 'Publish period 1' }, { timeout: 3000 }))
    expect(await within(card).findByText('Period 1: published', {}, { timeout: 3000 })).toBeInTheDocument()
  })

  it('is for admins only', async () => {
    stubFetch({ 'POST /v1/auth/login': () => json(tokenPair()) })
    await signIn('ada@example.org', 'correct horse 42!')
    renderApp('/admin/periods')
    expect(await screen.findByRole('alert')).toHaveTextContent('Only admins run royalty periods.')
  })
})
