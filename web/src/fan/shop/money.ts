/** Amounts as fans read them. Integers in the smallest unit stay integers until shown. */
import { t } from '../../app/strings'
import type { Edition } from '../../api/editions'
import { formatDate, formatUnits } from '../../lib/format'

export const NATIVE = '0x0000000000000000000000000000000000000000'
const PAYOUT_DECIMALS = 6 // the payout stablecoin's, as the earnings page shows it

/** 999 USD cents → "9.99 USD"; the currency's own minor unit (JPY has none). */
export function money(amount: number, currency: string): string {
  let digits = 2
  try {
    digits = new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
  } catch { /* an unknown code: two digits */ }
  return `${formatUnits(BigInt(amount), digits, digits)} ${currency}`
}

/** The on-chain price of an edition's tokens, in its payment token. */
export function cryptoPrice(edition: Pick<Edition, 'payment_token'>, amount: string): string {
  if (BigInt(amount) === 0n) return t.shop.free
  const native = edition.payment_token.toLowerCase() === NATIVE
  return t.shop.cryptoPrice(formatUnits(amount, native ? 18 : PAYOUT_DECIMALS), native)
}

export const unixDate = (seconds: number) => formatDate(new Date(seconds * 1000).toISOString())

export function saleWindow(edition: Pick<Edition, 'sale_start' | 'sale_end'>): string {
  const start = edition.sale_start ? t.shop.opensAt(unixDate(edition.sale_start)) : t.shop.openFromStart
  const end = edition.sale_end ? t.shop.endsAt(unixDate(edition.sale_end)) : t.shop.noEnd
  return `${start}, ${end}`
}

export function saleState(edition: Pick<Edition, 'on_sale' | 'sold_out'>): string {
  return edition.sold_out ? t.shop.stateSoldOut : edition.on_sale ? t.shop.stateOnSale : t.shop.stateClosed
}
