/** A partner's API keys (`/v1/partner/keys`) and webhook endpoints with their delivery logs (`/v1/partner/webhooks`). */
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

// --- webhooks (`/v1/partner/webhooks`): endpoints (the secret shown once) and each one's delivery log ---------------

export type WebhookEndpoint = Schemas['WebhookEndpointOut']
export type WebhookEvent = WebhookEndpoint['events'][number]
export type Delivery = Schemas['DeliveryOut']
export const EVENTS: WebhookEvent[] = ['asset.registered', 'split.changed', 'payout.published']

export const webhookKeys = {
  all: ['partner', 'webhooks'] as const,
  deliveries: (endpointId: string) => ['partner', 'webhooks', endpointId, 'deliveries'] as const,
}

export const webhooksOptions = () =>
  queryOptions({ queryKey: webhookKeys.all, queryFn: () => unwrap(api.GET('/v1/partner/webhooks')) })

/** Refreshed every few seconds while a delivery is still pending (retries are due). */
export const deliveriesOptions = (endpointId: string) =>
  queryOptions({
    queryKey: webhookKeys.deliveries(endpointId),
    queryFn: () => unwrap(api.GET('/v1/partner/webhooks/{endpoint_id}/deliveries', {
      params: { path: { endpoint_id: endpointId }, query: { limit: 50 } } })),
    refetchInterval: (query) => (query.state.data?.some((d) => d.status === 'pending') ? 5000 : false),
  })

export const useWebhooks = () => useQuery(webhooksOptions())
export const useDeliveries = (endpointId: string | null) =>
  useQuery({ ...deliveriesOptions(endpointId ?? ''), enabled: endpointId !== null })

export function useRegisterWebhook() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (body: { url: string; events: WebhookEvent[] }) => unwrap(api.POST('/v1/partner/webhooks', { body })),
    onSuccess: () => client.invalidateQueries({ queryKey: webhookKeys.all }),
  })
}

export function useDeleteWebhook() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (endpointId: string) =>
      unwrap(api.DELETE('/v1/partner/webhooks/{endpoint_id}', { params: { path: { endpoint_id: endpointId } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: webhookKeys.all }),
  })
}
