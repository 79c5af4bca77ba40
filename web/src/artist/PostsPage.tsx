import { t } from '../app/strings'
import { useControlledAssets, useCreatorEditions } from '../api/artistEditions'
import { useWallets } from '../api/me'
import { useOwnPosts } from '../api/posts'
import { useSession } from '../api/session'
import { useUploads } from '../api/uploads'
import { Empty, ErrorState, Loading } from '../components/states'
import { PostCard } from './PostCard'
import { PostComposer } from './PostComposer'

const s = t.posts

function OwnPosts({ userId }: { userId: string }) {
  const posts = useOwnPosts(userId)
  if (posts.isPending) return <Loading />
  if (posts.isError) return <ErrorState error={posts.error} onRetry={() => void posts.refetch()} />
  return (
    <>
      {posts.posts.length === 0 ? <Empty>{s.none}</Empty> : posts.posts.map((p) => <PostCard key={p.id} post={p} />)}
      {posts.hasNextPage && (
        <button type="button" className="secondary" disabled={posts.isFetchingNextPage}
          onClick={() => void posts.fetchNextPage()}>{s.more}</button>
      )}
    </>
  )
}

/** The artist's posts: the composer, then what they wrote, newest first. */
export function PostsPage() {
  const session = useSession()
  const wallets = useWallets()
  const addresses = (wallets.data ?? []).map((w) => w.address)
  const assets = useControlledAssets(addresses)
  const editions = useCreatorEditions(addresses)
  const uploads = useUploads()
  if (session.status !== 'signed-in') return null
  const attachable = {
    recordings: assets.data.filter((a) => a.kind === 'recording'),
    editions: editions.data,
    images: (uploads.data?.items ?? []).filter((u) => u.kind === 'artwork' && u.state === 'ready'),
  }
  return (
    <section>
      <h1>{s.title}</h1>
      <p>{s.intro}</p>
      <PostComposer attachable={attachable} />
      <h2>{s.yours}</h2>
      <OwnPosts userId={session.user.id} />
    </section>
  )
}
