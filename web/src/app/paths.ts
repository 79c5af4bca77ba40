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
