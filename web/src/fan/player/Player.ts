/**
 * The player: a class outside React that owns one `<audio>` element. React reads its state through
 * `subscribe`/`getState` (see `store.ts`); nothing in it depends on React.
 *
 * - A track's playback session (`POST /v1/playback-sessions`) gives signed stream URLs; the source is opus_160 when
 *   the browser plays Ogg Opus, else aac_256, else mp3_320; else HLS, natively where the browser plays it, else
 *   through hls.js, imported only then (its chunk is never loaded by a browser that plays a direct file).
 * - Signed URLs expire (`exp`, 15 minutes): a fresh session's URL replaces the playing one a minute before, at the
 *   same position and play state; a URL found expired on play, or failing after its expiry, is renewed then too.
 *   The play is still reported with the first session's token (valid for hours), so it is counted once.
 * - Near the end of a track the next one's session is fetched, so on `ended` its source is set at once: no API
 *   round-trip between tracks (as gapless as one `<audio>` allows; sample-exact gapless would need MSE).
 * - The loudness gain (`loudness_gain_db`) goes through a Web Audio GainNode; without Web Audio, `audio.volume`
 *   is scaled by it, capped at 1.
 * - Played time counts only while the audio advances (seeks excluded); the play is reported once
 *   (`POST /v1/plays`), when it passes `counts_after_ms`, or when the track is left or stopped after some play.
 */
import { reportPlay, startPlayback, type PlaybackSession } from '../../api/playback'

export interface Track {
  assetId: number
  title: string
  artist?: string
  /** cover art URL for the Media Session */
  artwork?: string
}

/** The part of hls.js the player uses (the real one is imported on demand). */
export interface HlsInstance {
  loadSource(url: string): void
  attachMedia(media: HTMLMediaElement): void
  destroy(): void
}
export interface HlsClass {
  new (): HlsInstance
  isSupported(): boolean
}

export type PlayerStatus = 'idle' | 'loading' | 'playing' | 'paused' | 'ended' | 'unavailable' | 'error'

export interface PlayerState {
  queue: readonly Track[]
  index: number
  status: PlayerStatus
  /** seconds */
  position: number
  /** seconds; 0 when unknown */
  duration: number
  /** the listener's volume, 0…1 (the loudness gain is applied on top) */
  volume: number
  /** why the current track has no stream (the session's `not_streamable`) */
  notStreamable: string | null
  /** the rendition playing: opus_160, aac_256, mp3_320, hls */
  rendition: string | null
  /** muted (the volume before it is restored on unmute) */
  muted: boolean
}

export interface PlayerDeps {
  audio?: HTMLAudioElement
  start?: (assetId: number) => Promise<PlaybackSession>
  report?: (token: string, playedMs: number) => Promise<unknown>
  /** null: no Web Audio (the gain is folded into `audio.volume`) */
  audioContext?: (() => AudioContext | null) | null
  mediaSession?: MediaSession | null
  /** hls.js, loaded only when a track needs it */
  loadHls?: () => Promise<HlsClass>
  /** ms since the epoch (tests give a clock) */
  now?: () => number
}

const SEEK_STEP_S = 5
const VOLUME_STEP = 0.05
/** Renew a stream URL this long before it expires. */
export const RENEW_BEFORE_MS = 60_000
/** Fetch the next track's session when this little of the current one is left. */
export const PREFETCH_BEFORE_S = 20
/** A jump in currentTime larger than this between two timeupdates is a seek, not play. */
const MAX_TICK_S = 2

const CANDIDATES: readonly { key: string; type: string }[] = [
  { key: 'opus_160', type: 'audio/ogg; codecs=opus' },
  { key: 'aac_256', type: 'audio/mp4; codecs="mp4a.40.2"' },
  { key: 'mp3_320', type: 'audio/mpeg' },
  { key: 'hls', type: 'application/vnd.apple.mpegurl' },
]

export interface Source {
  key: string
  url: string
  /** HLS without native support: played through hls.js */
  hlsJs?: boolean
}

const hasMediaSource = () => typeof globalThis.MediaSource !== 'undefined'

