/** An author's posts (`/v1/posts`, `/v1/accounts/{id}/timeline`): writing, editing (the old text kept), deleting. */
import { infiniteQueryOptions, queryOptions, useInfiniteQuery, useMutation, useQuery, useQueryClient }
  from '@tanstack/react-query'

import { api, type Schemas } from './client'
import { unwrap } from './errors'

export type Post = Schemas['PostOut']
export type PostIn = Schemas['PostIn']
export type Entity = Schemas['Entity']
export type Revision = Schemas['RevisionOut']

export const postKeys = {
  all: ['posts'] as const,
  timeline: (userId: string) => ['posts', 'timeline', { author: userId }] as const,
  revisions: (postId: string) => ['posts', 'revisions', postId] as const,
}

export const timelineOptions = (userId: string) =>
  infiniteQueryOptions({
    queryKey: postKeys.timeline(userId),
    queryFn: ({ pageParam }) => unwrap(api.GET('/v1/accounts/{user_id}/timeline', {
      params: { path: { user_id: userId }, query: { cursor: pageParam, limit: 30 } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  })

export const revisionsOptions = (postId: string) =>
  queryOptions({
    queryKey: postKeys.revisions(postId),
    queryFn: () => unwrap(api.GET('/v1/posts/{post_id}/revisions', { params: { path: { post_id: postId } } })),
  })

/** The author's own posts, newest first (reposts and releases of the timeline left out). */
export function useOwnPosts(userId: string) {
  const query = useInfiniteQuery(timelineOptions(userId))
  const posts = (query.data?.pages ?? []).flatMap((page) => page.items)
    .filter((item) => item.kind === 'post' && item.actor_id === userId && item.post)
    .map((item) => item.post!)
  return { ...query, posts }
}

export const useRevisions = (postId: string, enabled: boolean) => useQuery({ ...revisionsOptions(postId), enabled })

function usePostMutation<I, O>(call: (input: I) => Promise<O>) {
  const client = useQueryClient()
  return useMutation({ mutationFn: call, onSuccess: () => client.invalidateQueries({ queryKey: postKeys.all }) })
}

export const useCreatePost = () => usePostMutation((body: PostIn) => unwrap(api.POST('/v1/posts', { body })))

export const useEditPost = () =>
  usePostMutation(({ postId, text }: { postId: string; text: string }) =>
    unwrap(api.PATCH('/v1/posts/{post_id}', { params: { path: { post_id: postId } }, body: { text } })))

export const useDeletePost = () =>
  usePostMutation((postId: string) =>
    unwrap(api.DELETE('/v1/posts/{post_id}', { params: { path: { post_id: postId } } })))
