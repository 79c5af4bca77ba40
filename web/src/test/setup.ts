import '@testing-library/jest-dom/vitest'
import { cleanup } from '@testing-library/react'
import { File as NodeFile } from 'node:buffer'
import { webcrypto } from 'node:crypto'
import { afterEach, beforeEach, vi } from 'vitest'

import { resetSessionForTests } from '../api/session'

// jsdom's crypto has no `subtle`; the browser's SHA-256 is Node's same WebCrypto here.
if (!globalThis.crypto?.subtle) Object.defineProperty(globalThis, 'crypto', { value: webcrypto, configurable: true })
// jsdom's File hands out ArrayBuffers of its own realm, which Node's WebCrypto refuses; a browser has one realm.
Object.defineProperty(globalThis, 'File', { value: NodeFile, configurable: true })

beforeEach(() => {
  sessionStorage.clear()
  localStorage.clear()
  resetSessionForTests()
})

afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
})
