/**
 * A small tus 1.0 client (core + creation) for `/v1/uploads`, the API's resumable uploads.
 *
 * - `POST /v1/uploads` with `Tus-Resumable`, `Upload-Length` and `Upload-Metadata` creates the upload (the kind and
 *   preview start go in the query, as for a one-request upload); its `id` is remembered in `localStorage` under the
 *   file's name, size and modification time, so the same file picked again after a reload resumes where it stopped.
 * - Bytes go in `PATCH`es of `chunkSize` through XMLHttpRequest (only it reports upload progress), each starting at
 *   the server's `Upload-Offset`. Pause aborts the request in flight; the server keeps what arrived, and resume asks
 *   it (`HEAD`) how much that was. A lost connection is retried after a `HEAD`, a few times, with growing waits.
 * - Nothing here knows React; the page subscribes to `onChange`.
 */
import { api, type Schemas } from './client'
import { ApiError, ConflictError, NetworkError, NotFoundError, toApiError, unwrap } from './errors'
import { accessToken } from './session'

type Upload = Schemas['UploadOut']

export const TUS_VERSION = '1.0.0'
export const DEFAULT_CHUNK = 8 * 1024 * 1024
const RESUME_PREFIX = 'harmoni.tus.'
/** Waits before retrying after a lost connection (ms); then the upload is `failed` with Resume offered. */
export const RETRY_DELAYS_MS: readonly number[] = [1000, 3000, 6000]

export type TusStatus = 'creating' | 'sending' | 'paused' | 'done' | 'failed'

export interface TusOptions {
  kind: 'audio' | 'artwork'
  previewStartMs?: number
  chunkSize?: number
  /** waits before each retry after a lost connection; RETRY_DELAYS_MS unless given */
  retryDelaysMs?: readonly number[]
  onChange?: (upload: TusUpload) => void
}

/** Thrown inside the loop when the listener paused: not an error. */
class Paused extends Error {}

const fingerprint = (file: File, kind: string) => `${RESUME_PREFIX}${kind}:${file.name}:${file.size}:${file.lastModified}`

