import { Link, useLocation, useParams } from 'react-router'

import { paths } from '../app/paths'
import { t } from '../app/strings'
import { useAccount, useFollow, useTimeline, type Account } from '../api/social'
import { useSession } from '../api/session'
import { ErrorState, errorMessage, Loading } from '../components/states'
import { FeedList } from './social/FeedList'

function FollowButton({ account }: { account: Account }) {
  const session = useSession()
  const location = useLocation()
  const follow = useFollow(account.user_id)
  if (session.status !== 'signed-in')
    return <Link to={paths.signIn.to(location.pathname)}>{t.profile.signInToFollow}</Link>
  if (session.user.id === account.user_id) return <p className="muted">{t.profile.you}</p>
  const following = account.relationship?.following ?? false
  return (
    <>
      <button type="button" aria-pressed={following} onClick={() => follow.mutate(!following)}>
        {following ? t.profile.unfollow : t.profile.follow}
      </button>
      {follow.isError && <p className="form-error" role="alert">{errorMessage(follow.error)}</p>}
    </>
  )
}

/** An artist's (or any account's) profile: counts, follow, and the posts, releases and reposts it may show you. */
export function ArtistPage() {
  const userId = useParams().userId ?? ''
  const account = useAccount(userId)
  const timeline = useTimeline(userId)
  if (account.isPending) return <Loading />
  if (account.isError) return <ErrorState error={account.error} onRetry={() => void account.refetch()} />
  const { handle, counts, relationship } = account.data
  return (
    <article>
      <h1>{t.profile.title(handle)}</h1>
      {relationship?.follows_you && <p className="badge">{t.profile.followsYou}</p>}
      <dl className="facts" aria-label={t.profile.title(handle)}>
        <dt>{t.profile.followers}</dt><dd>{counts.followers}</dd>
        <dt>{t.profile.following}</dt><dd>{counts.following}</dd>
        <dt>{t.profile.posts}</dt><dd>{counts.posts}</dd>
        <dt>{t.profile.likes}</dt><dd>{counts.likes}</dd>
      </dl>
      <FollowButton account={account.data} />
      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">{t.profile.timeline}</h2>
        <FeedList query={timeline} label={t.profile.timeline} empty={t.profile.nothingYet} />
      </section>
    </article>
  )
}
