import { afterEach, describe, expect, it, vi } from 'vitest'

import { json, stubFetch } from '../../test/http'
import { chooseSource, dbToGain, Player } from './Player'

const STREAMS = {
  opus_160: 'http://localhost:3000/v1/streams/7/opus_160?sig=o',
  aac_256: 'http://localhost:3000/v1/streams/7/aac_256?sig=a',
  mp3_320: 'http://localhost:3000/v1/streams/7/mp3_320?sig=m',
  preview: 'http://localhost:3000/v1/streams/7/preview',
}

const session = (assetId: number, extra: Record<string, unknown> = {}) => ({
  session_id: '8a1f5c2e-6b0d-4c1e-9d4a-2f7e3b5c9a10', token: `pbs_${assetId}`, expires_at: '2026-12-03T14:00:00Z',
  counts_after_ms: 30000, duration_ms: 215000, loudness_gain_db: -6,
  streams: Object.fromEntries(Object.entries(STREAMS).map(([k, v]) => [k, v.replace('/7/', `/${assetId}/`)])),
  ...extra,
})

/** The browser's codec support, as canPlayType answers it. */
function supports(...types: string[]) {
  vi.spyOn(HTMLMediaElement.prototype, 'canPlayType').mockImplementation((type) => (types.includes(type) ? 'probably' : ''))
}

function stubApi() {
  return stubFetch({
    'POST /v1/playback-sessions': async (request) => {
      const { asset_id } = (await request.json()) as { asset_id: number }
      return json(session(asset_id), 201)
    },
    'POST /v1/plays': () => json({ play_id: 1, counted: true, flags: [] }, 201),
  })
}

/** The audio advancing: currentTime moves in 1 s steps, with the timeupdate a browser fires. */
function advance(audio: HTMLAudioElement, seconds: number) {
  for (let i = 0; i < seconds; i++) {
    audio.currentTime += 1
    audio.dispatchEvent(new Event('timeupdate'))
  }
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0))

afterEach(() => vi.restoreAllMocks())

