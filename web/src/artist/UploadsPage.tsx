import { useState, type DragEvent } from 'react'
import { Link, useSearchParams } from 'react-router'

import { paths } from '../app/paths'
import { t } from '../app/strings'
import type { TusUpload } from '../api/tus'
import { BUSY, useDeleteUpload, useRetryUpload, useSends, useUpload, useUploads, type Upload } from '../api/uploads'
import { Empty, ErrorState, Loading } from '../components/states'
import { formatDate } from '../lib/format'

function duration(ms: unknown): string | null {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return null
  const s = Math.round(ms / 1000)
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`
}

const text = (value: unknown): string | null =>
  typeof value === 'string' && value.trim() ? value.trim()
    : typeof value === 'number' ? String(value)
    : Array.isArray(value) && value.length ? value.map(String).join(', ') : null

const number = (value: unknown, digits = 1): string | null =>
  typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : null

function Ready({ upload }: { upload: Upload }) {
  const audio = upload.audio ?? {}
  const loudness = upload.loudness ?? {}
  const tags = Object.entries(upload.tags ?? {}).flatMap(([k, v]) => (text(v) && k !== 'cover' ? [[k, text(v)!]] : []))
  const renditions = Object.entries(upload.renditions ?? {})
  const flagged = (upload.matches ?? []).filter((m) => m.status === 'flagged')
  const lufs = number(loudness.integrated_lufs)
  const gain = number(loudness.gain_db)
  const title = text(upload.tags?.title) ?? undefined
  const isrc = text(upload.tags?.isrc) ?? undefined
  return (
    <>
      <dl className="facts">
        {duration(audio.duration_ms) && (<><dt>{t.uploads.duration}</dt><dd>{duration(audio.duration_ms)}</dd></>)}
        {lufs && gain && (<><dt>{t.uploads.loudness}</dt><dd>{t.uploads.loudnessValue(lufs, gain)}</dd></>)}
        {text(audio.format) && (<><dt>{t.uploads.format}</dt>
          <dd>{[text(audio.format), text(audio.codec)].filter(Boolean).join(' · ')}</dd></>)}
        {upload.kind === 'audio' && (<><dt>{t.uploads.previewAt}</dt><dd>{duration(upload.preview_start_ms)}</dd></>)}
        {upload.sha256 && (<><dt>{t.asset.contentHash}</dt><dd className="mono">{upload.sha256}</dd></>)}
      </dl>
      {flagged.length > 0 && (
        <section aria-labelledby="upload-matches" className="notice">
          <h3 id="upload-matches">{t.uploads.matches}</h3>
          <ul>
            {flagged.map((m) => (
              <li key={m.upload_id}>{t.uploads.match(m.method, m.similarity.toFixed(2), m.same_owner)}</li>
            ))}
          </ul>
        </section>
      )}
      {renditions.length > 0 && (
        <table>
          <caption>{t.uploads.renditions}</caption>
          <thead><tr><th scope="col">{t.uploads.rendition}</th><th scope="col">{t.uploads.mime}</th>
            <th scope="col">{t.uploads.bitrate}</th><th scope="col">{t.uploads.size}</th></tr></thead>
          <tbody>
            {renditions.map(([name, r]) => (
              <tr key={name}>
                <th scope="row" className="mono">{name}</th>
                <td>{r.mime}{r.codec ? ` (${r.codec})` : ''}</td>
                <td>{r.bitrate ? `${Math.round(r.bitrate / 1000)} kb/s` : '—'}</td>
                <td>{`${(r.size / 1_000_000).toFixed(1)} MB`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {tags.length > 0 && (
        <>
          <h3>{t.uploads.tags}</h3>
          <dl className="facts">
            {tags.map(([k, v]) => <div key={k}><dt>{k}</dt><dd>{v}</dd></div>)}
          </dl>
        </>
      )}
      {upload.kind === 'audio' && (
        <p>
          <Link className="button" to={paths.register.to('recording', { upload_id: upload.id, title, isrc })}>
            {t.uploads.register}
          </Link>
        </p>
      )}
    </>
  )
}

function UploadDetail({ id, onDeleted }: { id: string; onDeleted: () => void }) {
  const upload = useUpload(id)
  const retry = useRetryUpload()
  const remove = useDeleteUpload()
  if (upload.isPending) return <Loading />
  if (upload.isError) return <ErrorState error={upload.error} onRetry={() => void upload.refetch()} />
  const u = upload.data
  const state = t.uploads.states[u.state] ?? u.state
  return (
    <section aria-labelledby="upload-title" className="upload">
      <h2 id="upload-title">{u.filename ?? t.uploads.unnamed}</h2>
      <p role="status" aria-live="polite">
        {BUSY.has(u.state) ? t.uploads.progress(state, Math.round(u.progress)) : state}
      </p>
      {BUSY.has(u.state) && (
        <progress aria-label={t.uploads.progressLabel} max={100} value={u.progress} />
      )}
      {u.error && <p role="alert" className="form-error">{t.uploads.error(u.error.code, u.error.message)}</p>}
      {retry.isError && <ErrorState error={retry.error} />}
      {u.state === 'failed' && (
        <button type="button" disabled={retry.isPending} onClick={() => retry.mutate(u.id)}>{t.uploads.retry}</button>
      )}
      {u.state === 'ready' && <Ready upload={u} />}
      {remove.isError && <ErrorState error={remove.error} />}
      <p>
        <button type="button" className="secondary" disabled={remove.isPending}
          onClick={() => remove.mutate(u.id, { onSuccess: onDeleted })}>{t.uploads.remove}</button>
      </p>
    </section>
  )
}

function UploadList({ selected }: { selected: string | null }) {
  const uploads = useUploads()
  if (uploads.isPending) return <Loading />
  if (uploads.isError) return <ErrorState error={uploads.error} onRetry={() => void uploads.refetch()} />
  if (uploads.data.items.length === 0) return <Empty>{t.uploads.none}</Empty>
  return (
    <table>
      <caption>{t.uploads.list}</caption>
      <thead><tr><th scope="col">{t.uploads.file}</th><th scope="col">{t.uploads.state}</th>
        <th scope="col">{t.uploads.created}</th></tr></thead>
      <tbody>
        {uploads.data.items.map((u) => (
          <tr key={u.id} aria-current={u.id === selected ? 'true' : undefined}>
            <td><Link to={`?upload=${u.id}`} aria-label={t.uploads.open(u.filename ?? t.uploads.unnamed)}>
              {u.filename ?? t.uploads.unnamed}</Link></td>
            <td>{t.uploads.states[u.state] ?? u.state}
              {BUSY.has(u.state) ? ` ${Math.round(u.progress)}%` : ''}</td>
            <td>{formatDate(u.created_at)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function Sends({ sends, onRetry, onDismiss }: {
  sends: readonly TusUpload[]
  onRetry: (send: TusUpload) => void
  onDismiss: (send: TusUpload) => void
}) {
  if (sends.length === 0) return null
  return (
    <section aria-labelledby="sends-title">
      <h2 id="sends-title">{t.uploads.sends}</h2>
      <ul className="sends">
        {sends.map((send, i) => {
          const name = send.file.name || t.uploads.unnamed
          const percent = Math.round(send.fraction * 100)
          return (
            <li key={i} aria-label={t.uploads.sendLabel(name)}>
              <span>{name}</span>{' '}
              <progress aria-label={t.uploads.sendProgress} max={100} value={percent} />{' '}
              <span role="status" aria-live="polite">{t.uploads.sendState[send.status]!(percent)}</span>{' '}
              {send.status === 'sending' && (
                <button type="button" className="secondary" onClick={() => send.pause()}>
                  <span aria-hidden="true">⏸ </span>{t.uploads.pause(name)}</button>
              )}
              {send.status === 'paused' && (
                <button type="button" onClick={() => send.resume()}>
                  <span aria-hidden="true">▶ </span>{t.uploads.resume(name)}</button>
              )}
              {send.status === 'failed' && (
                <>
                  {send.error && <ErrorState error={send.error} />}
                  <button type="button" onClick={() => onRetry(send)}>{t.uploads.resume(name)}</button>{' '}
                  <button type="button" className="secondary" onClick={() => onDismiss(send)}>
                    {t.uploads.dismiss(name)}</button>
                </>
              )}
            </li>
          )
        })}
      </ul>
    </section>
  )
}

export function UploadsPage() {
  const [params, setParams] = useSearchParams()
  const selected = params.get('upload')
  const [previewS, setPreviewS] = useState('0')
  const [over, setOver] = useState(false)
  const { sends, add, retry, dismiss } = useSends((upload) => setParams({ upload: upload.id }))
  const previewStartMs = Math.max(0, Math.round((Number(previewS) || 0) * 1000))

  function chooseAudio(file: File | undefined) {
    if (file) add(file, { kind: 'audio', previewStartMs })
  }

  function drop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault()
    setOver(false)
    chooseAudio(event.dataTransfer.files[0])
  }

  return (
    <section>
      <h1>{t.uploads.title}</h1>
      <p>{t.uploads.intro}</p>
      <div className={`upload-drop${over ? ' over' : ''}`} onDrop={drop}
        onDragOver={(e) => { e.preventDefault(); setOver(true) }} onDragLeave={() => setOver(false)}>
        <p>{t.uploads.drop}</p>
        <p>
          <label htmlFor="upload-preview">{t.uploads.previewStart}</label>
          <input id="upload-preview" type="number" min={0} step={1} inputMode="numeric" value={previewS}
            aria-describedby="upload-preview-hint" onChange={(e) => setPreviewS(e.target.value)} />
          <small id="upload-preview-hint">{t.uploads.previewHint}</small>
        </p>
        <label htmlFor="upload-file">{t.uploads.pick}</label>
        <input id="upload-file" type="file" accept="audio/*"
          onChange={(e) => { chooseAudio(e.target.files?.[0]); e.target.value = '' }} />
        <p>{t.uploads.coverIntro}</p>
        <label htmlFor="upload-cover">{t.uploads.cover}</label>
        <input id="upload-cover" type="file" accept="image/jpeg,image/png,image/webp"
          onChange={(e) => {
            const file = e.target.files?.[0]
            if (file) add(file, { kind: 'artwork' })
            e.target.value = ''
          }} />
        <p><small>{t.uploads.resumeNote}</small></p>
      </div>
      <Sends sends={sends} onDismiss={dismiss} onRetry={retry} />
      {selected && <UploadDetail key={selected} id={selected} onDeleted={() => setParams({})} />}
      <UploadList selected={selected} />
    </section>
  )
}
