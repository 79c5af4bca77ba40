import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'

import { signIn } from '../api/session'
import { expectAccessible, SLOW } from '../test/axe'
import { json, problem, stubFetch, tokenPair, type Handler } from '../test/http'
import { renderApp } from '../test/render'

const CONTROLLER = '0x90F79bf6EB2c4f870365E785982E1f101E93b906'
const NEXT = '0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65'
const TX = `0x${'12'.repeat(32)}`
const OP = '5f0c7a52-8f5e-4bbf-9a8d-3c8a0f3e9d11'

const asset = (kind: 'work' | 'recording', extra: Record<string, unknown> = {}) => ({
  block: { number: 120, hash: `0x${'34'.repeat(32)}` },
  data: {
    asset_id: 7, kind, title: 'Blue Hour', industry_code: 'USRC17607839', controller: CONTROLLER,
    pending_controller: null, metadata_uri: 'ipfs://bafy', content_hash: null, work_ids: [],
    split: { version: 1, recipients: [CONTROLLER], allocations: [1000000] }, split_locked: false, frozen: false,
    registered: { block_number: 100, tx_hash: TX, log_index: 0 }, ...extra,
  },
  split_history: [], controller_history: [], freezes: [],
})

const operation = (kind: string, status: string) => json({ id: OP, kind, status }, 202)

async function openManage(routes: Record<string, Handler>, path = '/artist/assets/7') {
  const calls = stubFetch({
    'POST /v1/auth/login': () => json(tokenPair()),
    'GET /v1/assets/7': () => json(asset('recording')),
    'GET /v1/assets/7/disputes': () => json({ data: [] }),
    'GET /v1/me/wallets': () => json([]),
    ...routes,
  })
  await signIn('ada@example.org', 'correct horse 42!')
  renderApp(path)
  await screen.findByRole('heading', { name: 'Manage Blue Hour', level: 1 })
  return { calls, user: userEvent.setup() }
}

