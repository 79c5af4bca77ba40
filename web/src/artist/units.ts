/** Decimal amounts as people type them, turned into integers of the smallest unit (money is never a float). */

/** "12.5" with 6 decimals → 12500000n; null when it is not a plain non-negative decimal with at most `decimals`. */
export function parseUnits(text: string, decimals: number): bigint | null {
  const match = /^(\d+)(?:\.(\d*))?$/.exec(text.trim())
  if (!match) return null
  const fraction = match[2] ?? ''
  if (fraction.length > decimals) return null
  return BigInt(match[1]!) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, '0') || '0')
}

/** A whole number from `min` to `max`, or null. */
export function parseCount(text: string, min: number, max: number): number | null {
  if (!/^\d+$/.test(text.trim())) return null
  const value = Number(text.trim())
  return Number.isSafeInteger(value) && value >= min && value <= max ? value : null
}

/** A `datetime-local` value read as UTC, in Unix seconds; 0 when empty. */
export function utcSeconds(value: string): number {
  return value ? Math.floor(Date.parse(`${value}:00Z`) / 1000) : 0
}
