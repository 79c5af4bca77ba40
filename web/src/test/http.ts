/**
 * The network edge for tests: `globalThis.fetch` replaced by a table of routes. Our own modules run unchanged
 * (no `vi.mock`), so a test exercises the real client, `unwrap()`, the session and the pages.
 */
import { vi } from 'vitest'

export type Handler = (request: Request, url: URL) => Response | Promise<Response>
export interface Call {
  method: string
  path: string
  request: Request
  body: unknown
}

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })

export const problem = (status: number, slug: string, title: string, extra: Record<string, unknown> = {}) =>
  new Response(JSON.stringify({ type: `https://harmoni.music/problems/${slug}`, title, status, ...extra }),
    { status, headers: { 'content-type': 'application/problem+json' } })

/** Routes are `"METHOD /path"` (the path without the query) or `"METHOD http://host/path"`. Unknown ones fail loud. */
export function stubFetch(routes: Record<string, Handler>): Call[] {
  const calls: Call[] = []
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(String(input), init)
    const url = new URL(request.url)
    const text = request.method === 'GET' ? '' : await request.clone().text()
    let body: unknown = text
    try {
      body = text ? JSON.parse(text) : undefined
    } catch { /* not JSON */ }
    calls.push({ method: request.method, path: url.pathname, request, body })
    const handler = routes[`${request.method} ${url.pathname}`] ?? routes[`${request.method} ${url.origin}${url.pathname}`]
    if (!handler) throw new Error(`no stub for ${request.method} ${url.href}`)
    return handler(request, url)
  })
  vi.stubGlobal('fetch', fetch)
  return calls
}

export const USER: { id: string; email: string | null; roles: string[]; created_at: string } = { id: '0b0e0000-0000-4000-8000-000000000001', email: 'ada@example.org', roles: ['artist'],
                      created_at: '2026-11-25T10:00:00Z' }

export const tokenPair = (access = 'access-1', refresh = 'refresh-1', expiresIn = 900, user = USER) => ({
  access_token: access, token_type: 'bearer', expires_in: expiresIn, refresh_token: refresh,
  refresh_expires_in: 2592000, user,
})
