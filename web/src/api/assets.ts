/** Works and recordings (`/v1/assets`): public reads from the chain's mirror. */
import { queryOptions, useQuery } from '@tanstack/react-query'

import type { AssetKind } from '../app/paths'
import { api, type Schemas } from './client'
import { unwrap } from './errors'

export type Asset = Schemas['AssetOut']
export type AssetDetail = Schemas['AssetDetailOut']
export interface AssetFilters {
  q?: string
  kind?: AssetKind
  cursor?: string
}

export const PAGE_SIZE = 20

export const assetKeys = {
  all: ['assets'] as const,
  list: (filters: AssetFilters) => ['assets', 'list', filters] as const,
  detail: (assetId: number) => ['assets', 'detail', assetId] as const,
}

export const assetListOptions = (filters: AssetFilters) =>
  queryOptions({
    queryKey: assetKeys.list(filters),
    queryFn: () =>
      unwrap(api.GET('/v1/assets', {
        params: { query: { q: filters.q || undefined, kind: filters.kind, cursor: filters.cursor, limit: PAGE_SIZE } },
      })),
  })

export const assetOptions = (assetId: number) =>
  queryOptions({
    queryKey: assetKeys.detail(assetId),
    queryFn: () => unwrap(api.GET('/v1/assets/{asset_id}', { params: { path: { asset_id: assetId } } })),
  })

export const useAssets = (filters: AssetFilters) => useQuery(assetListOptions(filters))
export const useAsset = (assetId: number) => useQuery(assetOptions(assetId))
