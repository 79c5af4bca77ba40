import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'

import { signIn } from '../api/session'
import { expectAccessible, SLOW } from '../test/axe'
import { json, stubFetch, tokenPair, type Handler } from '../test/http'
import { renderApp } from '../test/render'
import { getPlayer } from './player/store'

const CONTROLLER = '0x90F79bf6EB2c4f870365E785982E1f101E93b906'
const TX = `0x${'12'.repeat(32)}`

const asset = (kind: 'work' | 'recording') => ({
  block: { number: 120, hash: `0x${'34'.repeat(32)}` },
  data: {
    asset_id: 7, kind, title: 'Blue Hour', industry_code: kind === 'work' ? 'T0345246801' : 'USRC17607839',
    controller: CONTROLLER, pending_controller: null, metadata_uri: 'ipfs://bafy', content_hash: null, work_ids: [],
    split: { version: 1, recipients: [CONTROLLER], allocations: [1000000] }, split_locked: false, frozen: false,
    registered: { block_number: 100, tx_hash: TX, log_index: 0 },
  },
  split_history: [{ version: 1, recipients: [CONTROLLER], allocations: [1000000], block_number: 100, tx_hash: TX }],
  controller_history: [], freezes: [],
})

const SESSION = {
  session_id: '8a1f5c2e-6b0d-4c1e-9d4a-2f7e3b5c9a10', token: 'pbs_7', expires_at: new Date(Date.now() + 4 * 3600_000).toISOString(),
  counts_after_ms: 30000, duration_ms: 215000, loudness_gain_db: -3.2,
  streams: { opus_160: 'http://localhost:3000/v1/streams/7/opus_160?sig=o', mp3_320: 'http://localhost:3000/v1/streams/7/mp3_320?sig=m' },
}

async function openAsset(kind: 'work' | 'recording', routes: Record<string, Handler> = {}, signedIn = true) {
  const calls = stubFetch({
    'POST /v1/auth/login': () => json(tokenPair()),
    'GET /v1/assets/7': () => json(asset(kind)),
    'GET /v1/recordings/7/social': () => json({ asset_id: 7, artist_id: null, artist_handle: null,
                                               counts: { likes: 0, reposts: 0, comments: 0 }, viewer: null }),
    'GET /v1/recordings/7/comments': () => json({ items: [], next_cursor: null }),
    'GET /v1/recordings/7/related': () => json({ asset_id: 7, items: [] }),
    ...routes,
  })
  if (signedIn) await signIn('ada@example.org', 'correct horse 42!')
  renderApp('/catalog/7')
  await screen.findByRole('heading', { name: 'Blue Hour', level: 1 })
  return { calls, user: userEvent.setup() }
}

afterEach(() => vi.restoreAllMocks())

describe('the asset page’s Play button', () => {
  it('plays a recording in the player bar, which the keyboard drives', async () => {
    vi.spyOn(HTMLMediaElement.prototype, 'canPlayType').mockImplementation((type) =>
      (type === 'audio/mpeg' ? 'maybe' : ''))
    const { calls, user } = await openAsset('recording', { 'POST /v1/playback-sessions': () => json(SESSION, 201) })
    const main = screen.getByRole('main')
    await user.click(within(main).getByRole('button', { name: 'Play' }))
    expect(calls.find((c) => c.path === '/v1/playback-sessions')!.body).toEqual({ asset_id: 7 })

    const bar = await screen.findByRole('region', { name: 'Player' })
    expect(bar).toHaveTextContent('Blue Hour')
    expect(await within(bar).findByRole('button', { name: 'Pause' })).toBeInTheDocument()
    expect(within(main).getByRole('button', { name: 'Pause' })).toBeInTheDocument()
    expect(getPlayer().audio.src).toBe(SESSION.streams.mp3_320) // no Opus in this browser

    bar.focus()
    await user.keyboard(' ')
    expect(within(bar).getByRole('button', { name: 'Play' })).toBeInTheDocument()
    await user.keyboard('{ArrowRight}{ArrowRight}')
    expect(within(bar).getByRole('slider', { name: 'Position' })).toHaveValue('10')
    await user.keyboard('{ArrowLeft}')
    expect(within(bar).getByRole('slider', { name: 'Position' })).toHaveValue('5')
    await user.keyboard(' ')
    expect(within(bar).getByRole('button', { name: 'Pause' })).toBeInTheDocument()
    // volume by the arrows, announced as a percentage; M mutes and unmutes
    const volume = within(bar).getByRole('slider', { name: 'Volume' })
    await user.keyboard('{ArrowDown}{ArrowDown}')
    expect(volume).toHaveValue('0.9')
    expect(volume).toHaveAttribute('aria-valuetext', '90%')
    await user.keyboard('m')
    expect(within(bar).getByRole('button', { name: 'Mute' })).toHaveAttribute('aria-pressed', 'true')
    expect(volume).toHaveValue('0')
    await user.keyboard('m')
    expect(volume).toHaveValue('0.9')
    await expectAccessible()
  }, SLOW)

  it('says why a recording cannot be streamed', async () => {
    await openAsset('recording', {
      'POST /v1/playback-sessions': () => json({ ...SESSION, streams: {}, not_streamable: 'no-audio' }, 201),
    }).then(({ user }) => user.click(within(screen.getByRole('main')).getByRole('button', { name: 'Play' })))
    const main = screen.getByRole('main')
    expect(await within(main).findByText('This recording cannot be streamed: no-audio.')).toBeInTheDocument()
  })

  it('is not there for works', async () => {
    await openAsset('work')
    expect(screen.queryByRole('button', { name: 'Play' })).not.toBeInTheDocument()
  })

  it('is not offered to a visitor who is signed out', async () => {
    await openAsset('recording', {}, false)
    expect(screen.queryByRole('button', { name: 'Play' })).not.toBeInTheDocument()
    await waitFor(() => expect(screen.queryByRole('region', { name: 'Player' })).not.toBeInTheDocument())
  })
})
