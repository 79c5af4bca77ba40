/** ISWC (ISO 15707) and ISRC checks as the API makes them (ledger/identifiers.py), run as the artist types. */
import { t } from '../app/strings'

const ISWC = /^T\d{10}$/
const ISRC = /^[A-Z]{2}[A-Z0-9]{3}\d{2}\d{5}$/
const SHA256 = /^0x[0-9a-fA-F]{64}$/

export function compact(code: string): string {
  return code.trim().toUpperCase().replace(/[-. ]/g, '')
}

/** ISO 15707: 1 + Σ i·dᵢ over the 9 digits, then (10 − total mod 10) mod 10. */
export function iswcCheckDigit(nineDigits: string): number {
  let total = 1
  for (let i = 0; i < 9; i++) total += (i + 1) * Number(nineDigits[i])
  return (10 - (total % 10)) % 10
}

/** Why this ISWC would be refused, or null when it is valid. */
export function iswcProblem(code: string): string | null {
  const c = compact(code)
  if (!ISWC.test(c)) return t.iswc.shape
  const expected = iswcCheckDigit(c.slice(1, 10))
  return expected === Number(c[10]) ? null : t.iswc.checkDigit(expected)
}

export function isrcProblem(code: string): string | null {
  return ISRC.test(compact(code)) ? null : t.isrc.shape
}

export function contentHashProblem(hash: string): string | null {
  return SHA256.test(hash.trim()) ? null : t.contentHash.shape
}

/** The SHA-256 of a file, computed in the browser (the master never leaves the machine). */
export async function sha256Hex(file: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer())
  return '0x' + [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
}
