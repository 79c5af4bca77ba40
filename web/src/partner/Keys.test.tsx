import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'

import { signIn } from '../api/session'
import { json, stubFetch, tokenPair, USER } from '../test/http'
import { renderApp } from '../test/render'

const KEY = { id: '044852b2-a670-4de5-807e-78fb2863c51d', name: 'catalog sync', prefix: 'hk_live_Ex4mpleK',
              scopes: ['assets:read'], created_at: '2026-11-25T10:00:00Z', last_used_at: null, revoked_at: null }

describe('a partner’s API keys', () => {
  it('issues a key shown once, lists it, and revokes it', async () => {
    let keys: (typeof KEY)[] = []
    const calls = stubFetch({
      'POST /v1/auth/login': () => json(tokenPair('p', 'r', 900, { ...USER, roles: ['partner'] })),
      'GET /v1/partner/keys': () => json(keys),
      'POST /v1/partner/keys': () => {
        keys = [KEY]
        return json({ ...KEY, key: 'hk_live_Ex4mpleK3yN0tRealQ2x9vT7mL1pZ8cW3nB6dF0g' }, 201)
      },
      [`DELETE /v1/partner/keys/${KEY.id}`]: () => {
        keys = [{ ...KEY, revoked_at: '2026-11-26T10:00:00Z' as unknown as null }]
        return new Response(null, { status: 204 })
      },
    })
    await signIn('label@example.org', 'correct horse 42!')
    renderApp('/partner/keys')
    const user = userEvent.setup()
    expect(await screen.findByText('No key yet.')).toBeInTheDocument()
    await user.type(screen.getByLabelText('Name'), 'catalog sync')
    await user.click(screen.getByRole('button', { name: 'Issue key' }))
    expect(await screen.findByRole('status')).toHaveTextContent('hk_live_Ex4mpleK3yN0tRealQ2x9vT7mL1pZ8cW3nB6dF0g')
    expect(calls.find((c) => c.method === 'POST' && c.path === '/v1/partner/keys')?.body).toEqual(
      { name: 'catalog sync', scopes: ['assets:read'] })
    const row = await screen.findByRole('row', { name: /catalog sync hk_live_Ex4mpleK…/ })
    await user.click(within(row).getByRole('button', { name: 'Revoke catalog sync' }))
    expect(await within(row).findByText('revoked')).toBeInTheDocument()
  })
})
