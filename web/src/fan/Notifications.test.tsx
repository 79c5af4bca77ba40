import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'

import { parseEvent } from '../api/notifications'
import { signIn } from '../api/session'
import { expectAccessible, SLOW } from '../test/axe'
import { json, problem, stubFetch, tokenPair } from '../test/http'
import { renderApp } from '../test/render'

/** A live event stream the test writes into, as the API's SSE route would. */
function eventStream() {
  let controller!: ReadableStreamDefaultController<Uint8Array>
  const body = new ReadableStream<Uint8Array>({ start(c) { controller = c } })
  const encoder = new TextEncoder()
  return {
    response: () => new Response(body, { headers: { 'content-type': 'text/event-stream' } }),
    send: (text: string) => controller.enqueue(encoder.encode(text)),
  }
}

const notification = (id: string, summary: string, read: boolean, extra: Record<string, unknown> = {}) => ({
  id, kind: 'like', subject_type: 'recording', subject_id: '7', actor_count: 12, event_count: 12,
  actors: [{ id: 'a42a2673-204f-4078-92d9-72ab719f7d14', name: 'Ana' }], summary, data: {}, read,
  created_at: '2026-12-04T10:00:00Z', updated_at: '2026-12-04T11:00:00Z', ...extra,
})
const LIKES = '3f2b8c1e-7a4d-4e9b-9c61-2d5e8f0a7b13'
const FOLLOW = '7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f'

const nav = () => screen.findByRole('navigation', { name: 'Main' })

describe('notifications', () => {
  it('the header’s unread count follows the live stream', async () => {
    const stream = eventStream()
    let unread = 2
    const calls = stubFetch({
      'POST /v1/auth/login': () => json(tokenPair()),
      'GET /v1/me/notifications/stream': () => stream.response(),
      'GET /v1/me/notifications/unread-count': () => json({ unread_count: unread }),
      'GET /v1/trending': () => json({ formula_version: 'v1', kind: 'recording', window: '7d', genre: null,
                                       territory: null, computed_at: null, items: [] }),
      'GET /v1/me/recommendations': () => json({ model_version: null, cold_start: true, for_you: [],
                                                 new_from_followed: [], because_you_played: [] }),
      'GET /v1/me/feed': () => json({ items: [], next_cursor: null }),
    })
    await signIn('ada@example.org', 'correct horse 42!')
    renderApp('/')
    const link = await within(await nav()).findByRole('link', { name: 'Notifications' })
    stream.send('event: unread\ndata: {"unread_count": 2}\n\n')
    await waitFor(() => expect(link).toHaveAccessibleName('Notifications, 2 unread'))
    expect(calls.some((c) => c.path === '/v1/me/notifications/unread-count')).toBe(false) // no polling while live
    unread = 3
    stream.send(': heartbeat\n\nevent: notification\ndata: {"type": "notification", "id": "x", "kind": "like"}\n\n')
    await waitFor(() => expect(link).toHaveAccessibleName('Notifications, 3 unread'))
    expect(link).toHaveAttribute('href', '/notifications')
  }, SLOW)

  it('polls the count when the stream is refused', async () => {
    const calls = stubFetch({
      'POST /v1/auth/login': () => json(tokenPair()),
      'GET /v1/me/notifications/stream': () => problem(503, 'unavailable', 'Service unavailable'),
      'GET /v1/me/notifications/unread-count': () => json({ unread_count: 5 }),
      'GET /v1/search/suggest': () => json({ data: [] }),
    })
    await signIn('ada@example.org', 'correct horse 42!')
    renderApp('/search')
    expect(await within(await nav()).findByRole('link', { name: 'Notifications, 5 unread' })).toBeInTheDocument()
    expect(calls.filter((c) => c.path === '/v1/me/notifications/stream')).toHaveLength(1)
  }, SLOW)

  it('lists grouped notifications, marks them read, and filters unread ones in the URL', async () => {
    let readAll = false
    const calls = stubFetch({
      'POST /v1/auth/login': () => json(tokenPair()),
      'GET /v1/me/notifications/stream': () => eventStream().response(),
      'GET /v1/me/notifications': (_r, url) => {
        const items = [notification(LIKES, 'Ana and 11 others liked Blue Hour', readAll),
                       notification(FOLLOW, 'Mira followed you', true, { kind: 'follow', subject_type: 'account',
                                                                          subject_id: 'a42a2673-204f-4078-92d9-72ab719f7d14' })]
        const shown = url.searchParams.get('unread_only') === 'true' ? items.filter((n) => !n.read) : items
        return json({ items: shown, next_cursor: null, unread_count: readAll ? 0 : 1 })
      },
      [`POST /v1/me/notifications/${LIKES}/read`]: () => json(notification(LIKES, 'Ana and 11 others liked Blue Hour', true)),
      'POST /v1/me/notifications/read-all': () => { readAll = true; return json({ marked: 1, unread_count: 0 }) },
    })
    await signIn('ada@example.org', 'correct horse 42!')
    const { router } = renderApp('/notifications')
    const list = await screen.findByRole('list', { name: 'Your notifications' })
    const [likes, follow] = within(list).getAllByRole('listitem')
    expect(within(likes!).getByRole('link', { name: 'Ana and 11 others liked Blue Hour' })).toHaveAttribute('href', '/catalog/7')
    expect(likes).toHaveTextContent('new')
    expect(within(follow!).getByRole('link', { name: 'Mira followed you' }))
      .toHaveAttribute('href', '/artists/a42a2673-204f-4078-92d9-72ab719f7d14')
    expect(within(follow!).queryByRole('button')).not.toBeInTheDocument()
    await expectAccessible()

    const user = userEvent.setup()
    await user.click(within(likes!).getByRole('button', { name: 'Mark “Ana and 11 others liked Blue Hour” read' }))
    await waitFor(() => expect(calls.some((c) => c.path === `/v1/me/notifications/${LIKES}/read`)).toBe(true))

    await user.click(screen.getByRole('checkbox', { name: 'Unread only' }))
    await waitFor(() => expect(router.state.location.search).toBe('?unread=1'))
    expect(await screen.findByRole('list', { name: 'Your notifications' })).toHaveTextContent('Ana and 11 others')
    expect(screen.queryByText('Mira followed you')).not.toBeInTheDocument()
    await user.click(screen.getByRole('button', { name: 'Mark all read' }))
    expect(await screen.findByText('Nothing unread.')).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Mark all read' })).not.toBeInTheDocument()
  }, SLOW)

  it('reads server-sent events as the API writes them', () => {
    expect(parseEvent('event: unread\ndata: {"unread_count": 2}')).toEqual({ event: 'unread', data: '{"unread_count": 2}' })
    expect(parseEvent(': heartbeat')).toBeNull()
    expect(parseEvent('data: a\ndata: b')).toEqual({ event: 'message', data: 'a\nb' })
  })
})
