import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

// The areas stay apart: what two of them need lives in api/, components/ or lib/.
const AREAS = ['fan', 'artist', 'auditor', 'admin', 'partner']
const SRC = join(import.meta.dirname, '..')

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(dir, entry.name)) : /\.tsx?$/.test(entry.name) ? [join(dir, entry.name)] : [])
}

describe('area boundaries', () => {
  it.each(AREAS)('%s imports no other area', (area) => {
    const offending = files(join(SRC, area)).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/from '\.\.\/(\w+)\//g)]
        .map((m) => m[1]!).filter((target) => AREAS.includes(target) && target !== area)
        .map((target) => `${file} → ${target}`))
    expect(offending).toEqual([])
  })
})
