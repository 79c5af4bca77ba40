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
  session_id: '8a1f5c2e-6b0d-4c1e-9d4a-2f7e3b5c9a10', token: `pbs_${assetId}`, expires_at: new Date(Date.now() + 4 * 3600_000).toISOString(),
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

describe('the player: HLS, URL renewal, the next track fetched ahead', () => {
  const HLS = 'http://localhost:3000/v1/streams/9/hls?exp=9999999999&sig=h'

  function fakeHls(supported = true) {
    const made: { source?: string; media?: HTMLMediaElement; destroyed: boolean }[] = []
    class FakeHls {
      state: { source?: string; media?: HTMLMediaElement; destroyed: boolean } = { destroyed: false }
      static isSupported() { return supported }
      constructor() { made.push(this.state) }
      loadSource(url: string) { this.state.source = url }
      attachMedia(media: HTMLMediaElement) { this.state.media = media }
      destroy() { this.state.destroyed = true }
    }
    return { made, load: vi.fn(async () => FakeHls) }
  }

  it('plays HLS through hls.js, imported only where the browser has no native HLS', async () => {
    stubFetch({ 'POST /v1/playback-sessions': () => json(session(9, { streams: { hls: HLS } }), 201) })
    supports() // no direct file, no native HLS
    vi.stubGlobal('MediaSource', class {})
    const hls = fakeHls()
    const player = new Player({ audioContext: null, mediaSession: null, loadHls: hls.load })
    await player.playQueue([{ assetId: 9, title: 'Long Form' }])
    expect(hls.load).toHaveBeenCalledTimes(1)
    expect(hls.made).toHaveLength(1)
    expect(hls.made[0]).toMatchObject({ source: HLS, media: player.audio, destroyed: false })
    expect(player.getState()).toMatchObject({ rendition: 'hls', status: 'playing' })
    player.stop()
    expect(hls.made[0]!.destroyed).toBe(true)
  })

  it('uses native HLS, or a direct file, without loading hls.js', async () => {
    stubFetch({ 'POST /v1/playback-sessions': () => json(session(9, { streams: { hls: HLS } }), 201) })
    supports('application/vnd.apple.mpegurl')
    vi.stubGlobal('MediaSource', class {})
    const hls = fakeHls()
    const player = new Player({ audioContext: null, mediaSession: null, loadHls: hls.load })
    await player.playQueue([{ assetId: 9, title: 'Long Form' }])
    expect(player.audio.src).toBe(HLS)
    vi.restoreAllMocks()
    stubApi()
    supports('audio/mpeg')
    await player.playQueue([{ assetId: 7, title: 'Blue Hour' }])
    expect(player.getState().rendition).toBe('mp3_320')
    expect(hls.load).not.toHaveBeenCalled()
  })

  it('renews the signed URL a minute before it expires, at the same position, still reporting the first token', async () => {
    let now = 1_800_000_000_000
    let issued = 0
    const calls = stubFetch({
      'POST /v1/playback-sessions': () => {
        issued++
        const exp = Math.floor(now / 1000) + 900
        return json(session(7, { token: `pbs_${issued}`, counts_after_ms: 30000,
          streams: { mp3_320: `http://localhost:3000/v1/streams/7/mp3_320?exp=${exp}&sig=s${issued}` } }), 201)
      },
      'POST /v1/plays': () => json({ play_id: 1, counted: true, flags: [] }, 201),
    })
    supports('audio/mpeg')
    const player = new Player({ audioContext: null, mediaSession: null, now: () => now })
    await player.playQueue([{ assetId: 7, title: 'Blue Hour' }])
    expect(player.renewsAt).toBe(now + 840_000)
    advance(player.audio, 20)
    now += 840_000
    await player.renewStreams()
    expect(player.audio.src).toContain('sig=s2')
    expect(player.audio.currentTime).toBe(20)
    expect(player.getState().status).toBe('playing')
    expect(player.renewsAt).toBe(now + 840_000)
    advance(player.audio, 10) // the swap back to 20 s is not counted as play; these 10 s are
    await flush()
    expect(calls.filter((c) => c.path === '/v1/plays').map((c) => c.body)).toEqual([{ token: 'pbs_1', played_ms: 30000 }])
  })

  it('renews an expired URL before playing after a long pause, and after an error past its expiry', async () => {
    let now = 1_800_000_000_000
    let issued = 0
    const calls = stubFetch({
      'POST /v1/playback-sessions': () => {
        issued++
        return json(session(7, { streams: {
          mp3_320: `http://localhost:3000/v1/streams/7/mp3_320?exp=${Math.floor(now / 1000) + 900}&sig=s${issued}` } }), 201)
      },
    })
    supports('audio/mpeg')
    const player = new Player({ audioContext: null, mediaSession: null, now: () => now })
    await player.playQueue([{ assetId: 7, title: 'Blue Hour' }])
    player.pause()
    now += 3600_000
    await player.play()
    expect(player.audio.src).toContain('sig=s2')
    expect(player.getState().status).toBe('playing')
    now += 3600_000
    player.audio.dispatchEvent(new Event('error'))
    await flush()
    await flush()
    expect(player.audio.src).toContain('sig=s3')
    expect(player.getState().status).toBe('playing')
    expect(calls.filter((c) => c.path === '/v1/playback-sessions')).toHaveLength(3)
    player.audio.dispatchEvent(new Event('error')) // a fresh URL failing is a real error
    expect(player.getState().status).toBe('error')
  })

  it('fetches the next session near the end, so the next track starts on `ended` without a round-trip', async () => {
    const calls = stubApi()
    supports('audio/mpeg')
    const player = new Player({ audioContext: null, mediaSession: null })
    await player.playQueue([{ assetId: 7, title: 'Blue Hour' }, { assetId: 8, title: 'Night Bus' }])
    player.audio.currentTime = 190
    player.audio.dispatchEvent(new Event('timeupdate')) // 25 s left: not yet
    expect(calls.filter((c) => c.path === '/v1/playback-sessions')).toHaveLength(1)
    player.audio.currentTime = 200
    player.audio.dispatchEvent(new Event('timeupdate'))
    player.audio.dispatchEvent(new Event('timeupdate'))
    await flush()
    expect(calls.filter((c) => c.path === '/v1/playback-sessions').map((c) => c.body)).toEqual([{ asset_id: 7 }, { asset_id: 8 }])
    player.audio.dispatchEvent(new Event('ended'))
    await flush()
    await flush()
    expect(player.getState()).toMatchObject({ index: 1, status: 'playing' })
    expect(player.audio.src).toContain('/v1/streams/8/mp3_320')
    expect(calls.filter((c) => c.path === '/v1/playback-sessions')).toHaveLength(2) // the one fetched ahead was used
  })

  it('steps and mutes the volume, and gives the lock screen its position', async () => {
    stubApi()
    supports('audio/mpeg')
    const positions: MediaPositionState[] = []
    const mediaSession = { metadata: null, playbackState: 'none', setActionHandler: () => undefined,
                           setPositionState: (p: MediaPositionState) => positions.push(p) }
    const player = new Player({ audioContext: null, mediaSession: mediaSession as unknown as MediaSession })
    await player.playQueue([{ assetId: 7, title: 'Blue Hour' }])
    expect(positions.at(-1)).toMatchObject({ duration: 215, position: 0 })
    player.setVolume(0.5)
    player.stepVolume(-2)
    expect(player.getState().volume).toBe(0.4)
    player.toggleMute()
    expect(player.getState()).toMatchObject({ volume: 0, muted: true })
    expect(player.audio.volume).toBe(0)
    player.toggleMute()
    expect(player.getState()).toMatchObject({ volume: 0.4, muted: false })
  })
})
