import '@testing-library/jest-dom/vitest'
import { cleanup, configure } from '@testing-library/react'
import { File as NodeFile } from 'node:buffer'
import { webcrypto } from 'node:crypto'
import { afterEach, beforeEach, vi } from 'vitest'

import { resetSessionForTests } from '../api/session'
import { resetPlayerForTests } from '../fan/player/store'

// findBy*/waitFor wait up to 5 s (not 1 s): CI shares its two cores with other jobs. Passing tests are not slower.
configure({ asyncUtilTimeout: 5000 })

// jsdom's crypto has no `subtle`; the browser's SHA-256 is Node's same WebCrypto here.
if (!globalThis.crypto?.subtle) Object.defineProperty(globalThis, 'crypto', { value: webcrypto, configurable: true })
// jsdom's File hands out ArrayBuffers of its own realm, which Node's WebCrypto refuses; a browser has one realm.
Object.defineProperty(globalThis, 'File', { value: NodeFile, configurable: true })

// jsdom's <audio> does not play: play/pause/load flip `paused` and fire the events a browser would.
const paused = new WeakMap<HTMLMediaElement, boolean>()
Object.defineProperties(HTMLMediaElement.prototype, {
  paused: { configurable: true, get(this: HTMLMediaElement) { return paused.get(this) ?? true } },
  play: { configurable: true, writable: true, value(this: HTMLMediaElement) {
    if (paused.get(this) !== false) {
      paused.set(this, false)
      this.dispatchEvent(new Event('play'))
    }
    return Promise.resolve()
  } },
  pause: { configurable: true, writable: true, value(this: HTMLMediaElement) {
    if (paused.get(this) === false) {
      paused.set(this, true)
      this.dispatchEvent(new Event('pause'))
    }
  } },
  load: { configurable: true, writable: true, value() { /* nothing to fetch */ } },
})

beforeEach(() => {
  sessionStorage.clear()
  localStorage.clear()
  resetSessionForTests()
  resetPlayerForTests()
})

afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
})