/** The rendition to play from a session's streams, by what this `<audio>` says it can play. */
export function chooseSource(audio: HTMLMediaElement, streams: Record<string, string>): Source | null {
  for (const { key, type } of CANDIDATES) {
    const url = streams[key]
    if (url && audio.canPlayType(type) !== '') return { key, url }
  }
  if (streams.hls && hasMediaSource()) return { key: 'hls', url: streams.hls, hlsJs: true }
  // nothing the element admits to: mp3 is the likeliest to play anyway
  for (const key of ['mp3_320', 'aac_256', 'opus_160']) {
    const url = streams[key]
    if (url) return { key, url }
  }
  return null
}

/** When a signed stream URL stops working (ms since the epoch): its `exp`, else the session's end. */
export function urlExpiry(url: string, session: PlaybackSession): number {
  try {
    const exp = Number(new URL(url).searchParams.get('exp'))
    if (Number.isFinite(exp) && exp > 0) return exp * 1000
  } catch { /* not absolute */ }
  const end = Date.parse(session.expires_at)
  return Number.isFinite(end) ? end : Number.POSITIVE_INFINITY
}

const importHls = async (): Promise<HlsClass> => (await import('hls.js')).default as unknown as HlsClass

export const dbToGain = (db: number) => 10 ** (db / 20)

