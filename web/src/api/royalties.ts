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

export type PeriodIn = Schemas['PeriodIn']
export type RevenueIn = Schemas['RevenueIn']

function useAdminMutation<I, O>(call: (input: I) => Promise<O>, periodOf: (input: I) => number | null) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: call,
    onSettled: (_data, _error, input) => {
      const periodId = periodOf(input)
      return Promise.all([
        client.invalidateQueries({ queryKey: royaltyKeys.periods, exact: true }),
        periodId === null ? undefined : client.invalidateQueries({ queryKey: royaltyKeys.period(periodId) }),
      ])
    },
  })
}

/** Admins: open the next period, record its revenue, close it, publish it (close and publish are jobs). */
export const useOpenPeriod = () =>
  useAdminMutation((body: PeriodIn) => unwrap(api.POST('/v1/periods', { body })), () => null)

export const useRecordRevenue = () =>
  useAdminMutation(({ periodId, body }: { periodId: number; body: RevenueIn }) =>
    unwrap(api.POST('/v1/periods/{period_id}/revenue', { params: { path: { period_id: periodId } }, body })),
  (input) => input.periodId)

export const useClosePeriod = () =>
  useAdminMutation((periodId: number) =>
    unwrap(api.POST('/v1/periods/{period_id}/close', { params: { path: { period_id: periodId } } })), (id) => id)

export const usePublishPeriod = () =>
  useAdminMutation((periodId: number) =>
    unwrap(api.POST('/v1/periods/{period_id}/publish', { params: { path: { period_id: periodId } } })), (id) => id)

/** A period followed until its status is `until` (a close or publish job's end). */
export const useFollowedPeriod = (periodId: number, until: Period['status'] | null) =>
  useQuery({
    ...periodOptions(periodId),
    enabled: until !== null,
    refetchInterval: (query) => (until && query.state.data?.status !== until ? 1000 : false),
  })
