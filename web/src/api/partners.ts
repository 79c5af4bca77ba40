/** A partner's API keys (`/v1/partner/keys`): issued (the key shown once), listed, revoked. */
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'

import { api, type Schemas } from './client'
import { unwrap } from './errors'

export type ApiKey = Schemas['ApiKeyOut']
export type ApiScope = ApiKey['scopes'][number]
export const SCOPES: ApiScope[] = ['assets:read', 'usage:write', 'webhooks:manage']

export const partnerKeys = { keys: ['partner', 'keys'] as const }

export const keysOptions = () =>
  queryOptions({ queryKey: partnerKeys.keys, queryFn: () => unwrap(api.GET('/v1/partner/keys')) })

export const useKeys = () => useQuery(keysOptions())

export function useIssueKey() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (body: { name: string; scopes: ApiScope[] }) => unwrap(api.POST('/v1/partner/keys', { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: partnerKeys.keys }),
  })
}

export function useRevokeKey() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (keyId: string) =>
      unwrap(api.DELETE('/v1/partner/keys/{key_id}', { params: { path: { key_id: keyId } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: partnerKeys.keys }),
  })
}