function defaultAudioContext(): AudioContext | null {
  const Ctor = globalThis.AudioContext ??
    (globalThis as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext
  if (!Ctor) return null
  try {
    return new Ctor()
  } catch {
    return null
  }
}

export class Player {
  readonly audio: HTMLAudioElement
  private state: PlayerState = {
    queue: [], index: -1, status: 'idle', position: 0, duration: 0, volume: 1, notStreamable: null, rendition: null,
    muted: false,
  }
  private readonly listeners = new Set<() => void>()
  private readonly start: (assetId: number) => Promise<PlaybackSession>
  private readonly report: (token: string, playedMs: number) => Promise<unknown>
  private readonly makeContext: (() => AudioContext | null) | null
  private readonly mediaSession: MediaSession | null
  private context: AudioContext | null = null
  private gainNode: GainNode | null = null
  private gainDb = 0
  private session: PlaybackSession | null = null
  private playedMs = 0
  private lastTime: number | null = null
  private reported = false
  private loadSeq = 0
  private readonly loadHls: () => Promise<HlsClass>
  private readonly now: () => number
  private hls: HlsInstance | null = null
  private source: Source | null = null
  private expiresAt = Number.POSITIVE_INFINITY
  private renewTimer: ReturnType<typeof setTimeout> | null = null
  private renewing: Promise<void> | null = null
  /** the next track's session, fetched ahead */
  private upcoming: { index: number; assetId: number; session: Promise<PlaybackSession> } | null = null
  private mutedVolume: number | null = null

  constructor(deps: PlayerDeps = {}) {
    this.audio = deps.audio ?? document.createElement('audio')
    this.audio.preload = 'auto'
    this.start = deps.start ?? startPlayback
    this.report = deps.report ?? reportPlay
    this.makeContext = deps.audioContext === undefined ? defaultAudioContext : deps.audioContext
    this.mediaSession = deps.mediaSession === undefined ? (globalThis.navigator?.mediaSession ?? null) : deps.mediaSession
    this.loadHls = deps.loadHls ?? importHls
    this.now = deps.now ?? Date.now
    const a = this.audio
    a.addEventListener('play', () => { this.set({ status: 'playing' }); this.updatePosition() })
    a.addEventListener('pause', () => { if (this.state.status === 'playing') this.set({ status: 'paused' }) })
    a.addEventListener('seeking', () => { this.lastTime = null })
    a.addEventListener('seeked', () => {
      this.lastTime = a.currentTime
      this.set({ position: a.currentTime })
      this.updatePosition()
    })
    a.addEventListener('timeupdate', () => this.tick())
    a.addEventListener('durationchange', () => {
      if (Number.isFinite(a.duration) && a.duration > 0) this.set({ duration: a.duration })
      this.updatePosition()
    })
    a.addEventListener('ended', () => {
      this.tick()
      this.finish()
      if (this.state.index < this.state.queue.length - 1) void this.load(this.state.index + 1, true)
      else this.set({ status: 'ended' })
    })
    a.addEventListener('error', () => {
      if (!this.session) return
      // a signed URL past (or near) its expiry: renew it and carry on from here
      if (this.now() >= this.expiresAt - RENEW_BEFORE_MS) void this.renewStreams()
      else this.set({ status: 'error' })
    })
    this.bindMediaSession()
  }

  // --- the store React subscribes to ---------------------------------------------------------------------------

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  getState = (): PlayerState => this.state

  private set(patch: Partial<PlayerState>): void {
    this.state = { ...this.state, ...patch }
    if (this.mediaSession) this.mediaSession.playbackState =
      this.state.status === 'playing' ? 'playing' : this.state.status === 'paused' ? 'paused' : 'none'
    for (const listener of this.listeners) listener()
  }

  get current(): Track | null {
    return this.state.queue[this.state.index] ?? null
  }

  /** The milliseconds played of the current track so far (seeks excluded). */
  get played(): number {
    return this.playedMs
  }

  // --- controls ------------------------------------------------------------------------------------------------

  /** Replace the queue and play `index` of it. */
  playQueue(tracks: readonly Track[], index = 0): Promise<void> {
    this.finish()
    this.set({ queue: [...tracks] })
    return this.load(index, true)
  }

  /** Add to the end of the queue (and play it when nothing is loaded). */
  enqueue(track: Track): Promise<void> {
    this.set({ queue: [...this.state.queue, track] })
    return this.state.index < 0 ? this.load(this.state.queue.length - 1, true) : Promise.resolve()
  }

  async play(): Promise<void> {
    if (!this.session) {
      if (this.state.index >= 0) return this.load(this.state.index, true)
      return
    }
    if (this.state.status === 'ended') this.audio.currentTime = 0
    if (this.now() >= this.expiresAt - RENEW_BEFORE_MS) await this.renewStreams() // e.g. after a long pause
    this.connectGain()
    await this.context?.resume?.().catch(() => undefined)
    try {
      await this.audio.play()
    } catch {
      this.set({ status: 'paused' }) // autoplay refused: the listener presses Play
    }
  }

  pause(): void {
    this.audio.pause()
  }

  toggle(): Promise<void> {
    if (this.state.status === 'playing') {
      this.pause()
      return Promise.resolve()
    }
    return this.play()
  }

  seek(seconds: number): void {
    if (!this.session) return
    const end = this.state.duration || Number.POSITIVE_INFINITY
    const to = Math.max(0, Math.min(seconds, end))
    this.lastTime = null // a seek is not play
    this.audio.currentTime = to
    this.set({ position: to })
  }

  seekBy(delta: number): void {
    this.seek(this.audio.currentTime + delta)
  }

  setVolume(volume: number): void {
    this.mutedVolume = null
    this.set({ volume: Math.max(0, Math.min(1, Math.round(volume * 100) / 100)), muted: false })
    this.applyVolume()
  }

  /** ±VOLUME_STEP per press (the arrow keys on the player bar). */
  stepVolume(steps: number): void {
    this.setVolume((this.mutedVolume ?? this.state.volume) + steps * VOLUME_STEP)
  }

  /** Mute, or back to the volume before muting. */
  toggleMute(): void {
    if (this.mutedVolume !== null) {
      const back = this.mutedVolume
      this.setVolume(back)
    } else {
      const before = this.state.volume
      this.mutedVolume = before
      this.set({ volume: 0, muted: true })
      this.applyVolume()
    }
  }

  next(): Promise<void> {
    if (this.state.index >= this.state.queue.length - 1) return Promise.resolve()
    this.finish()
    return this.load(this.state.index + 1, true)
  }

  /** Back to the start of the track when more than 3 s in, else the previous track. */
  previous(): Promise<void> {
    if (this.audio.currentTime > 3 || this.state.index <= 0) {
      this.seek(0)
      return Promise.resolve()
    }
    this.finish()
    return this.load(this.state.index - 1, true)
  }

  /** Stop: the play so far is reported, the audio released. */
  stop(): void {
    this.tick()
    this.finish()
    this.audio.pause()
    this.detach()
    this.audio.removeAttribute('src')
    this.session = null
    this.upcoming = null
    this.set({ status: 'idle', position: 0 })
  }

  // --- loading and play counting -------------------------------------------------------------------------------

  private async load(index: number, autoplay: boolean): Promise<void> {
    const track = this.state.queue[index]
    if (!track) return
    const seq = ++this.loadSeq
    this.session = null
    this.playedMs = 0
    this.lastTime = null
    this.reported = false
    this.audio.pause()
    this.set({ index, status: 'loading', position: 0, duration: 0, notStreamable: null, rendition: null })
    this.updateMetadata(track)
    this.detach()
    let session: PlaybackSession
    try {
      session = await this.sessionFor(index, track.assetId)
    } catch {
      if (seq === this.loadSeq) this.set({ status: 'error' })
      return
    }
    if (seq !== this.loadSeq) return // another track was asked for meanwhile
    const source = chooseSource(this.audio, session.streams ?? {})
    if (!source) {
      this.set({ status: 'unavailable', notStreamable: session.not_streamable ?? 'no-audio' })
      return
    }
    this.session = session
    this.gainDb = session.loudness_gain_db ?? 0
    try {
      await this.attach(source, session, seq)
    } catch {
      if (seq === this.loadSeq) this.set({ status: 'error' })
      return
    }
    if (seq !== this.loadSeq) return
    this.audio.currentTime = 0
    this.lastTime = 0
    this.set({
      status: 'paused', rendition: source.key,
      duration: session.duration_ms ? session.duration_ms / 1000 : 0,
      notStreamable: session.not_streamable ?? null,
    })
    this.applyVolume()
    if (autoplay) await this.play()
  }

  private tick(): void {
    const now = this.audio.currentTime
    if (this.session && !this.audio.paused && this.lastTime !== null) {
      const delta = now - this.lastTime
      if (delta > 0 && delta <= MAX_TICK_S) this.playedMs += delta * 1000
    }
    this.lastTime = now
    if (now !== this.state.position) this.set({ position: now })
    if (this.session && !this.reported && this.playedMs >= this.session.counts_after_ms) this.sendReport()
    if (this.session && this.state.duration > 0 && this.state.duration - now <= PREFETCH_BEFORE_S) this.prefetchNext()
  }

  // --- sources: attaching, renewing, fetching ahead ------------------------------------------------------------

  /** The session of queue item `index`: the one fetched ahead when it is still good, else a new one. */
  private async sessionFor(index: number, assetId: number): Promise<PlaybackSession> {
    const ahead = this.upcoming
    this.upcoming = null
    if (ahead && ahead.index === index && ahead.assetId === assetId) {
      try {
        const session = await ahead.session
        const source = chooseSource(this.audio, session.streams ?? {})
        if (!source || urlExpiry(source.url, session) - RENEW_BEFORE_MS > this.now()) return session
      } catch { /* fetch it again below */ }
    }
    return this.start(assetId)
  }

  private prefetchNext(): void {
    const index = this.state.index + 1
    const track = this.state.queue[index]
    if (!track || (this.upcoming && this.upcoming.index === index)) return
    const session = this.start(track.assetId)
    session.catch(() => undefined) // tried again when the track starts
    this.upcoming = { index, assetId: track.assetId, session }
  }

  /** Point the element (or hls.js) at `source`, and plan its renewal before it expires. */
  private async attach(source: Source, session: PlaybackSession, seq: number): Promise<void> {
    if (source.hlsJs) {
      const Hls = await this.loadHls()
      if (seq !== this.loadSeq) return
      if (!Hls.isSupported()) throw new Error('no HLS in this browser')
      const hls = new Hls()
      hls.attachMedia(this.audio)
      hls.loadSource(source.url)
      this.hls = hls
    } else {
      this.audio.src = source.url
    }
    this.source = source
    this.expiresAt = urlExpiry(source.url, session)
    this.planRenewal()
  }

  private detach(): void {
    if (this.renewTimer !== null) clearTimeout(this.renewTimer)
    this.renewTimer = null
    this.hls?.destroy()
    this.hls = null
    this.source = null
    this.expiresAt = Number.POSITIVE_INFINITY
  }

  private planRenewal(): void {
    if (this.renewTimer !== null) clearTimeout(this.renewTimer)
    this.renewTimer = null
    if (!Number.isFinite(this.expiresAt)) return
    const wait = Math.max(0, this.expiresAt - RENEW_BEFORE_MS - this.now())
    this.renewTimer = setTimeout(() => { this.renewTimer = null; void this.renewStreams() }, wait)
  }

  /** When the playing URL must be replaced (ms since the epoch); Infinity when nothing is loaded. */
  get renewsAt(): number {
    return this.expiresAt - RENEW_BEFORE_MS
  }

  /**
   * A fresh session's URL for the same rendition, swapped in at the same position and play state. The first
   * session stays the one the play is reported with.
   */
  renewStreams(): Promise<void> {
    this.renewing ??= this.doRenew().finally(() => { this.renewing = null })
    return this.renewing
  }

  private async doRenew(): Promise<void> {
    const track = this.current
    const kept = this.session
    if (!track || !kept) return
    const seq = this.loadSeq
    let fresh: PlaybackSession
    try {
      fresh = await this.start(track.assetId)
    } catch {
      if (seq === this.loadSeq) this.set({ status: 'error' })
      return
    }
    if (seq !== this.loadSeq || this.session !== kept) return
    const streams = fresh.streams ?? {}
    const previous = this.source
    const source: Source | null = previous && streams[previous.key]
      ? { ...previous, url: streams[previous.key]! } : chooseSource(this.audio, streams)
    if (!source) {
      this.set({ status: 'unavailable', notStreamable: fresh.not_streamable ?? 'no-audio' })
      return
    }
    const position = this.audio.currentTime
    const wasPlaying = !this.audio.paused
    this.detach()
    this.lastTime = null // the jump back to `position` is not play
    await this.attach(source, fresh, seq)
    this.audio.currentTime = position
    this.lastTime = position
    if (wasPlaying) await this.audio.play().catch(() => undefined)
  }

  /** Leaving the track: the play is reported if some of it was played and it was not reported yet. */
  private finish(): void {
    if (this.session && !this.reported && this.playedMs > 0) this.sendReport()
  }

  private sendReport(): void {
    if (!this.session) return
    this.reported = true
    void this.report(this.session.token, this.playedMs).catch(() => undefined)
  }

  // --- loudness ------------------------------------------------------------------------------------------------

  /** The Web Audio graph is made on the first play (browsers allow an AudioContext only after a gesture). */
  private connectGain(): void {
    if (this.gainNode || !this.makeContext) return
    const context = this.makeContext()
    if (!context) return
    try {
      const source = context.createMediaElementSource(this.audio)
      const gain = context.createGain()
      source.connect(gain).connect(context.destination)
      this.context = context
      this.gainNode = gain
    } catch {
      /* no Web Audio for this element: audio.volume carries the gain */
    }
    this.applyVolume()
  }

  private applyVolume(): void {
    const gain = dbToGain(this.gainDb)
    if (this.gainNode) {
      this.gainNode.gain.value = gain
      this.audio.volume = this.state.volume
    } else {
      this.audio.volume = Math.min(1, this.state.volume * gain)
    }
  }

  // --- Media Session -------------------------------------------------------------------------------------------

  private updateMetadata(track: Track): void {
    if (!this.mediaSession || typeof MediaMetadata === 'undefined') return
    this.mediaSession.metadata = new MediaMetadata({
      title: track.title, artist: track.artist ?? '', album: 'HARMONI',
      artwork: track.artwork ? [{ src: track.artwork }] : [],
    })
  }

  /** The lock screen's position bar. */
  private updatePosition(): void {
    const ms = this.mediaSession
    if (!ms?.setPositionState || !(this.state.duration > 0)) return
    try {
      ms.setPositionState({ duration: this.state.duration, position: Math.min(this.state.position, this.state.duration),
                            playbackRate: this.audio.playbackRate || 1 })
    } catch { /* position outside the duration while a new track loads */ }
  }

  private bindMediaSession(): void {
    const ms = this.mediaSession
    if (!ms) return
    const handlers: [MediaSessionAction, MediaSessionActionHandler][] = [
      ['play', () => void this.play()],
      ['pause', () => this.pause()],
      ['stop', () => this.stop()],
      ['previoustrack', () => void this.previous()],
      ['nexttrack', () => void this.next()],
      ['seekbackward', (d) => this.seekBy(-(d.seekOffset ?? SEEK_STEP_S))],
      ['seekforward', (d) => this.seekBy(d.seekOffset ?? SEEK_STEP_S)],
      ['seekto', (d) => { if (d.seekTime != null) this.seek(d.seekTime) }],
    ]
    for (const [action, handler] of handlers) {
      try {
        ms.setActionHandler(action, handler)
      } catch { /* the browser does not know this action */ }
    }
  }
}

export { SEEK_STEP_S, VOLUME_STEP }
