import { useState, type FormEvent } from 'react'
import { Link } from 'react-router'

import { paths } from '../../app/paths'
import { t } from '../../app/strings'
import { useLikeRecording, useRecordingSocial, useRepostRecording } from '../../api/social'
import { useSession } from '../../api/session'
import { ErrorState, errorMessage } from '../../components/states'
import { Author } from './FeedList'

function RepostControl({ assetId, reposted }: { assetId: number; reposted: boolean }) {
  const repost = useRepostRecording(assetId)
  const [writing, setWriting] = useState(false)
  const [comment, setComment] = useState('')
  if (reposted) {
    return (
      <>
        <span className="muted">{t.social.reposted}</span>
        <button type="button" className="secondary" disabled={repost.isPending} onClick={() => repost.mutate(null)}>
          {t.social.undoRepost}
        </button>
      </>
    )
  }
  function send(event: FormEvent) {
    event.preventDefault()
    repost.mutate(comment.trim() || undefined, { onSuccess: () => { setWriting(false); setComment('') } })
  }
  return writing ? (
    <form onSubmit={send} className="repost-form">
      <label htmlFor="repost-comment">{t.social.repostComment}</label>
      <textarea id="repost-comment" maxLength={500} value={comment} onChange={(e) => setComment(e.target.value)} />
      <div className="row">
        <button type="submit" disabled={repost.isPending}>{t.social.repostSend}</button>
        <button type="button" className="secondary" onClick={() => setWriting(false)}>{t.social.cancel}</button>
      </div>
      {repost.isError && <p className="form-error" role="alert">{errorMessage(repost.error)}</p>}
    </form>
  ) : (
    <button type="button" className="secondary" onClick={() => setWriting(true)}>{t.social.repost}</button>
  )
}

/** A recording's artist, counts, and the listener's like (optimistic) and repost (with an optional comment). */
export function RecordingSocialBar({ assetId }: { assetId: number }) {
  const session = useSession()
  const social = useRecordingSocial(assetId)
  const like = useLikeRecording(assetId)
  if (social.isPending) return null
  if (social.isError) return <ErrorState error={social.error} />
  const { counts, viewer, artist_id, artist_handle } = social.data
  const liked = viewer?.liked ?? false
  return (
    <section className="social-bar" aria-label={t.social.region}>
      {artist_id && <p>{t.social.by} <Author id={artist_id} handle={artist_handle} /></p>}
      <p className="row">
        <span>{t.social.likes(counts.likes)}</span>
        <span>{t.social.reposts(counts.reposts)}</span>
        <span>{t.social.comments(counts.comments)}</span>
      </p>
      {session.status === 'signed-in' && viewer ? (
        <div className="row">
          <button type="button" aria-pressed={liked} onClick={() => like.mutate(!liked)}>{t.social.like}</button>
          <RepostControl assetId={assetId} reposted={viewer.reposted} />
        </div>
      ) : session.status !== 'signed-in' && (
        <p className="muted"><Link to={paths.signIn.to(paths.asset.to(assetId))}>{t.social.signInToJoin}</Link></p>
      )}
      {like.isError && <p className="form-error" role="alert">{errorMessage(like.error)}</p>}
    </section>
  )
}
