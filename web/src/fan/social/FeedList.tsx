import type { InfiniteData, UseInfiniteQueryResult } from '@tanstack/react-query'
import { Link } from 'react-router'

import { paths } from '../../app/paths'
import { t } from '../../app/strings'
import type { FeedItem, FeedPage, Post } from '../../api/social'
import { Empty, ErrorState, Loading } from '../../components/states'
import { formatDate } from '../../lib/format'
import { RecordingLink } from './RecordingLink'

export function Author({ id, handle }: { id: string; handle: string | null | undefined }) {
  return <Link to={paths.artist.to(id)}>{handle ? t.feed.handle(handle) : t.feed.someone}</Link>
}

function PostBody({ post }: { post: Post }) {
  return (
    <div className="post">
      <p>{post.text}</p>
      {post.attachments.filter((a) => a.type === 'recording').map((a) => (
        <p key={a.id}><RecordingLink assetId={Number(a.id)} /></p>
      ))}
      <p className="muted">
        {formatDate(post.created_at)}{post.edited_at ? ` · ${t.feed.edited}` : ''}
      </p>
    </div>
  )
}

function Subject({ item }: { item: FeedItem }) {
  if (item.post) return <PostBody post={item.post} />
  if (item.subject_type === 'recording') return <p><RecordingLink assetId={Number(item.subject_id)} /></p>
  if (item.subject_type === 'edition') return <p>{t.feed.edition(item.subject_id)}</p>
  return <p className="muted">{t.feed.post}</p>
}

function Entry({ item }: { item: FeedItem }) {
  const who = <Author id={item.actor_id} handle={item.actor_handle} />
  const verb = item.kind === 'post' ? t.feed.posted : item.kind === 'repost' ? t.feed.reposted : t.feed.released
  // the verb's words around the author's link: "@mira reposted"
  const [before, after] = verb('\u0000').split('\u0000')
  return (
    <li className="feed-item">
      <article aria-label={verb(item.actor_handle ? t.feed.handle(item.actor_handle) : t.feed.someone)}>
        <p className="feed-head">{before}{who}{after} <span className="muted">· {formatDate(item.at)}</span></p>
        {item.comment && <blockquote>{item.comment}</blockquote>}
        <Subject item={item} />
      </article>
    </li>
  )
}

/** A feed or timeline: each item once (the API puts a repost under the first of the reposters), then "Load more". */
export function FeedList({ query, label, empty = t.feed.empty }: {
  query: UseInfiniteQueryResult<InfiniteData<FeedPage>>; label: string; empty?: string
}) {
  if (query.isPending) return <Loading />
  if (query.isError) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />
  const items = query.data.pages.flatMap((page) => page.items)
  if (items.length === 0) return <Empty>{empty}</Empty>
  return (
    <>
      <ul className="feed" aria-label={label}>
        {items.map((item) => <Entry key={item.key} item={item} />)}
      </ul>
      {query.hasNextPage && (
        <button type="button" className="secondary" disabled={query.isFetchingNextPage}
          onClick={() => void query.fetchNextPage()}>
          {query.isFetchingNextPage ? t.feed.loadingMore : t.feed.more}
        </button>
      )}
    </>
  )
}