describe('the player', () => {
  it('chooses Opus when the browser plays it, else AAC, else MP3', () => {
    const audio = document.createElement('audio')
    supports('audio/ogg; codecs=opus', 'audio/mpeg')
    expect(chooseSource(audio, STREAMS)?.key).toBe('opus_160')
    vi.restoreAllMocks()
    supports('audio/mp4; codecs="mp4a.40.2"', 'audio/mpeg')
    expect(chooseSource(audio, STREAMS)?.key).toBe('aac_256')
    vi.restoreAllMocks()
    supports('audio/mpeg')
    expect(chooseSource(audio, STREAMS)?.key).toBe('mp3_320')
    expect(chooseSource(audio, { preview: STREAMS.preview })).toBeNull()
  })

  it('plays the chosen rendition, with the loudness gain folded into the volume without Web Audio', async () => {
    stubApi()
    supports('audio/mp4; codecs="mp4a.40.2"')
    const player = new Player({ audioContext: null, mediaSession: null })
    await player.playQueue([{ assetId: 7, title: 'Blue Hour' }])
    expect(player.audio.src).toBe('http://localhost:3000/v1/streams/7/aac_256?sig=a')
    expect(player.getState()).toMatchObject({ status: 'playing', rendition: 'aac_256', duration: 215 })
    expect(player.audio.volume).toBeCloseTo(dbToGain(-6))
    player.setVolume(0.5)
    expect(player.audio.volume).toBeCloseTo(0.5 * dbToGain(-6))
    player.pause()
    expect(player.getState().status).toBe('paused')
  })

  it('applies the gain through a GainNode when Web Audio is there, capped volume untouched', async () => {
    stubApi()
    supports('audio/ogg; codecs=opus')
    const gain = { gain: { value: 1 }, connect: vi.fn() }
    const context = {
      createMediaElementSource: vi.fn(() => ({ connect: vi.fn(() => gain) })),
      createGain: vi.fn(() => gain),
      destination: {},
      resume: vi.fn(async () => undefined),
    }
    const player = new Player({ audioContext: () => context as unknown as AudioContext, mediaSession: null })
    await player.playQueue([{ assetId: 7, title: 'Blue Hour' }])
    expect(context.createMediaElementSource).toHaveBeenCalledWith(player.audio)
    expect(gain.gain.value).toBeCloseTo(dbToGain(-6))
    expect(player.audio.volume).toBe(1)
  })

  it('reports the play once, when the played time passes counts_after_ms, seeks excluded', async () => {
    const calls = stubApi()
    supports('audio/ogg; codecs=opus')
    const player = new Player({ audioContext: null, mediaSession: null })
    await player.playQueue([{ assetId: 7, title: 'Blue Hour' }])
    advance(player.audio, 20)
    player.seek(120) // jumping ahead is not listening
    player.audio.dispatchEvent(new Event('seeked'))
    advance(player.audio, 9)
    expect(calls.filter((c) => c.path === '/v1/plays')).toHaveLength(0)
    advance(player.audio, 2)
    await flush()
    const plays = calls.filter((c) => c.path === '/v1/plays')
    expect(plays).toHaveLength(1)
    expect(plays[0]!.body).toEqual({ token: 'pbs_7', played_ms: 30000 })

    advance(player.audio, 30)
    player.stop()
    await flush()
    expect(calls.filter((c) => c.path === '/v1/plays')).toHaveLength(1) // once per session
  })

  it('reports a shorter play when the listener stops', async () => {
    const calls = stubApi()
    supports('audio/ogg; codecs=opus')
    const player = new Player({ audioContext: null, mediaSession: null })
    await player.playQueue([{ assetId: 7, title: 'Blue Hour' }])
    advance(player.audio, 12)
    player.stop()
    await flush()
    expect(calls.filter((c) => c.path === '/v1/plays').map((c) => c.body)).toEqual([{ token: 'pbs_7', played_ms: 12000 }])
  })

  it('goes to the next and previous tracks of the queue, each with its own session', async () => {
    const calls = stubApi()
    supports('audio/mpeg')
    const player = new Player({ audioContext: null, mediaSession: null })
    await player.playQueue([{ assetId: 7, title: 'Blue Hour' }, { assetId: 8, title: 'Night Bus' }])
    advance(player.audio, 5)
    await player.next()
    expect(player.getState().index).toBe(1)
    expect(player.audio.src).toContain('/v1/streams/8/mp3_320')
    await player.next() // the end of the queue: stays
    expect(player.getState().index).toBe(1)
    await player.previous()
    expect(player.getState().index).toBe(0)
    expect(player.audio.src).toContain('/v1/streams/7/mp3_320')
    await flush()
    expect(calls.filter((c) => c.path === '/v1/playback-sessions').map((c) => c.body))
      .toEqual([{ asset_id: 7 }, { asset_id: 8 }, { asset_id: 7 }])
    // leaving track 7 after 5 s reported those 5 s
    expect(calls.filter((c) => c.path === '/v1/plays').map((c) => c.body)).toEqual([{ token: 'pbs_7', played_ms: 5000 }])
  })

  it('plays the next track when one ends', async () => {
    stubApi()
    supports('audio/mpeg')
    const player = new Player({ audioContext: null, mediaSession: null })
    await player.playQueue([{ assetId: 7, title: 'Blue Hour' }, { assetId: 8, title: 'Night Bus' }])
    player.audio.dispatchEvent(new Event('ended'))
    await flush()
    await flush()
    expect(player.getState()).toMatchObject({ index: 1, status: 'playing' })
  })

  it('sets the Media Session metadata and answers its actions', async () => {
    stubApi()
    supports('audio/mpeg')
    const handlers = new Map<string, MediaSessionActionHandler>()
    const mediaSession = {
      metadata: null as unknown, playbackState: 'none',
      setActionHandler: (action: string, handler: MediaSessionActionHandler) => handlers.set(action, handler),
    }
    vi.stubGlobal('MediaMetadata', class { constructor(readonly init: MediaMetadataInit) {} })
    const player = new Player({ audioContext: null, mediaSession: mediaSession as unknown as MediaSession })
    await player.playQueue([{ assetId: 7, title: 'Blue Hour' }, { assetId: 8, title: 'Night Bus' }])
    expect((mediaSession.metadata as { init: MediaMetadataInit }).init.title).toBe('Blue Hour')
    expect(mediaSession.playbackState).toBe('playing')
    handlers.get('pause')!({ action: 'pause' })
    expect(player.getState().status).toBe('paused')
    handlers.get('seekforward')!({ action: 'seekforward' })
    expect(player.audio.currentTime).toBe(5)
    handlers.get('nexttrack')!({ action: 'nexttrack' })
    await flush()
    await flush()
    expect(player.getState().index).toBe(1)
    expect((mediaSession.metadata as { init: MediaMetadataInit }).init.title).toBe('Night Bus')
  })
})
