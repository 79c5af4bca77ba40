/**
 * The signed-in user's notifications (`/v1/me/notifications`): grouped items, the unread count, marking read, and
 * live updates from the Server-Sent Events route. EventSource cannot send the bearer token (tokens stay out of
 * URLs, and there is no cookie session), so the stream is read with fetch and parsed here; when it cannot be read,
 * the unread count is polled instead.
 */
import { infiniteQueryOptions, queryOptions, useInfiniteQuery, useMutation, useQuery, useQueryClient,
         type QueryClient } from '@tanstack/react-query'
import { useEffect, useState } from 'react'

import { api, type Schemas } from './client'
import { ApiError, toApiError, unwrap } from './errors'

export type Notification = Schemas['NotificationOut']
type UnreadCount = Schemas['UnreadCount']

export const POLL_MS = 30_000
export const RECONNECT_MS = 3_000

export const notificationKeys = {
  all: ['notifications'] as const,
  list: (unreadOnly: boolean) => ['notifications', 'list', { unreadOnly }] as const,
  unread: ['notifications', 'unread'] as const,
}

export const notificationsOptions = (unreadOnly: boolean) =>
  infiniteQueryOptions({
    queryKey: notificationKeys.list(unreadOnly),
    queryFn: ({ pageParam }) => unwrap(api.GET('/v1/me/notifications', {
      params: { query: { cursor: pageParam, unread_only: unreadOnly } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  })

export const unreadOptions = () =>
  queryOptions({ queryKey: notificationKeys.unread, queryFn: () => unwrap(api.GET('/v1/me/notifications/unread-count')) })

export const useNotifications = (unreadOnly: boolean) => useInfiniteQuery(notificationsOptions(unreadOnly))

function setUnread(client: QueryClient, count: number) {
  client.setQueryData<UnreadCount>(notificationKeys.unread, { unread_count: count })
}

/** Mark one notification read (`id`), or all of them (null). */
export function useMarkRead() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: async (id: string | null) => {
      if (id === null) setUnread(client, (await unwrap(api.POST('/v1/me/notifications/read-all'))).unread_count)
      else await unwrap(api.POST('/v1/me/notifications/{notification_id}/read', { params: { path: { notification_id: id } } }))
    },
    onSettled: () => client.invalidateQueries({ queryKey: notificationKeys.all }),
  })
}

/** One server-sent event from a block of `event:` / `data:` lines (comment lines, the heartbeats, are skipped). */
export function parseEvent(block: string): { event: string; data: string } | null {
  let event = 'message'
  const data: string[] = []
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith(':') || !line) continue
    const [field, ...rest] = line.split(':')
    const value = rest.join(':').replace(/^ /, '')
    if (field === 'event') event = value
    else if (field === 'data') data.push(value)
  }
  return data.length ? { event, data: data.join('\n') } : null
}

/** Reads the stream until it ends (the server closes it after a while) or `stop` cancels it. */
async function follow(client: QueryClient, stop: { cancel?: () => void }): Promise<void> {
  const { data, error, response } = await api.GET('/v1/me/notifications/stream', { parseAs: 'stream' })
  if (!response.ok || !data) throw toApiError(response, error)
  const reader = data.getReader()
  stop.cancel = () => void reader.cancel().catch(() => undefined)
  const decoder = new TextDecoder()
  let buffer = ''
  for (;;) {
    const { value, done } = await reader.read()
    if (done) return
    buffer += decoder.decode(value, { stream: true })
    let end: number
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const parsed = parseEvent(buffer.slice(0, end))
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '')
      if (!parsed) continue
      if (parsed.event === 'unread') setUnread(client, (JSON.parse(parsed.data) as UnreadCount).unread_count)
      else {
        // a new or read notification: the count (whose query does not poll while the stream is live) and the lists
        void client.fetchQuery({ ...unreadOptions(), staleTime: 0 })
        void client.invalidateQueries({ queryKey: notificationKeys.list(false).slice(0, 2) })
      }
    }
  }
}

/**
 * The unread count, kept live while `enabled` (signed in): from the stream, reconnecting when the server ends it;
 * polled every POLL_MS when the stream fails twice in a row or is refused.
 */
export function useUnreadCount(enabled: boolean) {
  const client = useQueryClient()
  const [live, setLive] = useState(true)
  useEffect(() => {
    if (!enabled) return
    const stop: { stopped?: boolean; cancel?: () => void; timer?: ReturnType<typeof setTimeout> } = {}
    let failures = 0
    const connect = () => {
      follow(client, stop).then(() => { failures = 0 }, (err: unknown) => { failures += 1; return err })
        .then((err) => {
          if (stop.stopped) return
          if (failures >= 2 || err instanceof ApiError) setLive(false)
          else stop.timer = setTimeout(connect, RECONNECT_MS)
        })
    }
    connect()
    return () => {
      stop.stopped = true
      clearTimeout(stop.timer)
      stop.cancel?.()
    }
  }, [client, enabled])
  // while live, the stream's first event brings the count; polling only without it
  return useQuery({ ...unreadOptions(), enabled: enabled && !live, refetchInterval: live ? false : POLL_MS })
}
