/** Every route of the app, defined once: its pattern (for the router) and a typed link builder. */

function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== null && value !== '')
    search.set(key, String(value))
  const text = search.toString()
  return text ? `?${text}` : ''
}

export type AssetKind = 'work' | 'recording'

export const paths = {
  home: { pattern: '/', to: () => '/' },
  signIn: { pattern: '/sign-in', to: (next?: string) => `/sign-in${query({ next })}` },
  signUp: { pattern: '/sign-up', to: (next?: string) => `/sign-up${query({ next })}` },
  catalog: {
    pattern: '/catalog',
    to: (filters: { q?: string; kind?: AssetKind; cursor?: string } = {}) => `/catalog${query(filters)}`,
  },
  asset: { pattern: '/catalog/:assetId', to: (assetId: number) => `/catalog/${assetId}` },
  register: {
    pattern: '/artist/register',
    // From a ready upload: the recording registered from `upload_id`, its title and ISRC pre-filled from the tags
    to: (kind?: AssetKind, fromUpload?: { upload_id: string; title?: string; isrc?: string }) =>
      `/artist/register${query({ kind, ...fromUpload })}`,
  },
  uploads: { pattern: '/artist/uploads', to: () => '/artist/uploads' },
  // an artist's asset: gate, split lock, control transfer, disputes
  manage: { pattern: '/artist/assets/:assetId', to: (assetId: number) => `/artist/assets/${assetId}` },
  earnings: { pattern: '/artist/earnings', to: () => '/artist/earnings' },
  // The token is pasted, or read from the fragment (`#token=…`), which browsers never send to a server.
  acceptInvitation: { pattern: '/invitations/accept', to: () => '/invitations/accept' },
  partnerKeys: { pattern: '/partner/keys', to: () => '/partner/keys' },
  webhooks: {
    pattern: '/partner/webhooks',
    to: (endpoint?: string) => `/partner/webhooks${query({ endpoint })}`,
  },
  adminPeriods: { pattern: '/admin/periods', to: () => '/admin/periods' },
  periods: { pattern: '/auditor/periods', to: () => '/auditor/periods' },
  period: {
    pattern: '/auditor/periods/:periodId',
    to: (periodId: number, account?: string) => `/auditor/periods/${periodId}${query({ account })}`,
  },
  // --- fan money screens and the admin console ---
  shop: {
    pattern: '/shop',
    to: (filters: { on_sale?: boolean; sold_out?: boolean; artist?: string; cursor?: string } = {}) =>
      `/shop${query({ ...filters, on_sale: filters.on_sale ? 'true' : undefined,
                      sold_out: filters.sold_out ? 'true' : undefined })}`,
  },
  edition: { pattern: '/shop/editions/:editionId', to: (editionId: number) => `/shop/editions/${editionId}` },
  // Stripe Checkout comes back here; the page follows the order, fulfilled only by the webhook
  order: { pattern: '/orders/:orderId', to: (orderId: string) => `/orders/${orderId}` },
  collection: { pattern: '/account/collection', to: () => '/account/collection' },
  receipts: { pattern: '/account/receipts', to: () => '/account/receipts' },
  subscription: { pattern: '/account/subscription', to: () => '/account/subscription' },
  privacy: { pattern: '/account/privacy', to: () => '/account/privacy' },
  adminModeration: {
    pattern: '/admin/moderation',
    to: (status?: 'open' | 'actioned' | 'dismissed') => `/admin/moderation${query({ status })}`,
  },
  adminDeadLetters: { pattern: '/admin/payments', to: () => '/admin/payments' },
  adminUsers: { pattern: '/admin/users', to: () => '/admin/users' },
  // --- artist: editions, posts, analytics (issue 17) ---
  artistEditions: {
    pattern: '/artist/editions',
    to: (assetId?: number) => `/artist/editions${query({ asset: assetId })}`,
  },
  artistPosts: { pattern: '/artist/posts', to: () => '/artist/posts' },
  // the scope (a recording, or all of a wallet's) and the range are in the URL, to share
  analytics: {
    pattern: '/artist/analytics',
    to: (filters: { asset?: number; artist?: string; from?: string; to?: string; period?: number } = {}) =>
      `/artist/analytics${query(filters)}`,
  },
  // --- fan: search, profiles, notifications, messages (issue 17) ---
  // every filter of a search is in the URL, so a search can be shared
  search: {
    pattern: '/search',
    to: (filters: { q?: string; type?: string; genre?: string; year?: number; has_edition?: boolean; cursor?: string } = {}) =>
      `/search${query({ ...filters, has_edition: filters.has_edition === undefined ? undefined : String(filters.has_edition) })}`,
  },
  artist: { pattern: '/artists/:userId', to: (userId: string) => `/artists/${userId}` },
  notifications: { pattern: '/notifications', to: () => '/notifications' },
  messages: { pattern: '/messages', to: (folder?: 'requests') => `/messages${query({ folder })}` },
  conversation: { pattern: '/messages/:conversationId', to: (conversationId: string) => `/messages/${conversationId}` },
} as const
