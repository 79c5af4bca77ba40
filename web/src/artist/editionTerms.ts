/** The edition form's fields read into the API's `EditionIn`, with the message for each field that is wrong. */
import { t } from '../app/strings'
import type { EditionIn } from '../api/artistEditions'
import { parseCount, parseUnits, utcSeconds } from './units'

export const DECIMALS = { payout_token: 6, native: 18 } as const
const UINT32 = 2 ** 32 - 1
const s = t.artistEditions

export interface EditionFields {
  asset: string
  title: string
  description: string
  artwork: string // '', 'uri' or an upload id
  artworkUri: string
  payment: 'payout_token' | 'native'
  price: string
  fiat: string
  currency: string
  maxSupply: string
  saleStart: string
  saleEnd: string
  cap: string
  royalty: string
}

/** The API's name of each form field (a change to the field clears its error). */
export const API_FIELD: Record<keyof EditionFields, string> = {
  asset: 'asset_id', title: 'title', description: 'description', artwork: 'artwork_upload_id', artworkUri: 'artwork_uri',
  payment: 'payment', price: 'price', fiat: 'fiat_price.amount_cents', currency: 'fiat_price.currency',
  maxSupply: 'max_supply', saleStart: 'sale_start', saleEnd: 'sale_end', cap: 'per_wallet_cap', royalty: 'royalty_bps',
}

export const EMPTY: EditionFields = {
  asset: '', title: '', description: '', artwork: '', artworkUri: '', payment: 'payout_token', price: '', fiat: '',
  currency: 'USD', maxSupply: '', saleStart: '', saleEnd: '', cap: '0', royalty: '0',
}

/** The royalty as typed, checked at once: null when fine. */
export function royaltyError(text: string): string | null {
  const bps = parseUnits(text || '0', 2)
  if (bps === null) return s.badRoyalty
  return bps > 1000n ? s.royaltyOver : null
}

export function readEdition(f: EditionFields): { body: EditionIn | null; errors: Record<string, string> } {
  const errors: Record<string, string> = {}
  const decimals = DECIMALS[f.payment]
  if (!f.asset) errors.asset_id = s.pickAsset
  if (!f.title.trim()) errors.title = t.posts.required
  const price = parseUnits(f.price, decimals)
  if (price === null) errors.price = s.badPrice(decimals)
  else if (BigInt(Number(price)) !== price) errors.price = s.tooPrecise // JSON numbers are doubles
  const cents = f.fiat.trim() ? parseUnits(f.fiat, 2) : null
  if (f.fiat.trim() && (cents === null || cents === 0n)) errors['fiat_price.amount_cents'] = s.badFiat
  else if (cents !== null && price === 0n) errors['fiat_price.amount_cents'] = s.fiatNeedsPrice
  if (f.fiat.trim() && !/^[A-Z]{3}$/.test(f.currency)) errors['fiat_price.currency'] = s.badCurrency
  const maxSupply = parseCount(f.maxSupply, 1, UINT32)
  if (maxSupply === null) errors.max_supply = s.badCount
  const cap = parseCount(f.cap || '0', 0, UINT32)
  if (cap === null) errors.per_wallet_cap = s.badCap
  const start = utcSeconds(f.saleStart)
  const end = utcSeconds(f.saleEnd)
  if (end && end <= start) errors.sale_end = s.badWindow
  const royalty = royaltyError(f.royalty)
  if (royalty) errors.royalty_bps = royalty
  if (f.artwork === 'uri' && !/^(ipfs|https):\/\/\S+$/.test(f.artworkUri.trim())) errors.artwork_uri = s.badArtworkUri
  if (Object.keys(errors).length) return { body: null, errors }
  return {
    errors,
    body: {
      asset_id: Number(f.asset), title: f.title.trim(), description: f.description.trim(),
      ...(f.artwork === 'uri' ? { artwork_uri: f.artworkUri.trim() } : f.artwork ? { artwork_upload_id: f.artwork } : {}),
      payment: f.payment, price: Number(price), max_supply: maxSupply!,
      ...(cents !== null ? { fiat_price: { amount_cents: Number(cents), currency: f.currency } } : {}),
      sale_start: start, sale_end: end, per_wallet_cap: cap!, royalty_bps: Number(parseUnits(f.royalty || '0', 2)),
    },
  }
}
