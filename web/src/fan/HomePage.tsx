import { t } from '../app/strings'
import { HomePage as Welcome } from '../app/HomePage'
import { useFeed } from '../api/social'
import { useSession } from '../api/session'
import { FeedList } from './social/FeedList'
import { Recommendations, TrendingArtists, TrendingTracks } from './social/Rows'

function SignedInHome() {
  const feed = useFeed(true)
  return (
    <section className="home">
      <h1>{t.app.name}</h1>
      <Recommendations />
      <section aria-labelledby="feed-title">
        <h2 id="feed-title">{t.feed.title}</h2>
        <FeedList query={feed} label={t.feed.title} />
      </section>
    </section>
  )
}

/** Home: the signed-in listener's feed and rows; for visitors, what HARMONI is. Trending for everyone. */
export function HomePage() {
  const session = useSession()
  return (
    <>
      {session.status === 'signed-in' ? <SignedInHome /> : <Welcome />}
      <TrendingTracks />
      <TrendingArtists />
    </>
  )
}
