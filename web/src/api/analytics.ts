/**
 * Artist analytics (`/v1/analytics/*`): plays and listeners per day of one recording or of all a wallet's, and a
 * recording's partner-reported usage and net revenue per territory. Each chart asks on its own, so one failing
 * (or a field not there yet) leaves the others standing.
 */
import { queryOptions, useQuery } from '@tanstack/react-query'

import { api, type Schemas } from './client'
import { unwrap } from './errors'

export type DailySeries = Schemas['DailySeries']
export type Territories = Schemas['Territories']

/** What the daily series covers: a recording, or every recording a wallet controls. */
export type AnalyticsScope = { asset_id: number } | { artist: string }

export const analyticsKeys = {
  plays: (scope: AnalyticsScope, from: string, to: string) => ['analytics', 'plays', { ...scope, from, to }] as const,
  territories: (assetId: number, periodId: number | null) =>
    ['analytics', 'territories', { asset_id: assetId, period_id: periodId }] as const,
}

export const playsOptions = (scope: AnalyticsScope, from: string, to: string) =>
  queryOptions({
    queryKey: analyticsKeys.plays(scope, from, to),
    // the route also answers text/csv, which makes the generated type `unknown`: JSON is what is asked for here
    queryFn: () => unwrap(api.GET('/v1/analytics/plays', { params: { query: { ...scope, from, to } } })) as
      Promise<DailySeries>,
  })

export const territoriesOptions = (assetId: number, periodId: number | null) =>
  queryOptions({
    queryKey: analyticsKeys.territories(assetId, periodId),
    queryFn: () => unwrap(api.GET('/v1/analytics/territories', {
      params: { query: { asset_id: assetId, period_id: periodId } } })) as Promise<Territories>,
  })

export const usePlays = (scope: AnalyticsScope | null, from: string, to: string) =>
  useQuery({ ...playsOptions(scope ?? { artist: '' }, from, to), enabled: scope !== null })

export const useTerritories = (assetId: number | null, periodId: number | null) =>
  useQuery({ ...territoriesOptions(assetId ?? 0, periodId), enabled: assetId !== null })
