/**
 * The social layer: accounts and follows (`/v1/accounts`), the home feed and timelines, likes and reposts,
 * a recording's comment threads. Likes and follows are optimistic: the page changes at once and rolls back
 * when the API refuses.
 */
import {
  infiniteQueryOptions,
  queryOptions,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type QueryKey,
} from '@tanstack/react-query'

import { api, type Schemas } from './client'
import { unwrap } from './errors'

export type Account = Schemas['AccountOut']
export type FeedItem = Schemas['FeedItemOut']
export type FeedPage = Schemas['FeedPageOut']
export type Post = Schemas['PostOut']
export type Comment = Schemas['CommentOut']
export type Thread = Schemas['ThreadOut']
export type RecordingSocial = Schemas['RecordingSocialOut']

export const FEED_PAGE = 20

export const socialKeys = {
  account: (userId: string) => ['accounts', userId] as const,
  feed: ['feed'] as const,
  timeline: (userId: string) => ['timeline', userId] as const,
  comments: (assetId: number) => ['comments', { recording: assetId }] as const,
  recording: (assetId: number) => ['social', { recording: assetId }] as const,
}

export const recordingSocialOptions = (assetId: number) =>
  queryOptions({
    queryKey: socialKeys.recording(assetId),
    queryFn: () => unwrap(api.GET('/v1/recordings/{asset_id}/social', { params: { path: { asset_id: assetId } } })),
  })

export const accountOptions = (userId: string) =>
  queryOptions({
    queryKey: socialKeys.account(userId),
    queryFn: () => unwrap(api.GET('/v1/accounts/{user_id}', { params: { path: { user_id: userId } } })),
  })

const byCursor = { initialPageParam: undefined as string | undefined,
                   getNextPageParam: (page: { next_cursor: string | null }) => page.next_cursor ?? undefined }

export const feedOptions = () =>
  infiniteQueryOptions({
    queryKey: socialKeys.feed,
    queryFn: ({ pageParam }) => unwrap(api.GET('/v1/me/feed', { params: { query: { cursor: pageParam, limit: FEED_PAGE } } })),
    ...byCursor,
  })

export const timelineOptions = (userId: string) =>
  infiniteQueryOptions({
    queryKey: socialKeys.timeline(userId),
    queryFn: ({ pageParam }) => unwrap(api.GET('/v1/accounts/{user_id}/timeline', {
      params: { path: { user_id: userId }, query: { cursor: pageParam, limit: FEED_PAGE } } })),
    ...byCursor,
  })

export const commentsOptions = (assetId: number) =>
  infiniteQueryOptions({
    queryKey: socialKeys.comments(assetId),
    queryFn: ({ pageParam }) => unwrap(api.GET('/v1/recordings/{asset_id}/comments', {
      params: { path: { asset_id: assetId }, query: { cursor: pageParam } } })),
    ...byCursor,
  })

export const useAccount = (userId: string) => useQuery(accountOptions(userId))
export const useRecordingSocial = (assetId: number) => useQuery(recordingSocialOptions(assetId))
export const useFeed = (enabled: boolean) => useInfiniteQuery({ ...feedOptions(), enabled })
export const useTimeline = (userId: string) => useInfiniteQuery(timelineOptions(userId))
export const useComments = (assetId: number) => useInfiniteQuery(commentsOptions(assetId))

/** A write shown before the API answers: `change` edits the cached value, undone if the request fails. */
function useOptimisticWrite<T, V>(key: QueryKey, change: (old: T, vars: V) => T, write: (vars: V) => Promise<unknown>,
                             also: QueryKey[] = []) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: write,
    onMutate: async (vars: V) => {
      await client.cancelQueries({ queryKey: key })
      const before = client.getQueryData<T>(key)
      if (before !== undefined) client.setQueryData<T>(key, change(before, vars))
      return { before }
    },
    onError: (_err, _vars, context) => {
      if (context?.before !== undefined) client.setQueryData(key, context.before)
    },
    onSettled: () => Promise.all([key, ...also].map((queryKey) => client.invalidateQueries({ queryKey }))),
  })
}

