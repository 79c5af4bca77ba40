import { useState } from 'react'

import { t } from '../app/strings'
import { useDeletePost, useEditPost, useRevisions, type Post } from '../api/posts'
import { submitErrors, type SubmitErrors } from '../auth/forms'
import { Empty, ErrorState, Loading } from '../components/states'
import { formatDate } from '../lib/format'
import { Field } from './fields'
import { PostText } from './PostText'

const s = t.posts
const NONE: SubmitErrors = { fields: {}, form: null }

function History({ post }: { post: Post }) {
  const revisions = useRevisions(post.id, true)
  if (revisions.isPending) return <Loading />
  if (revisions.isError) return <ErrorState error={revisions.error} />
  if (revisions.data.length === 0) return <Empty>{s.noHistory}</Empty>
  return (
    <ol aria-label={s.historyLabel(formatDate(post.created_at))}>
      {revisions.data.map((r) => (
        <li key={r.revision}>
          <p className="muted">{s.revision(r.revision, formatDate(r.written_at))}</p>
          <PostText text={r.text} entities={r.entities} />
        </li>
      ))}
    </ol>
  )
}

/** One of the author's posts: its text rendered safely, editable (the old text kept), its history, deletable. */
export function PostCard({ post }: { post: Post }) {
  const written = formatDate(post.created_at)
  const edit = useEditPost()
  const remove = useDeletePost()
  const [draft, setDraft] = useState<string | null>(null)
  const [history, setHistory] = useState(false)
  const [confirming, setConfirming] = useState(false)
  const [errors, setErrors] = useState<SubmitErrors>(NONE)
  const save = () => edit.mutate({ postId: post.id, text: draft ?? '' }, {
    onSuccess: () => { setDraft(null); setErrors(NONE) },
    onError: (err) => setErrors(submitErrors(err, ['text'])),
  })
  return (
    <article className="card" aria-label={s.written(written)}>
      <p className="muted">
        {s.written(written)}{post.edited_at && ` · ${s.edited(formatDate(post.edited_at))}`}
        {' · '}{s.visibleTo[post.visibility] ?? post.visibility}
        {post.edition_id !== null && ` (${t.artistEditions.edition} ${post.edition_id})`}
      </p>
      {draft === null ? <PostText text={post.text} entities={post.entities} /> : (
        <>
          {errors.form && <p className="form-error" role="alert">{errors.form}</p>}
          <Field id={`edit-${post.id}`} label={s.text} error={errors.fields.text}>
            {(a) => <textarea {...a} rows={4} value={draft} onChange={(e) => setDraft(e.target.value)} />}
          </Field>
          <button type="button" disabled={edit.isPending || !draft.trim()} onClick={save}>{s.save}</button>{' '}
          <button type="button" className="secondary" onClick={() => setDraft(null)}>{s.cancel}</button>
        </>
      )}
      {post.attachments.length > 0 && (
        <ul>{post.attachments.map((a) => <li key={`${a.type}:${a.id}`}>{s.attached(a.type, a.id)}</li>)}</ul>
      )}
      <p className="muted">{s.counts(post.counts.likes, post.counts.reposts, post.counts.comments)}</p>
      <div className="row">
        {draft === null && (
          <button type="button" className="secondary" aria-label={s.editLabel(written)}
            onClick={() => setDraft(post.text)}>{s.edit}</button>
        )}
        <button type="button" className="secondary" aria-expanded={history}
          aria-label={s.historyLabel(written)} onClick={() => setHistory(!history)}>{s.history}</button>
        <button type="button" className="secondary" aria-label={s.removeLabel(written)}
          onClick={() => setConfirming(true)}>{s.remove}</button>
      </div>
      {confirming && (
        <div role="alertdialog" aria-label={s.confirmRemove}>
          <p>{s.confirmRemove}</p>
          <button type="button" disabled={remove.isPending} onClick={() => remove.mutate(post.id)}>{s.confirm}</button>{' '}
          <button type="button" className="secondary" onClick={() => setConfirming(false)}>{s.cancel}</button>
          {remove.isError && <ErrorState error={remove.error} />}
        </div>
      )}
      {history && <History post={post} />}
    </article>
  )
}
