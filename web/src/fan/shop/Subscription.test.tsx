import { screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'

import { leaveWith } from '../../api/payments'
import { signIn } from '../../api/session'
import { expectAccessible, SLOW } from '../../test/axe'
import { json, problem, stubFetch, tokenPair, USER } from '../../test/http'
import { renderApp } from '../../test/render'

const LOGIN = { 'POST /v1/auth/login': () => json(tokenPair('a', 'r', 900, { ...USER, roles: ['fan'] })) }
const PLANS = [{ plan: 'month:USD', interval: 'month', currency: 'USD', amount: 999 },
               { plan: 'year:USD', interval: 'year', currency: 'USD', amount: 9999 }]

const subscription = (changes: Record<string, unknown> = {}) => ({
  status: 'active', streaming: true, interval: 'month', currency: 'USD', amount: 999, cancel_at_period_end: false,
  current_period_start: '2026-12-01T00:00:00Z', current_period_end: '2027-01-01T00:00:00Z',
  message: 'Your subscription is active.', ...changes,
})

async function open(routes: Parameters<typeof stubFetch>[0]) {
  const calls = stubFetch({ ...LOGIN, 'GET /v1/subscription-plans': () => json(PLANS), ...routes })
  await signIn('fan@example.org', 'correct horse 42!')
  renderApp('/account/subscription')
  return calls
}

describe('a fan’s subscription', () => {
  it('offers the plans to an account without one, and subscribing goes to the checkout', async () => {
    const went: string[] = []
    leaveWith((url) => went.push(url))
    const calls = await open({
      'GET /v1/me/subscription': () => problem(404, 'subscription-not-found', 'No subscription'),
      'POST /v1/me/subscription': () => json({ checkout_url: 'https://checkout.stripe.com/c/pay/cs_sub',
                                               checkout_session_id: 'cs_sub', plan: PLANS[1] }, 201),
    })
    expect(await screen.findByText(/You have no subscription/)).toBeInTheDocument()
    const yearly = await screen.findByRole('button', { name: 'Subscribe: 99.99 USD per year' })
    await expectAccessible()
    const user = userEvent.setup()
    await user.click(yearly)
    expect(await screen.findByText('Taking you to the checkout…')).toBeInTheDocument()
    expect(went).toEqual(['https://checkout.stripe.com/c/pay/cs_sub'])
    expect(calls.find((c) => c.method === 'POST' && c.path === '/v1/me/subscription')?.body)
      .toEqual({ interval: 'year', currency: 'USD' })
    expect(screen.getByRole('button', { name: 'Subscribe: 9.99 USD per month' })).toBeDisabled()
  }, SLOW)

  it('cancels at period end, resumes, switches plan and opens the billing portal, showing what the API answered', async () => {
    const went: string[] = []
    leaveWith((url) => went.push(url))
    const calls = await open({
      'GET /v1/me/subscription': () => json(subscription()),
      'POST /v1/me/subscription/cancel': () => json(subscription({ cancel_at_period_end: true,
        message: 'Your subscription is active. It ends at the end of the period.' })),
      'POST /v1/me/subscription/resume': () => json(subscription()),
      'POST /v1/me/subscription/plan': () => json(subscription({ interval: 'year', amount: 9999 })),
      'POST /v1/me/subscription/portal': () => json({ url: 'https://billing.stripe.com/p/session/ps_1' }),
    })
    expect(await screen.findByText('Your subscription is active.')).toBeInTheDocument()
    expect(screen.getByText('9.99 USD per month')).toBeInTheDocument()
    await expectAccessible()
    const user = userEvent.setup()
    await user.click(screen.getByRole('button', { name: 'Cancel at period end' }))
    expect(await screen.findByText('Ends at the period end')).toBeInTheDocument()
    expect(screen.getByText(/It ends at the end of the period/)).toBeInTheDocument()
    await user.click(screen.getByRole('button', { name: 'Resume subscription' }))
    expect(await screen.findByRole('button', { name: 'Cancel at period end' })).toBeInTheDocument()
    expect(screen.getByText('Renews')).toBeInTheDocument()
    await user.click(screen.getByRole('button', { name: 'Switch to yearly' }))
    expect(await screen.findByText('99.99 USD per year')).toBeInTheDocument()
    expect(calls.find((c) => c.path === '/v1/me/subscription/plan')?.body).toEqual({ interval: 'year' })
    expect(screen.getByRole('button', { name: 'Switch to monthly' })).toBeInTheDocument()
    await user.click(screen.getByRole('button', { name: 'Manage card and billing' }))
    await screen.findByRole('button', { name: 'Manage card and billing' })
    expect(went).toEqual(['https://billing.stripe.com/p/session/ps_1'])
  }, SLOW)

  it.each([
    ['past_due', 'Your last payment failed', 'we retry it; update your card in the billing portal'],
    ['unpaid', 'Your subscription is unpaid', 'full tracks are paused until you pay'],
  ])('warns of a %s subscription first, with the billing portal at hand', async (status, title, message) => {
    await open({ 'GET /v1/me/subscription': () => json(subscription({ status, streaming: status === 'past_due',
                                                                       message: `Payments: ${message}.` })) })
    const alert = await screen.findByRole('alert')
    expect(alert).toHaveTextContent(title)
    expect(alert).toHaveTextContent(message)
    expect(screen.getByRole('button', { name: 'Manage card and billing' })).toBeEnabled()
    await expectAccessible()
  }, SLOW)

  it('shows a refused change and keeps the subscription as it was', async () => {
    await open({
      'GET /v1/me/subscription': () => json(subscription()),
      'POST /v1/me/subscription/plan': () => problem(409, 'subscription-ended', 'Subscription ended',
        { detail: 'the subscription has ended: subscribe again' }),
    })
    const user = userEvent.setup()
    await user.click(await screen.findByRole('button', { name: 'Switch to yearly' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('the subscription has ended: subscribe again')
    expect(screen.getByText('9.99 USD per month')).toBeInTheDocument()
  })
})