const base64 = (text: string) => btoa(String.fromCharCode(...new TextEncoder().encode(text)))

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export class TusUpload {
  readonly file: File
  status: TusStatus = 'creating'
  /** bytes the server has */
  offset = 0
  /** bytes sent of the chunk in flight (for progress between two offsets) */
  private inFlight = 0
  id: string | null = null
  error: Error | null = null
  readonly options: TusOptions
  private xhr: XMLHttpRequest | null = null
  private paused = false
  private wake: (() => void) | null = null

  constructor(file: File, options: TusOptions) {
    this.file = file
    this.options = options
  }

  get total(): number {
    return this.file.size
  }

  /** 0…1 of the file sent. */
  get fraction(): number {
    return this.total ? Math.min(1, (this.offset + this.inFlight) / this.total) : 0
  }

  /** Sends the file; resolves with the upload once every byte arrived (it is then `received` or further). */
  async start(): Promise<Upload> {
    try {
      await this.createOrResume()
      for (let failures = 0; this.offset < this.total;) {
        if (this.paused) await this.waitForResume()
        try {
          await this.sendChunk()
          failures = 0
        } catch (err) {
          if (err instanceof Paused) continue
          if (err instanceof ConflictError) { await this.syncOffset(); continue } // another tab or a lost answer
          const delays = this.options.retryDelaysMs ?? RETRY_DELAYS_MS
          if (!(err instanceof NetworkError) || failures >= delays.length) throw err
          await sleep(delays[failures++]!)
          await this.syncOffset()
        }
      }
      localStorage.removeItem(fingerprint(this.file, this.options.kind))
      const upload = await unwrap(api.GET('/v1/uploads/{upload_id}', { params: { path: { upload_id: this.id! } } }))
      this.set('done')
      return upload
    } catch (err) {
      this.error = err instanceof Error ? err : new Error(String(err))
      this.set('failed')
      throw this.error
    }
  }

  pause(): void {
    if (this.status !== 'sending') return
    this.paused = true
    this.xhr?.abort()
    this.inFlight = 0
    this.set('paused')
  }

  resume(): void {
    if (!this.paused) return
    this.paused = false
    this.set('sending')
    this.wake?.()
  }

  /** Stop for good (the stored bytes stay on the server until the upload is deleted). */
  cancel(): void {
    this.pause()
  }

  private set(status: TusStatus): void {
    this.status = status
    this.options.onChange?.(this)
  }

  private waitForResume(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wake = () => { this.wake = null; resolve() }
    }).then(() => this.syncOffset())
  }

  private async createOrResume(): Promise<void> {
    const key = fingerprint(this.file, this.options.kind)
    const known = localStorage.getItem(key)
    if (known) {
      this.id = known
      try {
        await this.syncOffset()
        this.set('sending')
        return
      } catch (err) {
        // unknown, expired (410: the API drops abandoned resumable uploads), or no longer resumable: start again
        if (!(err instanceof NotFoundError || err instanceof ConflictError || (err instanceof ApiError && err.status === 410)))
          throw err
        localStorage.removeItem(key)
      }
    }
    const created = await unwrap(api.POST('/v1/uploads', {
      params: {
        query: { kind: this.options.kind, filename: this.file.name || undefined,
                 preview_start_ms: this.options.previewStartMs ?? 0 },
        header: { 'tus-resumable': TUS_VERSION, 'upload-length': this.total,
                  'upload-metadata': this.file.name ? `filename ${base64(this.file.name)}` : undefined },
      },
    }))
    this.id = created.id
    this.offset = created.received_bytes
    localStorage.setItem(key, created.id)
    this.set('sending')
  }

  /** `HEAD`: how many bytes the server has. A finished or unknown upload is a conflict / not found. */
  private async syncOffset(): Promise<void> {
    const token = await accessToken()
    let response: Response
    try {
      response = await globalThis.fetch(new Request(this.url(), {
        method: 'HEAD', headers: { 'Tus-Resumable': TUS_VERSION, ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      }))
    } catch (err) {
      throw new NetworkError(err)
    }
    if (!response.ok) throw toApiError(response, undefined)
    const offset = Number(response.headers.get('Upload-Offset'))
    const length = response.headers.get('Upload-Length')
    if (!Number.isFinite(offset) || (length !== null && Number(length) !== this.total))
      throw new ConflictError(409, { title: 'This upload is for another file', status: 409 })
    this.offset = offset
    this.inFlight = 0
    this.options.onChange?.(this)
  }

  private url(): string {
    return new URL(`/v1/uploads/${this.id}`, globalThis.location?.origin ?? 'http://127.0.0.1:8000').href
  }

  private async sendChunk(): Promise<void> {
    const token = await accessToken()
    const end = Math.min(this.total, this.offset + (this.options.chunkSize ?? DEFAULT_CHUNK))
    const chunk = this.file.slice(this.offset, end)
    const start = this.offset
    await new Promise<void>((resolve, reject) => {
      const xhr = new XMLHttpRequest()
      this.xhr = xhr
      xhr.open('PATCH', this.url())
      if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`)
      xhr.setRequestHeader('Tus-Resumable', TUS_VERSION)
      xhr.setRequestHeader('Upload-Offset', String(start))
      xhr.setRequestHeader('Content-Type', 'application/offset+octet-stream')
      xhr.upload.onprogress = (event) => {
        if (this.paused) return
        this.inFlight = Math.min(event.loaded, end - start)
        this.options.onChange?.(this)
      }
      xhr.onabort = () => reject(new Paused())
      xhr.onerror = () => reject(this.paused ? new Paused() : new NetworkError(new Error('the connection was lost')))
      xhr.onload = () => {
        if (xhr.status === 204 || xhr.status === 200) {
          const offset = Number(xhr.getResponseHeader('Upload-Offset'))
          this.offset = Number.isFinite(offset) && offset > start ? offset : end
          this.inFlight = 0
          this.options.onChange?.(this)
          return resolve()
        }
        let body: unknown = undefined
        try {
          body = xhr.responseText ? JSON.parse(xhr.responseText) : undefined
        } catch { /* not JSON */ }
        const headers = new Headers({ 'content-type': xhr.getResponseHeader('content-type') ?? 'application/json' })
        reject(toApiError(new Response(xhr.responseText || null, { status: xhr.status, headers }), body))
      }
      xhr.send(chunk)
    }).finally(() => { this.xhr = null })
  }
}
