/** Registering works and recordings (`/v1/works`, `/v1/recordings`) and following the operation that does it. */
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'

import { api, type Schemas } from './client'
import { unwrap } from './errors'
import { assetKeys } from './assets'

export type WorkIn = Schemas['WorkIn']
export type RecordingIn = Schemas['RecordingIn']
export type PayeeIn = Schemas['PayeeIn']
export type Operation = Schemas['OperationOut']

const FINAL = new Set(['confirmed', 'failed'])

export const operationKeys = { detail: (id: string) => ['operations', id] as const }

export const operationOptions = (operationId: string) =>
  queryOptions({
    queryKey: operationKeys.detail(operationId),
    queryFn: () =>
      unwrap(api.GET('/v1/operations/{operation_id}', { params: { path: { operation_id: operationId } } })),
    // pending → submitted → included → confirmed takes seconds: follow it until it ends
    refetchInterval: (query) => (query.state.data && FINAL.has(query.state.data.status) ? false : 1000),
  })

export const useOperation = (operationId: string | null) =>
  useQuery({ ...operationOptions(operationId ?? ''), enabled: operationId !== null })

/** One Idempotency-Key per form: a resend of the same registration answers the first operation. */
export function useRegister() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (request: { kind: 'work'; body: WorkIn; key: string } | { kind: 'recording'; body: RecordingIn; key: string }) => {
      const params = { header: { 'Idempotency-Key': request.key } }
      return request.kind === 'work'
        ? unwrap(api.POST('/v1/works', { body: request.body, params }))
        : unwrap(api.POST('/v1/recordings', { body: request.body, params }))
    },
    onSuccess: () => client.invalidateQueries({ queryKey: assetKeys.all }),
  })
}
