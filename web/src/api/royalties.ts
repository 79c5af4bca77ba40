/** Payout periods, their statements, and the signed-in account's earnings and claims. */
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'

import { api, type Schemas } from './client'
import { unwrap } from './errors'

export type Period = Schemas['PeriodOut']
export type Earnings = Schemas['EarningsOut']
export type Claims = Schemas['ClaimsOut']
export type ServerAudit = Schemas['AuditOut']
export const AUDIT_INPUTS = ['plays.csv', 'partner-lines.csv', 'revenue.csv', 'splits.csv', 'journal.csv',
  'statement.json', 'statement.csv', 'tree.json'] as const
export type AuditInput = (typeof AUDIT_INPUTS)[number]

export const royaltyKeys = {
  periods: ['periods'] as const,
  period: (periodId: number) => ['periods', periodId] as const,
  statement: (periodId: number) => ['statements', { period: periodId }] as const,
  earnings: ['me', 'earnings'] as const,
  claims: ['me', 'claims'] as const,
  audit: (periodId: number) => ['audits', { period: periodId }] as const,
}

export const periodsOptions = () =>
  queryOptions({ queryKey: royaltyKeys.periods, queryFn: () => unwrap(api.GET('/v1/periods')) })

export const periodOptions = (periodId: number) =>
  queryOptions({
    queryKey: royaltyKeys.period(periodId),
    queryFn: () => unwrap(api.GET('/v1/periods/{period_id}', { params: { path: { period_id: periodId } } })),
  })

/** The statement's exact bytes (the chain holds their SHA-256), fetched as the public serves them. */
export const statementOptions = (periodId: number) =>
  queryOptions({
    queryKey: royaltyKeys.statement(periodId),
    queryFn: async () => {
      const bytes = await unwrap(api.GET('/v1/periods/{period_id}/statement.{extension}', {
        params: { path: { period_id: periodId, extension: 'json' } },
        parseAs: 'arrayBuffer',
      })) as ArrayBuffer
      return new Uint8Array(bytes)
    },
    staleTime: Infinity, // a closed period's statement never changes
  })

export const statementUrl = (periodId: number, extension: 'json' | 'csv') =>
  `/v1/periods/${periodId}/statement.${extension}`

export const earningsOptions = () =>
  queryOptions({ queryKey: royaltyKeys.earnings, queryFn: () => unwrap(api.GET('/v1/me/earnings')) })

export const claimsOptions = () =>
  queryOptions({ queryKey: royaltyKeys.claims, queryFn: () => unwrap(api.GET('/v1/me/claims')) })

/** The platform's own recomputation (auditors and admins): shown beside the browser's checks, never instead. */
export const serverAuditOptions = (periodId: number) =>
  queryOptions({
    queryKey: royaltyKeys.audit(periodId),
    queryFn: () => unwrap(api.GET('/v1/audit/periods/{period_id}', { params: { path: { period_id: periodId } } })),
  })

/** One raw input of a period (auditors), as a file; it needs the bearer token, so it is fetched, not linked. */
export async function fetchAuditInput(periodId: number, name: AuditInput): Promise<Blob> {
  return await unwrap(api.GET('/v1/audit/periods/{period_id}/inputs/{name}', {
    params: { path: { period_id: periodId, name } }, parseAs: 'blob',
  })) as Blob
}

export const usePeriods = () => useQuery(periodsOptions())
export const usePeriod = (periodId: number) => useQuery(periodOptions(periodId))
export const useStatement = (periodId: number, enabled: boolean) =>
  useQuery({ ...statementOptions(periodId), enabled })
export const useServerAudit = (periodId: number, enabled: boolean) =>
  useQuery({ ...serverAuditOptions(periodId), enabled })
export const useEarnings = () => useQuery(earningsOptions())
export const useClaims = () => useQuery(claimsOptions())

export function useClaim() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (account: string) => unwrap(api.POST('/v1/me/claims', { body: { account } })),
    onSettled: () => Promise.all([
      client.invalidateQueries({ queryKey: royaltyKeys.earnings }),
      client.invalidateQueries({ queryKey: royaltyKeys.claims }),
    ]),
  })
}
