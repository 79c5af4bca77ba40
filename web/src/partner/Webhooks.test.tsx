import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'

import { signIn } from '../api/session'
import { expectAccessible, SLOW } from '../test/axe'
import { json, problem, stubFetch, tokenPair, USER } from '../test/http'
import { renderApp } from '../test/render'

const ENDPOINT = { id: 'c89efdaa-54c0-420c-badf-612882df0950', url: 'https://partner.example/hooks',
                   events: ['asset.registered', 'payout.published'], created_at: '2026-11-25T10:05:00Z' }
const DELIVERY = {
  id: 'ad7c5bef-0278-46a8-80da-1736444fb58a', event_id: 'evt_6f1c2a9d', event_type: 'payout.published',
  status: 'succeeded', attempts: 2, next_attempt_at: null, last_status_code: 200, created_at: '2026-12-01T00:05:00Z',
  delivered_at: '2026-12-01T00:05:31Z',
  log: [
    { attempt: 1, attempted_at: '2026-12-01T00:05:00Z', succeeded: false, status_code: 503, error: null,
      response_excerpt: 'upstream unavailable', duration_ms: 212 },
    { attempt: 2, attempted_at: '2026-12-01T00:05:31Z', succeeded: true, status_code: 200, error: null,
      response_excerpt: 'ok', duration_ms: 48 },
  ],
}
const PENDING = { ...DELIVERY, id: 'bd7c5bef-0278-46a8-80da-1736444fb58b', event_id: 'evt_77', event_type: 'asset.registered',
                  status: 'pending', attempts: 1, last_status_code: null, delivered_at: null,
                  next_attempt_at: '2026-12-01T00:06:00Z',
                  log: [{ attempt: 1, attempted_at: '2026-12-01T00:05:00Z', succeeded: false, status_code: null,
                          error: 'connection refused', response_excerpt: '', duration_ms: 3 }] }

async function open(routes: Parameters<typeof stubFetch>[0]) {
  const calls = stubFetch({
    'POST /v1/auth/login': () => json(tokenPair('p', 'r', 900, { ...USER, roles: ['partner'] })),
    ...routes,
  })
  await signIn('label@example.org', 'correct horse 42!')
  return calls
}

describe('a partner’s webhooks', () => {
  it('registers an endpoint (the secret shown once), shows its delivery log, and deletes it', async () => {
    let endpoints: (typeof ENDPOINT)[] = []
    const calls = await open({
      'GET /v1/partner/webhooks': () => json(endpoints),
      'POST /v1/partner/webhooks': () => {
        endpoints = [ENDPOINT]
        return json({ ...ENDPOINT, secret: 'whsec_83411389eb2056a7' }, 201)
      },
      [`GET /v1/partner/webhooks/${ENDPOINT.id}/deliveries`]: () => json([PENDING, DELIVERY]),
      [`DELETE /v1/partner/webhooks/${ENDPOINT.id}`]: () => {
        endpoints = []
        return new Response(null, { status: 204 })
      },
    })
    renderApp('/partner/webhooks')
    const user = userEvent.setup()
    expect(await screen.findByText('No endpoint yet.')).toBeInTheDocument()
    expect(screen.getByRole('link', { name: 'Webhooks' })).toHaveAttribute('href', '/partner/webhooks')

    await user.type(screen.getByLabelText('Endpoint URL'), ENDPOINT.url)
    await user.click(screen.getByRole('checkbox', { name: 'payout.published' }))
    await user.click(screen.getByRole('button', { name: 'Register endpoint' }))
    expect(await screen.findByText('whsec_83411389eb2056a7')).toBeInTheDocument()
    expect(calls.find((c) => c.method === 'POST' && c.path === '/v1/partner/webhooks')!.body)
      .toEqual({ url: ENDPOINT.url, events: ['asset.registered', 'payout.published'] })

    await user.click(await screen.findByRole('link', { name: `Show deliveries to ${ENDPOINT.url}` }))
    const log = await screen.findByRole('table', { name: 'Newest deliveries' })
    const delivered = within(log).getByRole('row', { name: /payout\.published/ })
    expect(delivered).toHaveTextContent('Delivered (HTTP 200)')
    expect(delivered).toHaveTextContent('2 attempts')
    expect(delivered).toHaveTextContent('HTTP 503 · 212 ms')
    expect(delivered).toHaveTextContent('upstream unavailable')
    const pending = within(log).getByRole('row', { name: /asset\.registered/ })
    expect(pending).toHaveTextContent('Pending')
    expect(pending).toHaveTextContent('connection refused')
    expect(pending).toHaveTextContent('next try')
    await expectAccessible()

    await user.click(screen.getByRole('button', { name: `Delete ${ENDPOINT.url}` }))
    expect(await screen.findByText('No endpoint yet.')).toBeInTheDocument()
    expect(screen.queryByRole('table', { name: 'Newest deliveries' })).not.toBeInTheDocument()
  }, SLOW)

  it('names the field the API refused', async () => {
    const calls = await open({
      'GET /v1/partner/webhooks': () => json([]),
      'POST /v1/partner/webhooks': () => problem(422, 'validation-failed', 'Validation failed', {
        errors: [{ field: 'url', in: 'body', message: 'the URL must be https and reach a public address' }] }),
    })
    renderApp('/partner/webhooks')
    const user = userEvent.setup()
    await user.type(await screen.findByLabelText('Endpoint URL'), 'http://10.0.0.1/hook')
    await user.click(screen.getByRole('button', { name: 'Register endpoint' }))
    const url = screen.getByLabelText('Endpoint URL')
    await waitFor(() => expect(url).toHaveAttribute('aria-invalid', 'true'))
    expect(url).toHaveAccessibleDescription('the URL must be https and reach a public address')
    expect(calls.filter((c) => c.path === '/v1/partner/webhooks' && c.method === 'POST')).toHaveLength(1)
  })
})
