import { describe, expect, it, vi } from 'vitest'

import { json, stubFetch } from '../test/http'
import { NetworkError } from './errors'
import { TusUpload } from './tus'

const ID = '0b6c8f8e-3a0f-4d55-9a43-6f1d0c3b2a10'
const out = (extra: Record<string, unknown> = {}) => ({
  id: ID, kind: 'audio', state: 'uploading', progress: 0, filename: 'a.wav', size: 10, received_bytes: 0, sha256: null,
  cid: null, error: null, attempts: 0, preview_start_ms: 0, renditions: {}, matches: [],
  created_at: '2026-12-03T10:00:00Z', ready_at: null, ...extra,
})

/** A tus server's PATCH over XMLHttpRequest: appends at the right offset, or drops the connection when told. */
function server(stored: number[], failures: { dropNext: number }) {
  class ServerXHR {
    upload = { onprogress: null as null | ((e: ProgressEvent) => void) }
    onload: (() => void) | null = null
    onerror: (() => void) | null = null
    onabort: (() => void) | null = null
    status = 0
    responseText = ''
    headers: Record<string, string> = {}
    open() {}
    setRequestHeader(name: string, value: string) { this.headers[name] = value }
    getResponseHeader(name: string) { return name.toLowerCase() === 'upload-offset' ? String(stored.length) : null }
    abort() {}
    send(body: Blob) {
      void body.arrayBuffer().then((buffer) => {
        if (failures.dropNext > 0) {
          failures.dropNext--
          stored.push(...new Uint8Array(buffer).slice(0, 1)) // a byte arrived before the connection went
          return this.onerror?.()
        }
        if (Number(this.headers['Upload-Offset']) !== stored.length) {
          this.status = 409
          return this.onload?.()
        }
        stored.push(...new Uint8Array(buffer))
        this.status = 204
        this.onload?.()
      })
    }
  }
  vi.stubGlobal('XMLHttpRequest', ServerXHR)
}

const head = (stored: number[], length = 10) => () =>
  new Response(null, { status: 200, headers: { 'upload-offset': String(stored.length), 'upload-length': String(length) } })

describe('the tus client', () => {
  const file = new File([new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])], 'a.wav', { lastModified: 1 })

  it('sends the file in chunks, each from the offset the server answered, and survives a dropped connection', async () => {
    const stored: number[] = []
    server(stored, { dropNext: 1 })
    const calls = stubFetch({
      'POST /v1/uploads': () => json(out(), 201),
      [`HEAD /v1/uploads/${ID}`]: head(stored),
      [`GET /v1/uploads/${ID}`]: () => json(out({ state: 'received', received_bytes: 10 })),
    })
    const seen: number[] = []
    const send = new TusUpload(file, { kind: 'audio', chunkSize: 4, retryDelaysMs: [0],
                                       onChange: (u) => seen.push(u.offset) })
    const upload = await send.start()
    expect(upload.state).toBe('received')
    expect(stored).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) // the byte that arrived before the drop is not sent twice
    expect(send.status).toBe('done')
    expect(seen).toEqual(expect.arrayContaining([1, 5, 9, 10])) // after the drop: offset 1, then chunks of 4
    expect(calls.filter((c) => c.method === 'HEAD')).toHaveLength(1)
  })

  it('resumes an upload it started before (after a reload) instead of creating another', async () => {
    const stored = [1, 2, 3, 4, 5, 6]
    server(stored, { dropNext: 0 })
    localStorage.setItem('harmoni.tus.audio:a.wav:10:1', ID)
    const calls = stubFetch({
      [`HEAD /v1/uploads/${ID}`]: head(stored),
      [`GET /v1/uploads/${ID}`]: () => json(out({ state: 'received', received_bytes: 10 })),
    })
    await new TusUpload(file, { kind: 'audio', chunkSize: 100 }).start()
    expect(stored).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(calls.some((c) => c.method === 'POST')).toBe(false)
    expect(localStorage.getItem('harmoni.tus.audio:a.wav:10:1')).toBeNull()
  })

  it.each([404, 410])('starts again when the remembered upload is gone (%i)', async (status) => {
    const stored: number[] = []
    server(stored, { dropNext: 0 })
    localStorage.setItem('harmoni.tus.audio:a.wav:10:1', 'ffffffff-0000-4000-8000-00000000dead')
    const calls = stubFetch({
      'HEAD /v1/uploads/ffffffff-0000-4000-8000-00000000dead': () => new Response(null, { status }),
      'POST /v1/uploads': () => json(out(), 201),
      [`GET /v1/uploads/${ID}`]: () => json(out({ state: 'received', received_bytes: 10 })),
    })
    await new TusUpload(file, { kind: 'audio' }).start()
    expect(stored).toHaveLength(10)
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1)
  })

  it('gives up after the retries, failed with the network error', async () => {
    const stored: number[] = []
    server(stored, { dropNext: 5 })
    stubFetch({ 'POST /v1/uploads': () => json(out(), 201), [`HEAD /v1/uploads/${ID}`]: head(stored) })
    const send = new TusUpload(file, { kind: 'audio', retryDelaysMs: [0, 0] })
    await expect(send.start()).rejects.toBeInstanceOf(NetworkError)
    expect(send.status).toBe('failed')
    expect(localStorage.getItem('harmoni.tus.audio:a.wav:10:1')).toBe(ID) // picked again, it resumes
  })
})
