/** Audio uploads (`/v1/uploads`): the file sent with progress, then followed through processing to `ready`. */
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect } from 'react'

import { api, type Schemas } from './client'
import { NetworkError, toApiError, unwrap } from './errors'
import { accessToken } from './session'

export type Upload = Schemas['UploadOut']
export type UploadState = Upload['state']

/** States the server is still working through: the upload is polled until it leaves them. */
export const BUSY: ReadonlySet<UploadState> = new Set(['uploading', 'received', 'processing'])
export const POLL_MS = 1000

export const uploadKeys = {
  all: ['uploads'] as const,
  list: () => ['uploads', 'list'] as const,
  detail: (id: string) => ['uploads', 'detail', id] as const,
}

export const uploadListOptions = () =>
  queryOptions({
    queryKey: uploadKeys.list(),
    queryFn: () => unwrap(api.GET('/v1/uploads', { params: { query: { limit: 50 } } })),
    refetchInterval: (query) => (query.state.data?.items.some((u) => BUSY.has(u.state)) ? POLL_MS : false),
  })

export const uploadOptions = (id: string) =>
  queryOptions({
    queryKey: uploadKeys.detail(id),
    queryFn: () => unwrap(api.GET('/v1/uploads/{upload_id}', { params: { path: { upload_id: id } } })),
    refetchInterval: (query) => (!query.state.data || BUSY.has(query.state.data.state) ? POLL_MS : false),
  })

export const useUploads = () => useQuery(uploadListOptions())
/** One upload, polled while the server works on it; the list is refreshed when its state changes. */
export function useUpload(id: string | null) {
  const client = useQueryClient()
  const query = useQuery({ ...uploadOptions(id ?? ''), enabled: id !== null })
  const state = query.data?.state
  useEffect(() => {
    if (state) void client.invalidateQueries({ queryKey: uploadKeys.list() })
  }, [client, state])
  return query
}

/**
 * `POST /v1/uploads` with the file as the body. XMLHttpRequest rather than fetch: only it reports upload
 * progress. The bearer token comes from the session module, as the typed client's middleware does.
 */
export async function sendUpload(file: File, onProgress: (fraction: number) => void): Promise<Upload> {
  const token = await accessToken()
  const url = new URL('/v1/uploads', globalThis.location?.origin ?? 'http://127.0.0.1:8000')
  url.searchParams.set('kind', 'audio')
  if (file.name) url.searchParams.set('filename', file.name)
  return new Promise<Upload>((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', url.href)
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`)
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream')
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total)
    }
    xhr.onerror = () => reject(new NetworkError(new Error('upload failed')))
    xhr.onload = () => {
      let body: unknown = undefined
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : undefined
      } catch { /* not JSON */ }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(body as Upload)
      const headers = new Headers({ 'content-type': xhr.getResponseHeader('content-type') ?? 'application/json' })
      const retryAfter = xhr.getResponseHeader('retry-after')
      if (retryAfter) headers.set('retry-after', retryAfter)
      reject(toApiError(new Response(xhr.responseText || null, { status: xhr.status, headers }), body))
    }
    xhr.send(file)
  })
}

export function useSendUpload() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: ({ file, onProgress }: { file: File; onProgress: (fraction: number) => void }) => sendUpload(file, onProgress),
    onSuccess: (upload) => {
      client.setQueryData(uploadKeys.detail(upload.id), upload)
      void client.invalidateQueries({ queryKey: uploadKeys.list() })
    },
  })
}

export function useRetryUpload() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => unwrap(api.POST('/v1/uploads/{upload_id}/retry', { params: { path: { upload_id: id } } })),
    onSuccess: (upload) => {
      client.setQueryData(uploadKeys.detail(upload.id), upload)
      void client.invalidateQueries({ queryKey: uploadKeys.all })
    },
  })
}

export function useDeleteUpload() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/v1/uploads/{upload_id}', { params: { path: { upload_id: id } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: uploadKeys.all }),
  })
}
