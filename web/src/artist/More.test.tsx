import { screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'

import { signIn } from '../api/session'
import { json, problem, stubFetch, tokenPair } from '../test/http'
import { renderApp } from '../test/render'

const WALLET = '0x90F79bf6EB2c4f870365E785982E1f101E93b906'

describe('registering a recording', () => {
  it('hashes the master in the browser and checks the ISRC as typed', async () => {
    const calls = stubFetch({
      'POST /v1/auth/login': () => json(tokenPair()),
      'GET /v1/me/wallets': () => json([{ address: WALLET, kind: 'custodial', created_at: '2026-11-25T10:00:00Z' }]),
      'POST /v1/recordings': () => json({ id: '00000000-0000-4000-8000-000000000002', kind: 'register_recording',
                                          status: 'pending' }, 202),
      'GET /v1/operations/00000000-0000-4000-8000-000000000002': () => json({
        id: '00000000-0000-4000-8000-000000000002', kind: 'register_recording', status: 'submitted' }),
    })
    await signIn('ada@example.org', 'correct horse 42!')
    renderApp('/artist/register?kind=recording')
    const user = userEvent.setup()
    const isrc = await screen.findByLabelText('ISRC')
    await user.type(isrc, 'US-HRM-26-0001')
    expect(isrc).toHaveAccessibleDescription(/An ISRC is 2 letters/)
    await user.type(isrc, '1')
    expect(isrc).not.toHaveAttribute('aria-invalid', 'true')

    const audio = new Uint8Array([82, 73, 70, 70, 1, 2, 3, 4])
    await user.upload(screen.getByLabelText('Master audio file'), new File([audio], 'master.wav', { type: 'audio/wav' }))
    const expected = `0x${createHash('sha256').update(audio).digest('hex')}`
    expect(await screen.findByDisplayValue(expected)).toHaveAccessibleName('Master audio SHA-256')

    await user.type(screen.getByLabelText('Title'), 'Blue Hour')
    await user.type(screen.getByLabelText('Works it embodies (asset ids, comma-separated)'), '1, 3')
    await user.click(screen.getByRole('button', { name: 'Register' }))
    expect(await screen.findByText('Sent to the chain')).toHaveAttribute('role', 'status')
    expect(calls.find((c) => c.path === '/v1/recordings')!.body).toEqual({
      title: 'Blue Hour', isrc: 'US-HRM-26-00011', content_hash: expected, work_ids: [1, 3],
      split: [{ address: WALLET, share_percent: '100' }] })
  })
})

describe('accepting a payee invitation', () => {
  it('sends the pasted token in the body and says what a refusal means', async () => {
    let attempts = 0
    const calls = stubFetch({
      'POST /v1/auth/login': () => json(tokenPair()),
      'POST /v1/invitations/accept': () => (++attempts === 1
        ? problem(410, 'invitation-expired', 'Invitation expired')
        : json({ email: 'lee@example.org', accepted_at: '2026-12-01T00:00:00Z',
                 wallet: { address: WALLET, kind: 'custodial', created_at: '2026-11-24T09:00:00Z' } })),
    })
    await signIn('lee@example.org', 'correct horse 42!')
    renderApp('/invitations/accept')
    const user = userEvent.setup()
    await user.type(await screen.findByLabelText('Invitation token'), 'pX2v9Qd0b5mJ3kq8')
    await user.click(screen.getByRole('button', { name: 'Accept' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('This token has expired; a fresh one has been e-mailed')
    await user.clear(screen.getByLabelText('Invitation token'))
    await user.type(screen.getByLabelText('Invitation token'), 'fresh-token-123')
    await user.click(screen.getByRole('button', { name: 'Accept' }))
    expect(await screen.findByRole('status')).toHaveTextContent(`Accepted: the wallet ${WALLET} is now yours.`)
    const sent = calls.filter((c) => c.path === '/v1/invitations/accept')
    expect(sent.map((c) => c.body)).toEqual([{ token: 'pX2v9Qd0b5mJ3kq8' }, { token: 'fresh-token-123' }])
    expect(sent.every((c) => !c.request.url.includes('token'))).toBe(true) // never in the URL
  })
})
