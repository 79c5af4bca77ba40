/** The one typed HTTP client of the app (openapi-fetch over the generated `schema.d.ts`). */
import createClient, { type Middleware } from 'openapi-fetch'

import type { components, paths } from './schema'

export type Schemas = components['schemas']

type TokenSource = () => Promise<string | null>
let tokenSource: TokenSource = async () => null

/** Where the bearer token comes from (the session module sets it; tests may too). */
export function authorizeWith(source: TokenSource): void {
  tokenSource = source
}

const bearer: Middleware = {
  async onRequest({ request, schemaPath }) {
    if (schemaPath.startsWith('/v1/auth/') && !schemaPath.startsWith('/v1/auth/users/')) return request
    const token = await tokenSource()
    if (token) request.headers.set('Authorization', `Bearer ${token}`)
    return request
  },
}

/** Same origin as the page: the API serves the app (and Vite's dev server proxies /v1). */
export const api = createClient<paths>({
  baseUrl: globalThis.location?.origin ?? 'http://127.0.0.1:8000',
  // Looked up per call, so a test's stub at the network edge (globalThis.fetch) is the one used.
  fetch: (request: Request) => globalThis.fetch(request),
})
api.use(bearer)
