/** Answers of the API as the shop's tests stub them (shapes from schema.d.ts; orders hand-typed in api/editions.ts). */
export const ARTIST = '0x90F79bf6EB2c4f870365E785982E1f101E93b906'
export const FAN_WALLET = '0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65'
export const PAYOUT_TOKEN = '0x5FbDB2315678afecb367f032d93F642f64180aa3'
export const EDITIONS_CONTRACT = '0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9'
export const BLOCK = { number: 1210, hash: `0x${'d6'.repeat(32)}` }
export const APPROVE_TX = `0x${'a1'.repeat(32)}`
export const MINT_TX = `0x${'b2'.repeat(32)}`

export const edition = (id: number, changes: Record<string, unknown> = {}) => ({
  edition_id: id, asset_id: 7, creator: ARTIST, payment_token: PAYOUT_TOKEN, price: '5000000',
  fiat_price: { amount_cents: 500, currency: 'USD' }, max_supply: 100, minted: 3, supply_left: 97,
  sale_start: 0, sale_end: 1798761600, per_wallet_cap: 2, royalty_bps: 500, platform_fee_bps: 1000,
  on_sale: true, sold_out: false, metadata_uri: null, created_in: { block_number: 1200, tx_hash: MINT_TX },
  ...changes,
})