/** Follow (true) or unfollow (false) an account; its follower count and the relationship move at once. */
export function useFollow(userId: string) {
  return useOptimisticWrite<Account, boolean>(socialKeys.account(userId), (old, follow) => {
    const was = old.relationship?.following ?? false
    const delta = follow === was ? 0 : follow ? 1 : -1
    return { ...old, counts: { ...old.counts, followers: old.counts.followers + delta },
             relationship: { follows_you: false, blocking: false, muting: false, ...old.relationship, following: follow } }
  }, (follow) => {
    const params = { params: { path: { user_id: userId } } }
    return unwrap(follow ? api.PUT('/v1/accounts/{user_id}/follow', params) : api.DELETE('/v1/accounts/{user_id}/follow', params))
  }, [socialKeys.feed])
}

export function useAddComment(assetId: number) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (body: Schemas['CommentIn']) => unwrap(api.POST('/v1/recordings/{asset_id}/comments', {
      params: { path: { asset_id: assetId } }, body })),
    onSuccess: () => Promise.all([socialKeys.comments(assetId), socialKeys.recording(assetId)]
      .map((queryKey) => client.invalidateQueries({ queryKey }))),
  })
}

const recordingPath = (assetId: number) => ({ params: { path: { subject_type: 'recording' as const, subject_id: String(assetId) } } })

/** Like (true) or unlike (false) a recording; its count and the button move at once. */
export function useLikeRecording(assetId: number) {
  return useOptimisticWrite<RecordingSocial, boolean>(socialKeys.recording(assetId), (old, like) => {
    const was = old.viewer?.liked ?? false
    const delta = like === was ? 0 : like ? 1 : -1
    return { ...old, counts: { ...old.counts, likes: old.counts.likes + delta },
             viewer: { reposted: false, ...old.viewer, liked: like } }
  }, (like) => unwrap(like ? api.PUT('/v1/likes/{subject_type}/{subject_id}', recordingPath(assetId))
    : api.DELETE('/v1/likes/{subject_type}/{subject_id}', recordingPath(assetId))))
}

/** Repost a recording with an optional comment, or (null) take the repost back. Not optimistic: it may be refused. */
export function useRepostRecording(assetId: number) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (comment: string | null | undefined): Promise<unknown> => comment === null
      ? unwrap(api.DELETE('/v1/reposts/{subject_type}/{subject_id}', recordingPath(assetId)))
      : unwrap(api.PUT('/v1/reposts/{subject_type}/{subject_id}', { ...recordingPath(assetId), body: comment ? { comment } : undefined })),
    onSettled: () => Promise.all([socialKeys.recording(assetId), socialKeys.feed]
      .map((queryKey) => client.invalidateQueries({ queryKey }))),
  })
}

// --- direct messages ---------------------------------------------------------------------------------------------

export type Folder = 'inbox' | 'requests'
export type Conversation = Schemas['ConversationOut']
export type Message = Schemas['MessageOut']

export const messageKeys = {
  all: ['conversations'] as const,
  list: (folder: Folder) => ['conversations', 'list', { folder }] as const,
  thread: (conversationId: string) => ['conversations', 'thread', conversationId] as const,
}

export const conversationsOptions = (folder: Folder) =>
  queryOptions({
    queryKey: messageKeys.list(folder),
    queryFn: () => unwrap(api.GET('/v1/me/conversations', { params: { query: { folder } } })),
  })

export const threadOptions = (conversationId: string) =>
  queryOptions({
    queryKey: messageKeys.thread(conversationId),
    queryFn: () => unwrap(api.GET('/v1/conversations/{conversation_id}/messages', {
      params: { path: { conversation_id: conversationId } } })),
  })

export const useConversations = (folder: Folder) => useQuery(conversationsOptions(folder))
export const useThread = (conversationId: string) => useQuery(threadOptions(conversationId))

function useConversationWrite<V>(write: (vars: V) => Promise<unknown>) {
  const client = useQueryClient()
  return useMutation({ mutationFn: write, onSettled: () => client.invalidateQueries({ queryKey: messageKeys.all }) })
}

export const useSendMessage = () =>
  useConversationWrite((body: Schemas['MessageIn']) => unwrap(api.POST('/v1/messages', { body })))

export const useReadConversation = () =>
  useConversationWrite((conversationId: string) => unwrap(api.POST('/v1/conversations/{conversation_id}/read', {
    params: { path: { conversation_id: conversationId } } })))

export const useAcceptConversation = () =>
  useConversationWrite((conversationId: string) => unwrap(api.POST('/v1/conversations/{conversation_id}/accept', {
    params: { path: { conversation_id: conversationId } } })))
