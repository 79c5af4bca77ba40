/** axe-core on what a test rendered: no serious or critical violation (as the end-to-end journey checks pages). */
import axe from 'axe-core'
import { expect } from 'vitest'

export async function expectAccessible(root: Element = document.body): Promise<void> {
  // jsdom lays nothing out, so contrast cannot be measured here (the end-to-end run checks it in Chromium)
  const result = await axe.run(root, { rules: { 'color-contrast': { enabled: false } } })
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  expect(bad.map((v) => `${v.id} (${v.impact}) ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`))
    .toEqual([])
}

/** The time limit of a test that runs axe or follows polling: generous, as CI shares its cores (never asserted). */
export const SLOW = 30_000
