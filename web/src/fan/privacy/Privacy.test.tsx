import { screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'

import { getSession, signIn } from '../../api/session'
import { expectAccessible, SLOW } from '../../test/axe'
import { json, problem, stubFetch, tokenPair, USER } from '../../test/http'
import { renderApp } from '../../test/render'

const LOGIN = { 'POST /v1/auth/login': () => json(tokenPair('a', 'r', 900, { ...USER, roles: ['fan'] })) }
const EXPORT_ID = '8a4e1c7d-3b92-4f06-a5d8-1e7c9b2f4a60'
const DOWNLOAD = `http://localhost:3000/v1/exports/${EXPORT_ID}/download?token=sig`
const exported = (status: string) => ({
  id: EXPORT_ID, status, created_at: '2026-12-04T09:12:00Z', ready_at: status === 'ready' ? '2026-12-04T09:13:41Z' : null,
  expires_at: status === 'ready' ? '2026-12-11T09:13:41Z' : null, size_bytes: status === 'ready' ? 482133 : null,
  download_url: status === 'ready' ? DOWNLOAD : null,
})

describe('privacy', () => {
  it('exports the account’s data and offers the zip once the job has built it', async () => {
    let polls = 0
    stubFetch({
      ...LOGIN,
      'POST /v1/me/export': () => json(exported('pending'), 202),
      [`GET /v1/me/exports/${EXPORT_ID}`]: () => json(exported(++polls < 2 ? 'pending' : 'ready')),
    })
    await signIn('ada@example.org', 'correct horse 42!')
    renderApp('/account/privacy')
    const user = userEvent.setup()
    await user.click(await screen.findByRole('button', { name: 'Export my data' }))
    expect(await screen.findByText('Preparing your export…')).toBeInTheDocument()
    expect(screen.getByRole('button', { name: 'Export my data' })).toBeDisabled()
    const link = await screen.findByRole('link', { name: 'Download my data (471 KB)' }, { timeout: 8000 })
    expect(link).toHaveAttribute('href', DOWNLOAD)
    expect(link).toHaveAttribute('download')
    expect(screen.getByText(/The link works until 11 Dec 2026, 09:13 UTC/)).toBeInTheDocument()
    await expectAccessible()
  }, SLOW)

  it('deletes the account only after the e-mail is typed, then signs out', async () => {
    const calls = stubFetch({
      ...LOGIN,
      'DELETE /v1/me': () => json({ erased: true, tables: { wallets: 'delete', invoices: 'keep' } }),
      'POST /v1/auth/logout': () => new Response(null, { status: 204 }),
    })
    await signIn('ada@example.org', 'correct horse 42!')
    const { router } = renderApp('/account/privacy')
    const user = userEvent.setup()
    await user.click(await screen.findByRole('button', { name: 'Delete my account…' }))
    const confirm = screen.getByRole('button', { name: 'Delete my account for good' })
    expect(confirm).toBeDisabled()
    await expectAccessible()
    await user.type(screen.getByLabelText('Type ada@example.org to confirm'), 'ada@example.org')
    await user.click(confirm)
    expect(await screen.findByRole('heading', { level: 1, name: 'HARMONI' })).toBeInTheDocument()
    expect(router.state.location.pathname).toBe('/')
    expect(getSession().status).toBe('signed-out')
    expect(calls.find((c) => c.method === 'DELETE')?.body).toEqual({ confirm: USER.id })
  }, SLOW)

  it('shows why erasure is refused and keeps the account signed in', async () => {
    stubFetch({
      ...LOGIN,
      'DELETE /v1/me': () => problem(409, 'erasure-refused', 'Account cannot be erased yet',
        { detail: 'an unclaimed payout of 12.00 USD is waiting: claim it first' }),
    })
    await signIn('ada@example.org', 'correct horse 42!')
    renderApp('/account/privacy')
    const user = userEvent.setup()
    await user.click(await screen.findByRole('button', { name: 'Delete my account…' }))
    await user.type(screen.getByLabelText('Type ada@example.org to confirm'), 'ada@example.org')
    await user.click(screen.getByRole('button', { name: 'Delete my account for good' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('an unclaimed payout of 12.00 USD is waiting')
    expect(getSession().status).toBe('signed-in')
    await user.click(screen.getByRole('button', { name: 'Keep my account' }))
    expect(screen.getByRole('button', { name: 'Delete my account…' })).toBeInTheDocument()
  })
})
