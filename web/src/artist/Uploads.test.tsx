import { act, fireEvent, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'

import { signIn } from '../api/session'
import { json, stubFetch, tokenPair, type Handler } from '../test/http'
import { expectAccessible, SLOW } from '../test/axe'
import { renderApp } from '../test/render'

const ID = '0b6c8f8e-3a0f-4d55-9a43-6f1d0c3b2a10'
const WALLET = '0x90F79bf6EB2c4f870365E785982E1f101E93b906'

const upload = (extra: Record<string, unknown> = {}) => ({
  id: ID, kind: 'audio', state: 'processing', progress: 10, filename: 'blue-hour.wav', size: 1000, received_bytes: 1000,
  sha256: `0x${'ab'.repeat(32)}`, cid: null, error: null, attempts: 1, preview_start_ms: 0, renditions: {}, matches: [],
  created_at: '2026-12-03T10:00:00Z', ready_at: null, ...extra,
})

const READY = upload({
  state: 'ready', progress: 100, ready_at: '2026-12-03T10:01:00Z',
  audio: { format: 'wav', codec: 'pcm_s16le', duration_ms: 240000 },
  loudness: { integrated_lufs: -9.84, true_peak_dbtp: -0.3, gain_db: -4.16 },
  tags: { title: 'Blue Hour', artists: ['Ada'], isrc: 'US-RC1-76-07839' },
  renditions: {
    opus_160: { mime: 'audio/ogg', codec: 'opus', bitrate: 160000, duration_ms: 240000, size: 4_800_000 },
    mp3_320: { mime: 'audio/mpeg', codec: 'mp3', bitrate: 320000, duration_ms: 240000, size: 9_600_000 },
  },
  matches: [{ upload_id: '11111111-2222-4333-8444-555555555555', method: 'acoustic', similarity: 0.93,
              same_owner: false, status: 'flagged' }],
})

/** XMLHttpRequest at the network edge: the test sees each PATCH and answers it, progress first. */
class FakeXHR {
  static sent: FakeXHR[] = []
  upload: { onprogress: ((event: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } =
    { onprogress: null }
  onload: (() => void) | null = null
  onerror: (() => void) | null = null
  onabort: (() => void) | null = null
  status = 0
  responseText = ''
  method = ''
  url = ''
  body: Blob | null = null
  aborted = false
  headers: Record<string, string> = {}
  responseHeaders: Record<string, string> = {}
  open(method: string, url: string) { this.method = method; this.url = url }
  setRequestHeader(name: string, value: string) { this.headers[name] = value }
  getResponseHeader(name: string) {
    return name.toLowerCase() === 'content-type' ? 'application/json' : (this.responseHeaders[name.toLowerCase()] ?? null)
  }
  send(body: Blob) { this.body = body; FakeXHR.sent.push(this) }
  abort() { this.aborted = true; this.onabort?.() }
  progress(loaded: number, total: number) { this.upload.onprogress?.({ lengthComputable: true, loaded, total }) }
  /** 204 with the server's new Upload-Offset. */
  accept(offset: number) {
    this.status = 204
    this.responseHeaders['upload-offset'] = String(offset)
    this.onload?.()
  }
  respond(status: number, body: unknown) {
    this.status = status
    this.responseText = JSON.stringify(body)
    this.onload?.()
  }
}

const blobText = async (blob: Blob | null) => new TextDecoder().decode(await blob!.arrayBuffer())

/** The tus creation answer: an upload waiting for its bytes. */
const created = (extra: Record<string, unknown> = {}) =>
  json(upload({ state: 'uploading', progress: 0, received_bytes: 0, sha256: null, ...extra }), 201,
    { 'tus-resumable': '1.0.0', 'upload-offset': '0', location: `/v1/uploads/${ID}` })

async function openUploads(path: string, routes: Record<string, Handler>) {
  FakeXHR.sent = []
  vi.stubGlobal('XMLHttpRequest', FakeXHR)
  const calls = stubFetch({
    'POST /v1/auth/login': () => json(tokenPair()),
    'GET /v1/me/wallets': () => json([{ address: WALLET, kind: 'custodial', created_at: '2026-11-25T10:00:00Z' }]),
    ...routes,
  })
  await signIn('ada@example.org', 'correct horse 42!')
  renderApp(path)
  await screen.findByRole('heading', { name: 'Uploads', level: 1 })
  return { calls, user: userEvent.setup() }
}

describe('the uploads page', () => {
  it('sends the file with progress, follows processing to ready, and registers the recording from it', async () => {
    let polls = 0
    let listed = false
    const { calls, user } = await openUploads('/artist/uploads', {
      'GET /v1/uploads': () => json({ items: listed ? [READY] : [], next: null }),
      [`GET /v1/uploads/${ID}`]: () => (++polls === 1 ? json(upload({ progress: 60 })) : (listed = true, json(READY))),
      'POST /v1/uploads': () => created(),
      'POST /v1/recordings': () => json({ id: '5f0c7a52-8f5e-4bbf-9a8d-3c8a0f3e9d11', kind: 'register_recording',
                                          status: 'pending' }, 202),
      'GET /v1/operations/5f0c7a52-8f5e-4bbf-9a8d-3c8a0f3e9d11': () => json({
        id: '5f0c7a52-8f5e-4bbf-9a8d-3c8a0f3e9d11', kind: 'register_recording', status: 'pending' }),
    })
    expect(await screen.findByText('No uploads yet.')).toBeInTheDocument()
    // the artist nav links here
    expect(screen.getByRole('link', { name: 'Uploads' })).toHaveAttribute('href', '/artist/uploads')

    const file = new File([new Uint8Array(1000)], 'blue-hour.wav', { type: 'audio/wav' })
    await user.clear(screen.getByLabelText('Preview starts at (seconds)'))
    await user.type(screen.getByLabelText('Preview starts at (seconds)'), '75')
    await user.upload(screen.getByLabelText('Audio file'), file)
    // tus creation: the size and name in headers, the kind and preview start in the query
    await waitFor(() => expect(FakeXHR.sent).toHaveLength(1))
    const create = calls.find((c) => c.method === 'POST' && c.path === '/v1/uploads')!
    expect(create.request.headers.get('Tus-Resumable')).toBe('1.0.0')
    expect(create.request.headers.get('Upload-Length')).toBe('1000')
    expect(create.request.headers.get('Upload-Metadata')).toBe(`filename ${btoa('blue-hour.wav')}`)
    expect(create.request.headers.get('Authorization')).toBe('Bearer access-1')
    const query = new URL(create.request.url).searchParams
    expect([query.get('kind'), query.get('preview_start_ms'), query.get('filename')]).toEqual(['audio', '75000', 'blue-hour.wav'])

    const xhr = FakeXHR.sent[0]!
    expect(xhr.method).toBe('PATCH')
    expect(new URL(xhr.url).pathname).toBe(`/v1/uploads/${ID}`)
    expect(xhr.headers).toMatchObject({ 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream',
                                        'Tus-Resumable': '1.0.0', Authorization: 'Bearer access-1' })
    expect(xhr.body!.size).toBe(1000)

    const sending = screen.getByRole('listitem', { name: 'Sending blue-hour.wav' })
    act(() => xhr.progress(420, 1000))
    expect(within(sending).getByText('Uploading… 42%')).toBeInTheDocument()
    expect(within(sending).getByRole('progressbar', { name: 'Upload progress' })).toHaveAttribute('value', '42')
    await expectAccessible()

    act(() => xhr.accept(1000))
    expect(await screen.findByRole('heading', { name: 'blue-hour.wav' })).toBeInTheDocument()
    expect(await screen.findByText('Processing: 60%', {}, { timeout: 10_000 })).toBeInTheDocument()
    expect(screen.queryByRole('listitem', { name: 'Sending blue-hour.wav' })).not.toBeInTheDocument()
    expect(screen.getByRole('progressbar', { name: 'Processing progress' })).toHaveAttribute('value', '60')

    const detail = screen.getByRole('heading', { name: 'blue-hour.wav' }).closest('section')!
    expect(await within(detail).findByText('Ready', {}, { timeout: 10_000 })).toBeInTheDocument()
    expect(within(detail).getByText('4:00')).toBeInTheDocument()
    expect(within(detail).getByText('-9.8 LUFS integrated, -4.2 dB playback gain')).toBeInTheDocument()
    const renditions = within(detail).getByRole('table', { name: 'Renditions' })
    expect(within(renditions).getByRole('rowheader', { name: 'opus_160' })).toBeInTheDocument()
    expect(within(renditions).getByRole('rowheader', { name: 'mp3_320' })).toBeInTheDocument()
    expect(within(detail).getByText('Blue Hour')).toBeInTheDocument()
    const matches = within(detail).getByRole('region', { name: 'Matches flagged for review' })
    expect(matches).toHaveTextContent('acoustic match, similarity 0.93')
    expect(await screen.findByRole('link', { name: 'Show blue-hour.wav' }, { timeout: 10_000 })).toBeInTheDocument()

    await user.click(within(detail).getByRole('link', { name: 'Register as recording' }))
    const title = await screen.findByLabelText('Title')
    expect(title).toHaveValue('Blue Hour')
    expect(screen.getByLabelText('ISRC')).toHaveValue('US-RC1-76-07839')
    expect(screen.getByText(new RegExp(`upload ${ID}`))).toBeInTheDocument()
    expect(screen.queryByLabelText('Master audio SHA-256')).not.toBeInTheDocument()
    await user.click(screen.getByRole('button', { name: 'Register' }))
    await waitFor(() => expect(calls.some((c) => c.path === '/v1/recordings')).toBe(true))
    expect(calls.find((c) => c.path === '/v1/recordings')!.body).toEqual({
      title: 'Blue Hour', isrc: 'US-RC1-76-07839', upload_id: ID, work_ids: [],
      split: [{ address: WALLET, share_percent: '100' }],
    })
  }, SLOW)

  it('shows the code and message of a rejection, without Retry', async () => {
    await openUploads(`/artist/uploads?upload=${ID}`, {
      'GET /v1/uploads': () => json({ items: [], next: null }),
      [`GET /v1/uploads/${ID}`]: () => json(upload({ state: 'rejected', progress: 0,
        error: { code: 'not-audio', message: 'The file is not audio HARMONI can read.' } })),
    })
    expect(await screen.findByRole('alert')).toHaveTextContent('not-audio: The file is not audio HARMONI can read.')
    expect(screen.getByText('Rejected')).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Retry' })).not.toBeInTheDocument()
  })

  it('takes a dropped file, and deletes an upload', async () => {
    let deleted = false
    const { calls, user } = await openUploads('/artist/uploads', {
      'GET /v1/uploads': () => json({ items: deleted ? [] : [READY], next: null }),
      'POST /v1/uploads': () => created({ id: 'ffffffff-0000-4000-8000-000000000010', filename: 'night-bus.flac' }),
      [`GET /v1/uploads/${ID}`]: () => json(READY),
      [`DELETE /v1/uploads/${ID}`]: () => {
        deleted = true
        return new Response(null, { status: 204 })
      },
    })
    const file = new File([new Uint8Array(10)], 'night-bus.flac', { type: 'audio/flac' })
    fireEvent.drop(screen.getByText('Drop an audio file here, or choose one below.').parentElement!,
      { dataTransfer: { files: [file] } })
    await waitFor(() => expect(FakeXHR.sent).toHaveLength(1))
    const create = calls.find((c) => c.method === 'POST' && c.path === '/v1/uploads')!
    expect(new URL(create.request.url).searchParams.get('filename')).toBe('night-bus.flac')
    expect(create.request.headers.get('Upload-Length')).toBe('10')
    expect(FakeXHR.sent[0]!.body!.size).toBe(10)

    await user.click(await screen.findByRole('link', { name: 'Show blue-hour.wav' }))
    await user.click(await screen.findByRole('button', { name: 'Delete upload' }))
    expect(await screen.findByText('No uploads yet.')).toBeInTheDocument()
    expect(calls.filter((c) => c.method === 'DELETE')).toHaveLength(1)
    // the detail closes once the delete's own callback ran (after the list refetched)
    await waitFor(() => expect(screen.queryByRole('heading', { name: 'blue-hour.wav' })).not.toBeInTheDocument())
  })

  it('retries a failed upload', async () => {
    let retried = false
    const { calls, user } = await openUploads(`/artist/uploads?upload=${ID}`, {
      'GET /v1/uploads': () => json({ items: [], next: null }),
      [`GET /v1/uploads/${ID}`]: () => json(retried ? upload({ progress: 30, attempts: 2 })
        : upload({ state: 'failed', progress: 0, error: { code: 'transcode-failed', message: 'ffmpeg exited with 1' } })),
      [`POST /v1/uploads/${ID}/retry`]: () => {
        retried = true
        return json(upload({ state: 'received', progress: 0, attempts: 2 }), 202)
      },
    })
    expect(await screen.findByRole('alert')).toHaveTextContent('transcode-failed: ffmpeg exited with 1')
    await user.click(screen.getByRole('button', { name: 'Retry' }))
    expect(await screen.findByText(/^Received, waiting to be processed: 0%$|^Processing: 30%$/)).toBeInTheDocument()
    expect(calls.filter((c) => c.path === `/v1/uploads/${ID}/retry`)).toHaveLength(1)
    expect(await screen.findByText('Processing: 30%', {}, { timeout: 10_000 })).toBeInTheDocument()
    expect(screen.queryByRole('button', { name: 'Retry' })).not.toBeInTheDocument()
  }, SLOW)
})

describe('resumable sending', () => {
  it('pauses the send in flight and resumes from the offset the server kept', async () => {
    let heads = 0
    const { calls, user } = await openUploads('/artist/uploads', {
      'GET /v1/uploads': () => json({ items: [], next: null }),
      'POST /v1/uploads': () => created(),
      [`HEAD /v1/uploads/${ID}`]: () => {
        heads++
        return new Response(null, { status: 200, headers: { 'upload-offset': '420', 'upload-length': '1000' } })
      },
      [`GET /v1/uploads/${ID}`]: () => json(upload({ state: 'received', progress: 0 })),
    })
    const file = new File([new Uint8Array(1000).map((_, i) => i % 251)], 'blue-hour.wav', { type: 'audio/wav' })
    await user.upload(screen.getByLabelText('Audio file'), file)
    await waitFor(() => expect(FakeXHR.sent).toHaveLength(1))
    const sending = screen.getByRole('listitem', { name: 'Sending blue-hour.wav' })
    act(() => FakeXHR.sent[0]!.progress(420, 1000))

    await user.click(within(sending).getByRole('button', { name: 'Pause blue-hour.wav' }))
    expect(FakeXHR.sent[0]!.aborted).toBe(true)
    expect(within(sending).getByText('Paused at 0%')).toBeInTheDocument()
    expect(within(sending).queryByRole('button', { name: 'Pause blue-hour.wav' })).not.toBeInTheDocument()
    await expectAccessible()

    await user.click(within(sending).getByRole('button', { name: 'Resume blue-hour.wav' }))
    await waitFor(() => expect(FakeXHR.sent).toHaveLength(2))
    expect(heads).toBe(1)
    const second = FakeXHR.sent[1]!
    expect(second.headers['Upload-Offset']).toBe('420')
    expect(second.body!.size).toBe(580)
    expect(await blobText(second.body)).toBe(await blobText(file.slice(420)))
    expect(within(sending).getByText('Uploading… 42%')).toBeInTheDocument()
    act(() => second.accept(1000))
    expect(await screen.findByText('Received, waiting to be processed: 0%')).toBeInTheDocument()
    expect(calls.filter((c) => c.method === 'POST' && c.path === '/v1/uploads')).toHaveLength(1)
    expect(localStorage.length).toBe(0) // nothing left to resume
  }, SLOW)

  it('sends cover art as an artwork upload, shown without a registration link', async () => {
    const ART = 'aaaaaaaa-0000-4000-8000-000000000020'
    const art = upload({ id: ART, kind: 'artwork', state: 'ready', progress: 100, filename: 'cover.png', size: 64,
      received_bytes: 64, renditions: { cover_600: { mime: 'image/jpeg', size: 40_000 } } })
    const { calls, user } = await openUploads('/artist/uploads', {
      'GET /v1/uploads': () => json({ items: [], next: null }),
      'POST /v1/uploads': () => created({ id: ART, kind: 'artwork', filename: 'cover.png', size: 64 }),
      [`GET /v1/uploads/${ART}`]: () => json(art),
    })
    await user.upload(screen.getByLabelText('Cover art (JPEG, PNG or WebP)'),
      new File([new Uint8Array(64)], 'cover.png', { type: 'image/png' }))
    await waitFor(() => expect(FakeXHR.sent).toHaveLength(1))
    const create = calls.find((c) => c.method === 'POST' && c.path === '/v1/uploads')!
    expect(new URL(create.request.url).searchParams.get('kind')).toBe('artwork')
    expect(new URL(FakeXHR.sent[0]!.url).pathname).toBe(`/v1/uploads/${ART}`)
    act(() => FakeXHR.sent[0]!.accept(64))
    const detail = (await screen.findByRole('heading', { name: 'cover.png' })).closest('section')!
    expect(within(detail).getByText('Ready')).toBeInTheDocument()
    expect(within(detail).getByRole('rowheader', { name: 'cover_600' })).toBeInTheDocument()
    expect(within(detail).queryByRole('link', { name: 'Register as recording' })).not.toBeInTheDocument()
  })

  it('shows the problem of a refused creation, with Resume and Dismiss', async () => {
    const { user } = await openUploads('/artist/uploads', {
      'GET /v1/uploads': () => json({ items: [], next: null }),
      'POST /v1/uploads': () => new Response(JSON.stringify({
        type: 'https://harmoni.music/problems/upload-too-large', title: 'The file is too large', status: 413,
        detail: 'the file is larger than the limit of 10 bytes' }),
        { status: 413, headers: { 'content-type': 'application/problem+json' } }),
    })
    await user.upload(screen.getByLabelText('Audio file'), new File([new Uint8Array(20)], 'long.wav', { type: 'audio/wav' }))
    const sending = await screen.findByRole('listitem', { name: 'Sending long.wav' })
    expect(await within(sending).findByText('Stopped at 0%')).toBeInTheDocument()
    expect(sending).toHaveTextContent('The file is too large')
    expect(within(sending).getByRole('button', { name: 'Resume long.wav' })).toBeInTheDocument()
    await user.click(within(sending).getByRole('button', { name: 'Dismiss long.wav' }))
    expect(screen.queryByRole('listitem', { name: 'Sending long.wav' })).not.toBeInTheDocument()
    expect(FakeXHR.sent).toHaveLength(0)
  })
})
