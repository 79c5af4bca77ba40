/** Formatting shared by every area: percentages, token amounts, codes, hashes. */

/** Parts per million as a percent with at most 4 decimals: 333334 → "33.3334". */
export function ppmToPercent(ppm: number | bigint): string {
  const value = BigInt(ppm)
  const whole = value / 10_000n
  const fraction = (value % 10_000n).toString().padStart(4, '0').replace(/0+$/, '')
  return fraction ? `${whole}.${fraction}` : `${whole}`
}

/** An integer amount in a token's smallest unit as a decimal: ("49000000", 6) → "49.00". */
export function formatUnits(amount: string | bigint, decimals = 6, minFraction = 2): string {
  const value = BigInt(amount)
  const negative = value < 0n
  const abs = negative ? -value : value
  const scale = 10n ** BigInt(decimals)
  let fraction = (abs % scale).toString().padStart(decimals, '0').replace(/0+$/, '')
  if (fraction.length < minFraction) fraction = fraction.padEnd(minFraction, '0')
  const whole = (abs / scale).toLocaleString('en-US')
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`
}

/** ISWC and ISRC as people write them: T0345246801 → T-034.524.680-1, USRC17607839 → US-RC1-76-07839. */
export function readableCode(code: string): string {
  if (/^T\d{10}$/.test(code)) return `T-${code.slice(1, 4)}.${code.slice(4, 7)}.${code.slice(7, 10)}-${code[10]}`
  if (/^[A-Z]{2}[A-Z0-9]{3}\d{7}$/.test(code)) return `${code.slice(0, 2)}-${code.slice(2, 5)}-${code.slice(5, 7)}-${code.slice(7)}`
  return code
}

/** 0x1234…abcd: enough to tell hashes and addresses apart at a glance; the full value stays in `title`. */
export function short(hex: string, keep = 6): string {
  return hex.length > 2 * keep + 3 ? `${hex.slice(0, keep + 2)}…${hex.slice(-keep)}` : hex
}

export function formatDate(iso: string): string {
  return new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) + ' UTC'
}
