/** Answers of the social and discovery API that the fan's tests stub at the network edge. */
export const ARTIST_ID = '3f6b2c1e-8d4a-4e6f-9b2a-7c5d1e0f4a82'
export const FAN_ID = 'a42a2673-204f-4078-92d9-72ab719f7d14'
export const ARTIST_ADDRESS = '0x7a3b9C2D4e5F60718293a4b5c6D7e8f901a2b3c4'
const POST_ID = '35003f4d-ed41-49a8-8146-11a239d9556b'

export const post = (id = POST_ID, text = 'New single out Friday!') => ({
  id, author_id: ARTIST_ID, author_handle: 'mira_keys', text, entities: [], attachments: [{ type: 'recording', id: '7' }],
  visibility: 'public', edition_id: null, created_at: '2026-12-01T09:15:00Z', edited_at: null,
  counts: { likes: 148, reposts: 12, comments: 9 }, reactions: {},
})

export const feedItem = (kind: 'post' | 'repost' | 'release', n: number, extra: Record<string, unknown> = {}) => ({
  kind, key: `${kind}:${n}`, actor_id: ARTIST_ID, actor_handle: 'mira_keys', at: '2026-12-01T09:15:00Z',
  subject_type: kind === 'post' ? 'post' : 'recording', subject_id: kind === 'post' ? POST_ID : '7', comment: null,
  post: kind === 'post' ? post() : null, ...extra,
})

export const trending = (kind: string, items: unknown[]) => ({
  formula_version: 'v1', kind, window: '7d', genre: null, territory: null, computed_at: '2026-12-03T15:00:00Z', items,
})

export const assetOf = (assetId: number, title: string) => ({
  block: { number: 120, hash: `0x${'34'.repeat(32)}` },
  data: {
    asset_id: assetId, kind: 'recording', title, industry_code: 'USRC17607839', controller: ARTIST_ADDRESS,
    pending_controller: null, metadata_uri: 'ipfs://bafy', content_hash: null, work_ids: [],
    split: { version: 1, recipients: [ARTIST_ADDRESS], allocations: [1000000] }, split_locked: false, frozen: false,
    registered: { block_number: 100, tx_hash: `0x${'12'.repeat(32)}`, log_index: 0 },
  },
  split_history: [], controller_history: [], freezes: [],
})

export const account = (following: boolean, followers = 1284, followsYou = true) => ({
  user_id: ARTIST_ID, handle: 'mira_keys', counts: { followers, following: 31, posts: 57, likes: 412 },
  relationship: { following, follows_you: followsYou, blocking: false, muting: false },
})
