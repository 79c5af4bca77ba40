/** Discovery (`/v1/trending`, `/v1/me/recommendations`, `/v1/recordings/{id}/related`): reads of what periodic jobs computed. */
import { queryOptions, useQuery } from '@tanstack/react-query'

import { api, type Schemas } from './client'
import { unwrap } from './errors'

export type TrendingKind = 'recording' | 'artist' | 'edition'
export type TrendingWindow = '24h' | '7d' | '30d'
export type TrendingItem = Schemas['TrendingItem']
export type Recommended = Schemas['RecommendedRecording']
export type RelatedRecording = Schemas['RelatedRecording']

export const ROW_SIZE = 10

export const discoveryKeys = {
  trending: (kind: TrendingKind, window: TrendingWindow) => ['trending', { kind, window }] as const,
  recommendations: ['recommendations'] as const,
  related: (assetId: number) => ['related', { recording: assetId }] as const,
}

export const trendingOptions = (kind: TrendingKind, window: TrendingWindow = '7d') =>
  queryOptions({
    queryKey: discoveryKeys.trending(kind, window),
    queryFn: () => unwrap(api.GET('/v1/trending', { params: { query: { kind, window, limit: ROW_SIZE } } })),
  })

export const recommendationsOptions = () =>
  queryOptions({
    queryKey: discoveryKeys.recommendations,
    queryFn: () => unwrap(api.GET('/v1/me/recommendations', { params: { query: { limit: ROW_SIZE } } })),
  })

export const relatedOptions = (assetId: number) =>
  queryOptions({
    queryKey: discoveryKeys.related(assetId),
    queryFn: () => unwrap(api.GET('/v1/recordings/{asset_id}/related', {
      params: { path: { asset_id: assetId }, query: { limit: ROW_SIZE } } })),
  })

export const useTrending = (kind: TrendingKind, window: TrendingWindow = '7d') => useQuery(trendingOptions(kind, window))
export const useRecommendations = (enabled: boolean) => useQuery({ ...recommendationsOptions(), enabled })
export const useRelated = (assetId: number) => useQuery(relatedOptions(assetId))
