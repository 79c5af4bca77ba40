import { useState, type FormEvent } from 'react'

import { t } from '../app/strings'
import type { Asset, Edition } from '../api/artistEditions'
import { useCreatePost, type PostIn } from '../api/posts'
import type { Upload } from '../api/uploads'
import { submitErrors, type SubmitErrors } from '../auth/forms'
import { Field } from './fields'

const s = t.posts
const MAX = 5000
const NONE: SubmitErrors = { fields: {}, form: null }
type Kind = 'recording' | 'edition' | 'image'
interface Row { key: string; type: Kind; id: string }
type Visibility = PostIn['visibility'] & string

export interface Attachable {
  recordings: Asset[]
  editions: Edition[]
  images: Upload[]
}

function choices(type: Kind, from: Attachable): { value: string; label: string }[] {
  if (type === 'recording') return from.recordings.map((a) => ({ value: String(a.asset_id),
    label: a.title ?? t.asset.title(a.asset_id) }))
  if (type === 'edition') return from.editions.map((e) => ({ value: String(e.edition_id),
    label: `${t.artistEditions.edition} ${e.edition_id}` }))
  return from.images.map((u) => ({ value: u.id, label: u.filename ?? u.id }))
}

/** Writing a post: text, who sees it (everyone, followers, or holders of an edition), up to four attachments. */
export function PostComposer({ attachable }: { attachable: Attachable }) {
  const create = useCreatePost()
  const [text, setText] = useState('')
  const [visibility, setVisibility] = useState<Visibility>('public')
  const [edition, setEdition] = useState('')
  const [rows, setRows] = useState<Row[]>([])
  const [errors, setErrors] = useState<SubmitErrors>(NONE)
  const length = Array.from(text).length
  const update = (key: string, change: Partial<Row>) =>
    setRows((old) => old.map((r) => (r.key === key ? { ...r, ...change, ...(change.type ? { id: '' } : {}) } : r)))

  function submit(event: FormEvent) {
    event.preventDefault()
    const fields: Record<string, string> = {}
    if (!text.trim()) fields.text = s.required
    if (visibility === 'holders' && !edition) fields.edition_id = s.pickEdition
    rows.forEach((r, i) => { if (!r.id) fields[`attachments[${i}].id`] = s.required })
    if (Object.keys(fields).length) return setErrors({ fields, form: null })
    setErrors(NONE)
    create.mutate({
      text, visibility, ...(visibility === 'holders' ? { edition_id: Number(edition) } : {}),
      attachments: rows.map((r) => ({ type: r.type, id: r.id })),
    }, {
      onError: (err) => setErrors(submitErrors(err, ['text', 'edition_id', 'attachments', 'visibility'])),
      onSuccess: () => { setText(''); setRows([]); setVisibility('public'); setEdition('') },
    })
  }

  return (
    <form onSubmit={submit} noValidate aria-labelledby="composer-title">
      <h2 id="composer-title">{s.composer}</h2>
      {errors.form && <p className="form-error" role="alert">{errors.form}</p>}
      <Field id="post-text" label={s.text} error={errors.fields.text} hint={s.count(length, MAX)}>
        {(a) => <textarea {...a} rows={5} value={text} onChange={(e) => setText(e.target.value)} />}
      </Field>
      <fieldset>
        <legend>{s.visibility}</legend>
        {(['public', 'followers', 'holders'] as const).map((v) => (
          <label key={v}><input type="radio" name="visibility" value={v} checked={visibility === v}
            onChange={() => setVisibility(v)} /> {s[v]}</label>
        ))}
        {visibility === 'holders' && (
          <Field id="post-edition" label={s.holdersEdition} error={errors.fields.edition_id}
            hint={attachable.editions.length ? undefined : s.noEditions}>
            {(a) => (
              <select {...a} value={edition} onChange={(e) => setEdition(e.target.value)}>
                <option value="">{s.pickEdition}</option>
                {choices('edition', attachable).map((c) => <option key={c.value} value={c.value}>{c.label}</option>)}
              </select>
            )}
          </Field>
        )}
      </fieldset>
      <fieldset>
        <legend>{s.attachments}</legend>
        {rows.map((r, i) => (
          <div key={r.key} className="row">
            <label htmlFor={`attach-type-${r.key}`}>{s.attachmentType(i + 1)}</label>
            <select id={`attach-type-${r.key}`} value={r.type} onChange={(e) => update(r.key, { type: e.target.value as Kind })}>
              <option value="recording">{s.attachmentRecording}</option>
              <option value="edition">{s.attachmentEdition}</option>
              <option value="image">{s.attachmentImage}</option>
            </select>
            <Field id={`attach-id-${r.key}`} label={s.attachmentId(i + 1)} error={errors.fields[`attachments[${i}].id`]}>
              {(a) => (
                <select {...a} value={r.id} onChange={(e) => update(r.key, { id: e.target.value })}>
                  <option value="">{s.pick}</option>
                  {choices(r.type, attachable).map((c) => <option key={c.value} value={c.value}>{c.label}</option>)}
                </select>
              )}
            </Field>
            <button type="button" className="secondary" onClick={() => setRows((old) => old.filter((x) => x.key !== r.key))}>
              {s.removeAttachment(i + 1)}</button>
          </div>
        ))}
        {rows.length < 4 && (
          <button type="button" className="secondary"
            onClick={() => setRows((old) => [...old, { key: crypto.randomUUID(), type: 'recording', id: '' }])}>
            {s.addAttachment}</button>
        )}
      </fieldset>
      <button type="submit" disabled={create.isPending || length > MAX}>{create.isPending ? s.publishing : s.publish}</button>
    </form>
  )
}
