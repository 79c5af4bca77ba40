import { screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { verifyMessage } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it, vi } from 'vitest'

import { api } from '../api/client'
import { unwrap } from '../api/errors'
import { REFRESH_KEY, restoreSession, signIn } from '../api/session'
import { json, problem, stubFetch, tokenPair, USER } from '../test/http'
import { renderApp } from '../test/render'

const EARNINGS = { token: '0x5FbDB2315678afecb367f032d93F642f64180aa3', accounts: [], periods: [] }

describe('sign-in', () => {
  it('signs in, goes where it was asked, and sends the access token from memory', async () => {
    const calls = stubFetch({
      'POST /v1/auth/login': () => json(tokenPair('access-1', 'refresh-1')),
      'GET /v1/me/earnings': () => json(EARNINGS),
      'GET /v1/me/claims': () => json({ distributor: '0x0', claimable: [], history: [] }),
    })
    const user = userEvent.setup()
    renderApp('/artist/earnings')
    // a signed-out visitor is sent to sign in, and back afterwards
    await user.type(await screen.findByLabelText('E-mail'), 'ada@example.org')
    await user.type(screen.getByLabelText('Password'), 'correct horse 42!')
    await user.click(screen.getByRole('button', { name: 'Sign in' }))

    expect(await screen.findByRole('heading', { name: 'Earnings' })).toBeInTheDocument()
    expect(screen.getByText('Signed in as ada@example.org')).toBeInTheDocument()
    expect(calls.find((c) => c.path === '/v1/auth/login')?.body).toEqual(
      { email: 'ada@example.org', password: 'correct horse 42!' })
    const earnings = calls.find((c) => c.path === '/v1/me/earnings')!
    expect(earnings.request.headers.get('Authorization')).toBe('Bearer access-1')
    expect(sessionStorage.getItem(REFRESH_KEY)).toBe('refresh-1')
    expect(Object.keys(localStorage)).toEqual([]) // no token in localStorage
    expect(JSON.stringify(sessionStorage)).not.toContain('access-1') // the access token only in memory
  })

  it('says so when the e-mail or password is wrong, and shows field errors of a 422', async () => {
    let attempt = 0
    stubFetch({
      'POST /v1/auth/login': () => (++attempt === 1
        ? problem(401, 'invalid-credentials', 'Invalid credentials', { detail: 'wrong email or password' })
        : problem(422, 'validation-failed', 'Validation failed', {
          detail: 'invalid email', field: 'email',
          errors: [{ field: 'email', in: 'body', message: 'value is not a valid email address' }] })),
    })
    const user = userEvent.setup()
    renderApp('/sign-in')
    await user.type(await screen.findByLabelText('E-mail'), 'ada@example.org')
    await user.type(screen.getByLabelText('Password'), 'not it at all')
    await user.click(screen.getByRole('button', { name: 'Sign in' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('E-mail or password is wrong.')

    await user.click(screen.getByRole('button', { name: 'Sign in' }))
    await waitFor(() => expect(screen.getByLabelText('E-mail')).toHaveAccessibleDescription(
      'value is not a valid email address'))
    expect(screen.getByLabelText('E-mail')).toHaveAttribute('aria-invalid', 'true')
  })

  it('refreshes a stale access token once for concurrent requests, rotating the refresh token', async () => {
    let refreshes = 0
    const calls = stubFetch({
      'POST /v1/auth/login': () => json(tokenPair('stale', 'refresh-1', 10)), // within the early-refresh margin
      'POST /v1/auth/refresh': async (request) => {
        refreshes += 1
        const { refresh_token } = await request.json() as { refresh_token: string }
        return refresh_token === 'refresh-1' ? json(tokenPair('fresh', 'refresh-2'))
          : problem(401, 'refresh-token-reused', 'Refresh token reused')
      },
      'GET /v1/me/wallets': () => json([]),
      'GET /v1/me/earnings': () => json(EARNINGS),
    })
    await signIn('ada@example.org', 'correct horse 42!')
    await Promise.all([unwrap(api.GET('/v1/me/wallets')), unwrap(api.GET('/v1/me/earnings'))])
    expect(refreshes).toBe(1)
    const sent = calls.filter((c) => c.path.startsWith('/v1/me/')).map((c) => c.request.headers.get('Authorization'))
    expect(sent).toEqual(['Bearer fresh', 'Bearer fresh'])
    expect(sessionStorage.getItem(REFRESH_KEY)).toBe('refresh-2')
  })

  it('ends the session when the API says the refresh token was reused', async () => {
    sessionStorage.setItem(REFRESH_KEY, 'stolen')
    stubFetch({ 'POST /v1/auth/refresh': () => problem(401, 'refresh-token-reused', 'Refresh token reused') })
    await restoreSession()
    renderApp('/sign-in')
    expect(await screen.findByText(/used elsewhere and has been closed/)).toHaveAttribute('role', 'status')
    expect(sessionStorage.getItem(REFRESH_KEY)).toBeNull()
  })

  it('signs in with a browser wallet: SIWE message from the nonce, signed with personal_sign', async () => {
    // anvil's first public development key: a well-known test account, not a secret
    const account = privateKeyToAccount('0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80')
    const requests: string[] = []
    vi.stubGlobal('ethereum', {
      async request({ method, params }: { method: string; params?: unknown[] }) {
        requests.push(method)
        if (method === 'eth_requestAccounts') return [account.address.toLowerCase()]
        if (method === 'personal_sign') return account.signMessage({ message: { raw: params![0] as `0x${string}` } })
        throw Object.assign(new Error('unsupported'), { code: 4200 })
      },
    })
    let verified: { message: string; signature: string; purpose: string } | undefined
    stubFetch({
      'POST /v1/auth/siwe/nonce': () => json({ nonce: 'k3v9Qm2xT7', expires_at: '2030-01-01T00:10:00Z',
        domain: '127.0.0.1:8000', uri: 'http://127.0.0.1:8000', chain_id: 31337, version: '1' }, 201),
      'POST /v1/auth/siwe/verify': async (request) => {
        verified = await request.json() as typeof verified
        return json(tokenPair('wallet-access', 'wallet-refresh', 900, { ...USER, email: null, roles: ['fan'] }))
      },
      'GET /v1/assets': () => json({ block: { number: 1, hash: '0x' }, data: [], next_cursor: null }),
    })
    renderApp('/sign-in')
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Sign in with a browser wallet' }))
    expect(await screen.findByRole('heading', { name: 'Catalog' })).toBeInTheDocument()

    expect(requests).toEqual(['eth_requestAccounts', 'personal_sign'])
    const lines = verified!.message.split('\n')
    expect(lines.slice(0, 9)).toEqual([
      '127.0.0.1:8000 wants you to sign in with your Ethereum account:', account.address, '', 'Sign in to HARMONI',
      '', 'URI: http://127.0.0.1:8000', 'Version: 1', 'Chain ID: 31337', 'Nonce: k3v9Qm2xT7'])
    expect(lines[9]).toMatch(/^Issued At: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
    expect(lines[10]).toBe('Expiration Time: 2030-01-01T00:10:00Z')
    expect(verified!.purpose).toBe('login')
    await expect(verifyMessage({ address: account.address, message: verified!.message,
                                 signature: verified!.signature as `0x${string}` })).resolves.toBe(true)
    expect(sessionStorage.getItem(REFRESH_KEY)).toBe('wallet-refresh')
  })
})
