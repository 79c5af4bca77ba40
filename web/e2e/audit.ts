/** axe-core and screenshots for every page the end-to-end tests visit (shared by the specs). */
import type { Page } from '@playwright/test'
import { mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'

export const SHOTS = join(import.meta.dirname ?? '.', '..', 'e2e-screenshots')

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
export const accessibility: string[] = [] // serious and critical axe violations, page by page

interface AxeViolation { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }

/** axe-core on the page as it is now; serious and critical violations are kept for the final assertion. */
export async function audit(page: Page, name: string) {
  await page.addScriptTag({ content: AXE })
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document) => Promise<{ violations: AxeViolation[] }> } }).axe
    return (await axe.run(document)).violations
  })
  for (const v of violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'))
    accessibility.push(`${name}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
}

/** Every page at desktop and phone size, kept under web/e2e-screenshots/ (CI keeps it as an artifact), and
 * checked with axe at both sizes. */
export async function snap(page: Page, name: string) {
  mkdirSync(SHOTS, { recursive: true })
  await audit(page, `${name} 1280x800`)
  await page.screenshot({ path: join(SHOTS, `${name}-1280x800.png`), fullPage: true })
  await page.setViewportSize({ width: 390, height: 844 })
  await page.screenshot({ path: join(SHOTS, `${name}-390x844.png`), fullPage: true })
  await audit(page, `${name} 390x844`)
  await page.setViewportSize({ width: 1280, height: 800 })
}