describe('managing an asset', () => {
  it('is linked from the asset page for artists', async () => {
    stubFetch({ 'POST /v1/auth/login': () => json(tokenPair()), 'GET /v1/assets/7': () => json(asset('work')) })
    await signIn('ada@example.org', 'correct horse 42!')
    renderApp('/catalog/7')
    expect(await screen.findByRole('link', { name: 'Manage this asset' })).toHaveAttribute('href', '/artist/assets/7')
  })

  it('makes a recording exclusive to an edition and opens it again', async () => {
    let edition: number | null = null
    const { calls, user } = await openManage({
      'GET /v1/recordings/7/gate': () => json({ asset_id: 7, edition_id: edition }),
      'PUT /v1/recordings/7/gate': async (request) => {
        edition = ((await request.json()) as { edition_id: number }).edition_id
        return json({ asset_id: 7, edition_id: edition })
      },
      'DELETE /v1/recordings/7/gate': () => {
        edition = null
        return new Response(null, { status: 204 })
      },
    })
    const gate = screen.getByRole('region', { name: 'Exclusive streams' })
    expect(await within(gate).findByText('Open to every listener.')).toBeInTheDocument()
    await user.type(within(gate).getByLabelText('Edition id'), 'three')
    await user.click(within(gate).getByRole('button', { name: 'Make exclusive' }))
    expect(within(gate).getByLabelText('Edition id')).toHaveAttribute('aria-invalid', 'true')
    expect(calls.some((c) => c.method === 'PUT')).toBe(false) // refused before sending

    await user.clear(within(gate).getByLabelText('Edition id'))
    await user.type(within(gate).getByLabelText('Edition id'), '3')
    await user.click(within(gate).getByRole('button', { name: 'Make exclusive' }))
    expect(await within(gate).findByText('Exclusive to holders of edition 3.')).toBeInTheDocument()
    expect(calls.find((c) => c.method === 'PUT')!.body).toEqual({ edition_id: 3 })
    await expectAccessible()

    await user.click(within(gate).getByRole('button', { name: 'Open to everyone' }))
    expect(await within(gate).findByText('Open to every listener.')).toBeInTheDocument()
  }, SLOW)

  it('shows the API’s refusal of a gate (not the controller)', async () => {
    const { user } = await openManage({
      'GET /v1/recordings/7/gate': () => json({ asset_id: 7, edition_id: null }),
      'PUT /v1/recordings/7/gate': () => problem(403, 'recording-not-yours', 'Not your recording',
        { detail: 'only the recording’s controller can gate it' }),
    })
    const gate = screen.getByRole('region', { name: 'Exclusive streams' })
    await user.type(within(gate).getByLabelText('Edition id'), '3')
    await user.click(within(gate).getByRole('button', { name: 'Make exclusive' }))
    expect(await within(gate).findByRole('alert')).toHaveTextContent('only the recording’s controller can gate it')
  })

  it('locks the split only after the artist confirms, and follows the operation', async () => {
    const { calls, user } = await openManage({
      'GET /v1/recordings/7/gate': () => json({ asset_id: 7, edition_id: null }),
      'POST /v1/assets/7/split/lock': () => operation('lock_split', 'pending'),
      [`GET /v1/operations/${OP}`]: () => json({ id: OP, kind: 'lock_split', status: 'confirmed' }),
    })
    const lock = screen.getByRole('region', { name: 'Lock the split' })
    expect(within(lock).getByRole('button', { name: 'Lock split' })).toBeDisabled()
    await user.click(within(lock).getByRole('checkbox', { name: 'I understand the split can never be changed again' }))
    await user.click(within(lock).getByRole('button', { name: 'Lock split' }))
    expect(await within(lock).findByText('Lock the split: Confirmed')).toBeInTheDocument()
    const sent = calls.find((c) => c.path === '/v1/assets/7/split/lock')!
    expect(sent.request.headers.get('Idempotency-Key')).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('starts a control transfer, the address checked first, and shows one already pending', async () => {
    const { calls, user } = await openManage({
      'GET /v1/assets/7': () => json(asset('work', { pending_controller: NEXT })),
      'POST /v1/assets/7/controller': () => operation('transfer_controller', 'submitted'),
      [`GET /v1/operations/${OP}`]: () => json({ id: OP, kind: 'transfer_controller', status: 'submitted' }),
    })
    expect(screen.queryByRole('region', { name: 'Exclusive streams' })).not.toBeInTheDocument() // a work
    const transfer = screen.getByRole('region', { name: 'Hand over control' })
    expect(transfer).toHaveTextContent(`Waiting for ${NEXT} to accept.`)
    await user.type(within(transfer).getByLabelText('New controller (wallet address)'), '0x1234')
    await user.click(within(transfer).getByRole('button', { name: 'Start the transfer' }))
    expect(within(transfer).getByLabelText('New controller (wallet address)'))
      .toHaveAccessibleDescription('A wallet address is 0x followed by 40 hexadecimal digits.')
    await user.clear(within(transfer).getByLabelText('New controller (wallet address)'))
    await user.type(within(transfer).getByLabelText('New controller (wallet address)'), NEXT)
    await user.click(within(transfer).getByRole('button', { name: 'Start the transfer' }))
    expect(await within(transfer).findByText('Hand over control: Sent to the chain')).toBeInTheDocument()
    expect(calls.find((c) => c.path === '/v1/assets/7/controller')!.body).toEqual({ new_controller: NEXT })
  })

  it('opens a dispute, a bad evidence URI named by the API', async () => {
    let disputes: unknown[] = []
    const { calls, user } = await openManage({
      'GET /v1/recordings/7/gate': () => json({ asset_id: 7, edition_id: null }),
      'GET /v1/assets/7/disputes': () => json({ data: disputes }),
      'POST /v1/assets/7/disputes': async (request) => {
        const body = (await request.json()) as { reason: string; evidence_uri: string | null }
        if (body.evidence_uri && !body.evidence_uri.startsWith('ipfs://'))
          return problem(422, 'validation-failed', 'Validation failed', {
            errors: [{ field: 'evidence_uri', in: 'body', message: 'use an https, ipfs or ar URI' }] })
        disputes = [{ id: '3b9d2a4e-6f1c-4d8a-9e2b-7c5f0a1d4e6b', asset_id: 7, status: 'open', reason_hash: TX,
                      opened_at: '2026-11-25T10:04:00Z', resolved_at: null, ...body }]
        return json(disputes[0], 201)
      },
    })
    const section = screen.getByRole('region', { name: 'Disputes' })
    expect(await within(section).findByText('No dispute.')).toBeInTheDocument()
    await user.type(within(section).getByLabelText('What is wrong'), 'I co-wrote this song.')
    await user.type(within(section).getByLabelText('Evidence (https, ipfs or ar URI; optional)'), 'ftp://x')
    await user.click(within(section).getByRole('button', { name: 'Open a dispute' }))
    const evidence = within(section).getByLabelText('Evidence (https, ipfs or ar URI; optional)')
    await waitFor(() => expect(evidence).toHaveAccessibleDescription('use an https, ipfs or ar URI'))
    await user.clear(evidence)
    await user.type(evidence, 'ipfs://bafkrei')
    await user.click(within(section).getByRole('button', { name: 'Open a dispute' }))
    expect(await within(section).findByText('I co-wrote this song.', { selector: 'p' })).toBeInTheDocument()
    expect(section).toHaveTextContent('Open · Opened')
    expect(calls.filter((c) => c.path === '/v1/assets/7/disputes' && c.method === 'POST').at(-1)!.body)
      .toEqual({ reason: 'I co-wrote this song.', evidence_uri: 'ipfs://bafkrei' })
  })
})
