import { useId, useState, type FormEvent } from 'react'

import { t } from '../../app/strings'
import { ValidationError } from '../../api/errors'
import { useAddComment, useComments, type Comment } from '../../api/social'
import { useSession } from '../../api/session'
import { Empty, ErrorState, errorMessage, FieldError, Loading } from '../../components/states'
import { formatDate } from '../../lib/format'
import { usePlayer } from '../player/store'
import { Author } from './FeedList'

export function clock(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`
}

/** "at 1:32": plays the recording from that moment (starting it first when another one, or none, is loaded). */
function Moment({ assetId, title, seconds }: { assetId: number; title: string; seconds: number }) {
  const session = useSession()
  const [state, player] = usePlayer()
  const at = clock(seconds)
  if (session.status !== 'signed-in') return <span className="muted">{t.social.seek(at)}</span>
  async function seek() {
    if (state.queue[state.index]?.assetId !== assetId) await player.playQueue([{ assetId, title }])
    player.seek(seconds)
    if (player.getState().status !== 'playing') await player.play()
  }
  return <button type="button" className="link" aria-label={t.social.seekLabel(at)} onClick={() => void seek()}>{t.social.seek(at)}</button>
}

function CommentForm({ assetId, parent, onDone }: { assetId: number; parent?: Comment; onDone?: () => void }) {
  const id = useId()
  const add = useAddComment(assetId)
  const [text, setText] = useState('')
  const [at, setAt] = useState('')
  const fields = add.error instanceof ValidationError ? add.error.fields : {}
  const who = parent ? (parent.author_handle ? `@${parent.author_handle}` : t.feed.someone) : ''
  function send(event: FormEvent) {
    event.preventDefault()
    add.mutate({ text: text.trim(), parent_id: parent?.id ?? null, at: at.trim() || null }, {
      onSuccess: () => { setText(''); setAt(''); onDone?.() },
    })
  }
  return (
    <form onSubmit={send} className="comment-form">
      <label htmlFor={`${id}-text`}>{parent ? t.social.replyLabel(who) : t.social.comment}</label>
      <textarea id={`${id}-text`} required maxLength={2000} value={text} onChange={(e) => setText(e.target.value)}
        aria-invalid={fields.text ? true : undefined} aria-describedby={fields.text ? `${id}-text-error` : undefined} />
      <FieldError id={`${id}-text-error`} message={fields.text} />
      {!parent && (
        <>
          <label htmlFor={`${id}-at`}>{t.social.at}</label>
          <input id={`${id}-at`} value={at} onChange={(e) => setAt(e.target.value)} maxLength={20}
            aria-invalid={fields.at ? true : undefined} aria-describedby={`${id}-at-hint${fields.at ? ` ${id}-at-error` : ''}`} />
          <p id={`${id}-at-hint`} className="hint">{t.social.atHint}</p>
          <FieldError id={`${id}-at-error`} message={fields.at} />
        </>
      )}
      <button type="submit" disabled={add.isPending}>{parent ? t.social.sendReply : t.social.send}</button>
      {add.isError && !(add.error instanceof ValidationError && Object.keys(fields).length) && (
        <p className="form-error" role="alert">{errorMessage(add.error)}</p>
      )}
    </form>
  )
}

function CommentView({ comment, assetId, title }: { comment: Comment; assetId: number; title: string }) {
  if (comment.removed) return <p className="muted">{t.social.removed}</p>
  return (
    <>
      <p className="feed-head">
        <Author id={comment.author_id} handle={comment.author_handle} />{' '}
        {comment.at_seconds !== null && <Moment assetId={assetId} title={title} seconds={comment.at_seconds} />}{' '}
        <span className="muted">· {formatDate(comment.created_at)}</span>
      </p>
      <p>{comment.text}</p>
    </>
  )
}

/** A recording's comment threads (a comment and its replies), oldest first, with "at 1:32" moments that seek. */
export function Comments({ assetId, title }: { assetId: number; title: string }) {
  const session = useSession()
  const comments = useComments(assetId)
  const [replying, setReplying] = useState<string | null>(null)
  return (
    <section aria-labelledby="comments-title">
      <h2 id="comments-title">{t.social.commentsTitle}</h2>
      {session.status === 'signed-in' && <CommentForm assetId={assetId} />}
      {comments.isPending ? <Loading /> : comments.isError ? <ErrorState error={comments.error} /> : (() => {
        const threads = comments.data.pages.flatMap((p) => p.items)
        if (threads.length === 0) return <Empty>{t.social.noComments}</Empty>
        return (
          <ul className="threads" aria-label={t.social.commentsTitle}>
            {threads.map(({ comment, replies }) => {
              const who = comment.author_handle ? `@${comment.author_handle}` : t.feed.someone
              return (
                <li key={comment.id} className="feed-item">
                  <article aria-label={who}>
                    <CommentView comment={comment} assetId={assetId} title={title} />
                    {replies.length > 0 && (
                      <ul className="replies">
                        {replies.map((r) => <li key={r.id}><CommentView comment={r} assetId={assetId} title={title} /></li>)}
                      </ul>
                    )}
                    {session.status === 'signed-in' && !comment.removed && (replying === comment.id
                      ? <CommentForm assetId={assetId} parent={comment} onDone={() => setReplying(null)} />
                      : <button type="button" className="link" onClick={() => setReplying(comment.id)}>{t.social.reply(who)}</button>)}
                  </article>
                </li>
              )
            })}
          </ul>
        )
      })()}
      {comments.hasNextPage && (
        <button type="button" className="secondary" onClick={() => void comments.fetchNextPage()}>{t.social.moreComments}</button>
      )}
    </section>
  )
}
