/** The split being edited: payees by wallet or e-mail with percent shares that must add up to exactly 100. */
import { t } from '../app/strings'
import type { PayeeIn } from '../api/rights'
import { ppmToPercent } from '../lib/format'

export interface PayeeRow {
  key: string
  by: 'address' | 'email'
  address: string
  email: string
  share: string
}

export const FULL_PPM = 1_000_000 // 100%: shares are kept in parts per million, like the registry
const SHARE = /^\d{1,3}(\.\d{1,4})?$/
const ADDRESS = /^0x[0-9a-fA-F]{40}$/
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

let nextKey = 0
export function newRow(fields: Partial<Omit<PayeeRow, 'key'>> = {}): PayeeRow {
  nextKey += 1
  return { key: `payee-${nextKey}`, by: 'address', address: '', email: '', share: '', ...fields }
}

/** A share in ppm ("33.3333" → 333333), or null when it is not a valid share. */
export function shareToPpm(text: string): number | null {
  const s = text.trim()
  if (!SHARE.test(s)) return null
  const [whole, fraction = ''] = s.split('.')
  const ppm = Number(whole) * 10_000 + Number(fraction.padEnd(4, '0'))
  return ppm > 0 && ppm <= FULL_PPM ? ppm : null
}

export function totalPpm(rows: PayeeRow[]): number {
  return rows.reduce((sum, row) => sum + (shareToPpm(row.share) ?? 0), 0)
}

export type TotalState = { kind: 'complete' } | { kind: 'missing'; percent: string } | { kind: 'over'; percent: string }

export function totalState(rows: PayeeRow[]): TotalState {
  const total = totalPpm(rows)
  if (total === FULL_PPM) return { kind: 'complete' }
  return total < FULL_PPM
    ? { kind: 'missing', percent: ppmToPercent(FULL_PPM - total) }
    : { kind: 'over', percent: ppmToPercent(total - FULL_PPM) }
}

/**
 * What is wrong with each field, keyed like the API names fields (`split[1].share_percent`). Empty fields count
 * only when `submitting`, so the editor does not shout while a row is still being filled in.
 */
export function splitProblems(rows: PayeeRow[], submitting: boolean): Record<string, string> {
  const problems: Record<string, string> = {}
  const seen = new Set<string>()
  rows.forEach((row, i) => {
    const where = `split[${i}]`
    const value = (row.by === 'address' ? row.address : row.email).trim()
    const field = `${where}.${row.by}`
    if (!value) {
      if (submitting) problems[field] = t.split.required
    } else if (row.by === 'address' ? !ADDRESS.test(value) : !EMAIL.test(value)) {
      problems[field] = row.by === 'address' ? t.split.badAddress : t.split.badEmail
    } else if (seen.has(value.toLowerCase())) {
      problems[field] = t.split.duplicate
    }
    if (value) seen.add(value.toLowerCase())
    const share = row.share.trim()
    if (!share) {
      if (submitting) problems[`${where}.share_percent`] = t.split.required
    } else if (shareToPpm(share) === null) {
      problems[`${where}.share_percent`] = /^\d+(\.\d{1,4})?$/.test(share) && Number(share) > 100
        ? t.split.shareOver : t.split.badShare
    }
  })
  return problems
}

export function toPayees(rows: PayeeRow[]): PayeeIn[] {
  return rows.map((row) => row.by === 'address'
    ? { address: row.address.trim(), share_percent: row.share.trim() }
    : { email: row.email.trim(), share_percent: row.share.trim() })
}
