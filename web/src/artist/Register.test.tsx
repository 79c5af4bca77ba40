import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'

import { signIn } from '../api/session'
import { json, problem, stubFetch, tokenPair, type Handler } from '../test/http'
import { renderApp } from '../test/render'
import { iswcCheckDigit, iswcProblem } from './identifiers'

const WALLET = '0x90F79bf6EB2c4f870365E785982E1f101E93b906'
const CO_WRITER = '0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65'

async function openRegister(routes: Record<string, Handler> = {}) {
  const calls = stubFetch({
    'POST /v1/auth/login': () => json(tokenPair()),
    'GET /v1/me/wallets': () => json([{ address: WALLET, kind: 'custodial', created_at: '2026-11-25T10:00:00Z' }]),
    ...routes,
  })
  await signIn('ada@example.org', 'correct horse 42!')
  renderApp('/artist/register')
  const split = await screen.findByRole('group', { name: 'Split' })
  return { calls, split, user: userEvent.setup() }
}

describe('the split editor', () => {
  it('shows the total live and says when the shares add up to 100%', async () => {
    const { split, user } = await openRegister()
    const total = within(split).getByRole('status')
    expect(total).toHaveTextContent('Total: 100% The shares add up to 100%.')
    expect(screen.getByLabelText('Wallet address of payee 1')).toHaveValue(WALLET)

    const first = screen.getByLabelText('Share of payee 1 (%)')
    await user.clear(first)
    await user.type(first, '66.6667')
    expect(total).toHaveTextContent('Total: 66.6667% 33.3333% left to assign.')

    await user.click(screen.getByRole('button', { name: 'Add a payee' }))
    await user.selectOptions(screen.getByLabelText('Payee 2 is given by'), 'E-mail')
    await user.type(screen.getByLabelText('E-mail of payee 2'), 'lee@example')
    expect(screen.getByLabelText('E-mail of payee 2')).toHaveAccessibleDescription('This is not an e-mail address.')
    await user.type(screen.getByLabelText('E-mail of payee 2'), '.org')
    expect(screen.getByLabelText('E-mail of payee 2')).not.toHaveAccessibleDescription()

    await user.type(screen.getByLabelText('Share of payee 2 (%)'), '40')
    expect(total).toHaveTextContent('Total: 106.6667% 6.6667% too much.')
    await user.clear(screen.getByLabelText('Share of payee 2 (%)'))
    await user.type(screen.getByLabelText('Share of payee 2 (%)'), '33.33333')
    expect(screen.getByLabelText('Share of payee 2 (%)')).toHaveAccessibleDescription(
      'A share is a number of percent above 0, with at most 4 decimals.')
    await user.type(screen.getByLabelText('Share of payee 2 (%)'), '{Backspace}')
    expect(total).toHaveTextContent('Total: 100% The shares add up to 100%.')

    await user.click(screen.getByRole('button', { name: 'Remove payee 2' }))
    expect(total).toHaveTextContent('Total: 66.6667%')
  })

  it('checks the ISWC as it is typed, check digit included', async () => {
    expect(iswcCheckDigit('034524680')).toBe(1)
    expect(iswcProblem('T-034.524.680-1')).toBeNull()
    const { user } = await openRegister()
    const iswc = screen.getByLabelText('ISWC')
    await user.type(iswc, 'T-034.524.680-2')
    expect(iswc).toHaveAccessibleDescription(/The check digit is wrong: expected 1\./)
    await user.type(iswc, '{Backspace}1')
    expect(iswc).toHaveAccessibleDescription('T followed by 10 digits, separators allowed: T-034.524.680-1')
  })

  it('refuses to send a split that does not add up to 100%', async () => {
    const { calls, user } = await openRegister()
    await user.type(screen.getByLabelText('Title'), 'Blue Hour')
    await user.type(screen.getByLabelText('ISWC'), 'T-034.524.680-1')
    await user.clear(screen.getByLabelText('Share of payee 1 (%)'))
    await user.type(screen.getByLabelText('Share of payee 1 (%)'), '70')
    await user.click(screen.getByRole('button', { name: 'Register' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('Some fields need attention.')
    expect(calls.some((c) => c.path === '/v1/works')).toBe(false)
  })

  it('puts the fields a 422 names on their inputs, then follows the registration to its asset', async () => {
    let attempts = 0
    const { calls, user } = await openRegister({
      'POST /v1/works': () => (++attempts === 1
        ? problem(422, 'split-invalid', 'Invalid split', {
          detail: 'split[1].email resolves to an address the split already names', field: 'split[1].email' })
        : json({ id: '5f0c7a52-8f5e-4bbf-9a8d-3c8a0f3e9d11', kind: 'register_work', status: 'pending' }, 202)),
      'GET /v1/operations/5f0c7a52-8f5e-4bbf-9a8d-3c8a0f3e9d11': () => json({
        id: '5f0c7a52-8f5e-4bbf-9a8d-3c8a0f3e9d11', kind: 'register_work', status: 'confirmed', asset_id: 7 }),
    })
    await user.type(screen.getByLabelText('Title'), 'Blue Hour')
    await user.type(screen.getByLabelText('ISWC'), 'T0345246801')
    await user.clear(screen.getByLabelText('Share of payee 1 (%)'))
    await user.type(screen.getByLabelText('Share of payee 1 (%)'), '70')
    await user.click(screen.getByRole('button', { name: 'Add a payee' }))
    await user.selectOptions(screen.getByLabelText('Payee 2 is given by'), 'E-mail')
    await user.type(screen.getByLabelText('E-mail of payee 2'), 'ada@example.org')
    await user.type(screen.getByLabelText('Share of payee 2 (%)'), '30')
    await user.click(screen.getByRole('button', { name: 'Register' }))

    const email = screen.getByLabelText('E-mail of payee 2')
    await waitFor(() => expect(email).toHaveAccessibleDescription(
      'split[1].email resolves to an address the split already names'))
    expect(email).toHaveAttribute('aria-invalid', 'true')
    const sent = calls.find((c) => c.path === '/v1/works')!
    expect(sent.body).toEqual({ title: 'Blue Hour', iswc: 'T0345246801', split: [
      { address: WALLET, share_percent: '70' }, { email: 'ada@example.org', share_percent: '30' }] })
    const key = sent.request.headers.get('Idempotency-Key')
    expect(key).toMatch(/^[0-9a-f-]{36}$/)

    // editing the field clears the API's complaint about it
    await user.selectOptions(screen.getByLabelText('Payee 2 is given by'), 'Wallet address')
    await user.type(screen.getByLabelText('Wallet address of payee 2'), CO_WRITER)
    expect(screen.getByLabelText('Wallet address of payee 2')).not.toHaveAccessibleDescription()
    await user.click(screen.getByRole('button', { name: 'Register' }))

    expect(await screen.findByRole('link', { name: 'View asset 7' })).toHaveAttribute('href', '/catalog/7')
    const resent = calls.filter((c) => c.path === '/v1/works')
    expect(resent).toHaveLength(2)
    expect(resent[1]!.request.headers.get('Idempotency-Key')).toBe(key) // the same form, the same key
  })
})
