/** Privacy (`/v1/me/export`, `DELETE /v1/me`): a zip of the account's data, and erasure of the account. */
import { queryOptions, useMutation, useQuery } from '@tanstack/react-query'

import { api, type Schemas } from './client'
import { unwrap } from './errors'

export type DataExport = Schemas['ExportOut']

export const privacyKeys = { export: (id: string) => ['me', 'exports', id] as const }

/** Followed every few seconds while the job builds the zip. */
export const exportOptions = (exportId: string) =>
  queryOptions({
    queryKey: privacyKeys.export(exportId),
    queryFn: () => unwrap(api.GET('/v1/me/exports/{export_id}', { params: { path: { export_id: exportId } } })),
    refetchInterval: (query) => (query.state.data?.status === 'pending' ? 2000 : false),
  })

export const useExport = (exportId: string | null) =>
  useQuery({ ...exportOptions(exportId ?? ''), enabled: exportId !== null })

export function useRequestExport() {
  return useMutation({ mutationFn: () => unwrap(api.POST('/v1/me/export')) })
}

/** Erasure cannot be undone: the API asks for the account's own id as the confirmation (the page then signs out). */
export function useEraseAccount() {
  return useMutation({
    mutationFn: (accountId: string) => unwrap(api.DELETE('/v1/me', { body: { confirm: accountId } })),
  })
}
