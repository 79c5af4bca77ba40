import type { KeyboardEvent } from 'react'

import { t } from '../../app/strings'
import { SEEK_STEP_S, VOLUME_STEP } from './Player'
import { usePlayer } from './store'

// Drawn, not typed: the media-control glyphs (⏮ ⏸ ⏭ 🔊) are missing from many system fonts.
// Each icon: a filled shape, and lines drawn over it.
const SPEAKER = 'M4 9v6h4l5 4V5L8 9z'
type IconName = 'previous' | 'play' | 'pause' | 'next' | 'sound' | 'muted'
const ICONS: Record<IconName, [string, string?]> = {
  previous: ['M6 5h2v14H6zM20 5v14L9 12z'],
  play: ['M8 5v14l11-7z'],
  pause: ['M6 5h4v14H6zM14 5h4v14h-4z'],
  next: ['M16 5h2v14h-2zM4 5v14l11-7z'],
  sound: [SPEAKER, 'M16 8.5a5 5 0 0 1 0 7M18.5 6a8.5 8.5 0 0 1 0 12'],
  muted: [SPEAKER, 'M16 9l5 6M21 9l-5 6'],
}

function Icon({ name }: { name: IconName }) {
  const [filled, lines] = ICONS[name]
  return (
    <svg aria-hidden="true" focusable="false" width="18" height="18" viewBox="0 0 24 24">
      <path d={filled} fill="currentColor" />
      {lines && <path d={lines} fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round" />}
    </svg>
  )
}

function clock(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return '0:00'
  const s = Math.floor(seconds)
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`
}

/** The persistent bar at the foot of every page. Space plays or pauses; ←/→ seek ±5 s; ↑/↓ volume; M mutes;
 * N and P go to the next and previous tracks. */
export function PlayerBar() {
  const [state, player] = usePlayer()
  const track = state.queue[state.index]
  if (!track) return null

  function onKeyDown(event: KeyboardEvent<HTMLElement>) {
    const target = event.target as HTMLElement
    if (target instanceof HTMLInputElement) return // the sliders keep their own keys
    if (event.key === ' ') {
      if (target instanceof HTMLButtonElement) return // a button's own Space
      event.preventDefault()
      void player.toggle()
    } else if (event.key === 'ArrowLeft' || event.key === 'ArrowRight') {
      event.preventDefault()
      player.seekBy(event.key === 'ArrowLeft' ? -SEEK_STEP_S : SEEK_STEP_S)
    } else if (event.key === 'ArrowUp' || event.key === 'ArrowDown') {
      event.preventDefault()
      player.stepVolume(event.key === 'ArrowUp' ? 1 : -1)
    } else if (event.key === 'm' || event.key === 'M') {
      player.toggleMute()
    } else if (event.key === 'n' || event.key === 'N') {
      void player.next()
    } else if (event.key === 'p' || event.key === 'P') {
      void player.previous()
    }
  }

  const playing = state.status === 'playing'
  return (
    <section className="player-bar" aria-label={t.player.region} tabIndex={0} onKeyDown={onKeyDown}
      aria-describedby="player-keys">
      <p id="player-keys" className="visually-hidden">{t.player.keys}</p>
      <button type="button" onClick={() => void player.previous()} aria-label={t.player.previous}><Icon name="previous" /></button>
      <button type="button" onClick={() => void player.toggle()} aria-label={playing ? t.player.pause : t.player.play}
        disabled={state.status === 'loading' || state.status === 'unavailable'}>
        <Icon name={playing ? 'pause' : 'play'} />
      </button>
      <button type="button" onClick={() => void player.next()} aria-label={t.player.next}
        disabled={state.index >= state.queue.length - 1}><Icon name="next" /></button>
      <span className="player-title">{track.title}</span>
      <input type="range" aria-label={t.player.seek} min={0} max={Math.max(state.duration, 0)} step={1}
        value={Math.min(state.position, state.duration || state.position)}
        aria-valuetext={t.player.time(clock(state.position), clock(state.duration))}
        onChange={(e) => player.seek(Number(e.target.value))} />
      <span className="mono" aria-hidden="true">{t.player.time(clock(state.position), clock(state.duration))}</span>
      <button type="button" onClick={() => player.toggleMute()} aria-pressed={state.muted}
        aria-label={t.player.mute}><Icon name={state.muted ? 'muted' : 'sound'} /></button>
      <input type="range" aria-label={t.player.volume} min={0} max={1} step={VOLUME_STEP} value={state.volume}
        aria-valuetext={t.player.volumeValue(Math.round(state.volume * 100))}
        onChange={(e) => player.setVolume(Number(e.target.value))} />
      <span role="status" aria-live="polite" className="player-status">
        {state.status === 'loading' ? t.player.loading
          : state.status === 'unavailable' && state.notStreamable ? t.player.notStreamable(state.notStreamable)
          : state.status === 'error' ? t.player.failed : ''}
      </span>
    </section>
  )
}
