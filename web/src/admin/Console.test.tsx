import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'

import { signIn } from '../api/session'
import { expectAccessible, SLOW } from '../test/axe'
import { json, problem, stubFetch, tokenPair, USER, type Handler } from '../test/http'
import { renderApp } from '../test/render'

const ADMIN_LOGIN = { 'POST /v1/auth/login': () => json(tokenPair('a', 'r', 900, { ...USER, roles: ['admin'] })) }
const POST_ID = '1c9e7a20-5b3f-4d8e-a6c1-2f0e9d8b7a65'
const report = (id: string, changes: Record<string, unknown> = {}) => ({
  id, subject_type: 'post', subject_id: POST_ID, reason: 'spam links', status: 'open', action: null,
  created_at: '2026-12-03T08:00:00Z', resolved_at: null, ...changes,
})
const EVENT = { id: 'evt_1OqL2bK8zW1xYv4N7hJk3mPq', type: 'invoice.paid', created: 1772366407, attempts: 8,
                last_error: 'subscription sub_1 not found', received_at: '2026-12-03T08:00:00Z', dead_at: '2026-12-03T10:00:00Z' }
const TARGET = { id: '5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a', email: 'band@example.org', email_verified: null,
                 roles: ['fan'], created_at: '2026-11-25T10:00:00Z' }

async function asAdmin(path: string, routes: Record<string, Handler>) {
  const calls = stubFetch({ ...ADMIN_LOGIN, ...routes })
  await signIn('boss@example.org', 'correct horse 42!')
  return { calls, ...renderApp(path) }
}

describe('the admin console', () => {
  it('works through the moderation queue: hide a post, and see the actioned reports', async () => {
    let open = [report('r1'), report('r2', { subject_type: 'comment', subject_id: '77', reason: 'abuse' })]
    const { calls } = await asAdmin('/admin/moderation', {
      'GET /v1/admin/reports': (_r, url) => json(url.searchParams.get('status') === 'actioned'
        ? [report('r1', { status: 'actioned', action: 'hide', resolved_at: '2026-12-04T09:00:00Z' })] : open),
      'POST /v1/admin/reports/r1/actions': () => {
        open = open.slice(1)
        return json(report('r1', { status: 'actioned', action: 'hide' }))
      },
    })
    const row = await screen.findByRole('row', { name: new RegExp(`post ${POST_ID}`) })
    expect(row).toHaveTextContent('spam links')
    expect(within(row).getByRole('button', { name: `Suspend author: post ${POST_ID}` })).toBeInTheDocument()
    await expectAccessible()
    const user = userEvent.setup()
    await user.click(within(row).getByRole('button', { name: `Hide: post ${POST_ID}` }))
    expect(await screen.findByText(`Hide done on post ${POST_ID}.`)).toBeInTheDocument()
    await screen.findByRole('row', { name: /comment 77/ })
    expect(screen.queryByRole('row', { name: new RegExp(`post ${POST_ID}`) })).not.toBeInTheDocument()
    expect(calls.find((c) => c.path === '/v1/admin/reports/r1/actions')?.body).toEqual({ action: 'hide' })
    expect(new URL(calls.find((c) => c.path === '/v1/admin/reports')!.request.url).searchParams.get('status')).toBe('open')

    await user.click(screen.getByRole('link', { name: 'Actioned' }))
    const done = await screen.findByRole('row', { name: new RegExp(`post ${POST_ID}`) })
    expect(done).toHaveTextContent('Hide')
    expect(within(done).queryByRole('button')).not.toBeInTheDocument()
  }, SLOW)

  it('shows a refused moderation action', async () => {
    await asAdmin('/admin/moderation', {
      'GET /v1/admin/reports': () => json([report('r1')]),
      'POST /v1/admin/reports/r1/actions': () => problem(404, 'report-not-found', 'Report not found',
        { detail: 'no report r1' }),
    })
    const user = userEvent.setup()
    await user.click(await screen.findByRole('button', { name: `Delete: post ${POST_ID}` }))
    expect(await screen.findByRole('alert')).toHaveTextContent('no report r1')
  })

  it('lists dead-lettered payment events and gives one a fresh round of attempts', async () => {
    let dead = [EVENT]
    const { calls } = await asAdmin('/admin/payments', {
      'GET /v1/admin/payments/dead-letters': () => json(dead),
      [`POST /v1/admin/payments/dead-letters/${EVENT.id}/retry`]: () => {
        dead = []
        return json({ ...EVENT, attempts: 0, dead_at: null })
      },
    })
    const row = await screen.findByRole('row', { name: new RegExp(EVENT.id) })
    expect(row).toHaveTextContent('invoice.paid')
    expect(row).toHaveTextContent('subscription sub_1 not found')
    await expectAccessible()
    const user = userEvent.setup()
    await user.click(within(row).getByRole('button', { name: `Retry ${EVENT.id}` }))
    expect(await screen.findByText('No dead-lettered event.')).toBeInTheDocument()
    expect(screen.getByRole('status')).toHaveTextContent(`${EVENT.id} is queued again.`)
    expect(calls.filter((c) => c.method === 'POST' && c.path.endsWith('/retry'))).toHaveLength(1)
  }, SLOW)

  it('grants and revokes a role by account id, and shows a refusal on the field', async () => {
    const { calls } = await asAdmin('/admin/users', {
      [`POST /v1/auth/users/${TARGET.id}/roles`]: () => json({ ...TARGET, roles: ['fan', 'artist'] }),
      [`DELETE /v1/auth/users/${TARGET.id}/roles/fan`]: () => json({ ...TARGET, roles: ['artist'] }),
      'POST /v1/auth/users/nobody/roles': () => problem(422, 'validation-failed', 'Invalid request',
        { errors: [{ field: 'user_id', in: 'path', message: 'not a valid UUID' }] }),
    })
    const user = userEvent.setup()
    await user.type(await screen.findByLabelText('Account id'), TARGET.id)
    await user.selectOptions(screen.getByLabelText('Role'), 'artist')
    await user.click(screen.getByRole('button', { name: 'Grant role' }))
    expect(await screen.findByRole('status')).toHaveTextContent('band@example.org now has: fan, artist.')
    expect(calls.find((c) => c.method === 'POST' && c.path.endsWith('/roles'))?.body).toEqual({ role: 'artist' })
    await user.selectOptions(screen.getByLabelText('Role'), 'fan')
    await user.click(screen.getByRole('button', { name: 'Revoke role' }))
    expect(await screen.findByText('band@example.org now has: artist.')).toBeInTheDocument()
    await expectAccessible()
    await user.clear(screen.getByLabelText('Account id'))
    await user.type(screen.getByLabelText('Account id'), 'nobody')
    await user.click(screen.getByRole('button', { name: 'Grant role' }))
    expect(await screen.findByText('not a valid UUID')).toBeInTheDocument()
    expect(screen.getByLabelText('Account id')).toHaveAttribute('aria-invalid', 'true')
  }, SLOW)

  it.each(['/admin/moderation', '/admin/payments', '/admin/users'])('%s is for admins only', async (path) => {
    stubFetch({ 'POST /v1/auth/login': () => json(tokenPair()) })
    await signIn('ada@example.org', 'correct horse 42!')
    renderApp(path)
    expect(await screen.findByRole('alert')).toHaveTextContent('Only admins use the admin console.')
  })
})
