/** Uploads (`/v1/uploads`): audio and cover art sent resumably (tus) with progress, then followed to `ready`. */
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useCallback, useEffect, useReducer, useRef, useState } from 'react'

import { api, type Schemas } from './client'
import { unwrap } from './errors'
import { TusUpload, type TusOptions } from './tus'

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
 * The files being sent (tus, `./tus.ts`), each with its progress and Pause / Resume; when one has arrived it is
 * put in the cache and `onArrived` is told. A failed send is started again from what the server has.
 */
export function useSends(onArrived: (upload: Upload) => void) {
  const client = useQueryClient()
  const [sends, setSends] = useState<readonly TusUpload[]>([])
  const [, rerender] = useReducer((n: number) => n + 1, 0)
  const arrived = useRef(onArrived)
  arrived.current = onArrived

  const run = useCallback((send: TusUpload) => {
    send.start().then((upload) => {
      client.setQueryData(uploadKeys.detail(upload.id), upload)
      void client.invalidateQueries({ queryKey: uploadKeys.list() })
      setSends((all) => all.filter((s) => s !== send))
      arrived.current(upload)
    }, () => rerender())
  }, [client])

  const add = useCallback((file: File, options: Omit<TusOptions, 'onChange'>) => {
    const send = new TusUpload(file, { ...options, onChange: rerender })
    setSends((all) => [...all, send])
    run(send)
  }, [run])

  /** A failed send tried again: a new client for the same file resumes from the server's offset. */
  const retry = useCallback((failed: TusUpload) => {
    const send = new TusUpload(failed.file, { ...failed.options, onChange: rerender })
    setSends((all) => all.map((s) => (s === failed ? send : s)))
    run(send)
  }, [run])

  const dismiss = useCallback((send: TusUpload) => setSends((all) => all.filter((s) => s !== send)), [])
  return { sends, add, retry, dismiss }
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
