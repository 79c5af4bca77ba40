/** Editions for fans (`/v1/editions`): the shop, one edition and its holders, buying by crypto or by card, orders,
 * and the collection (`/v1/me/collection`). Nothing here is optimistic: money shows what the API answered. */
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect } from 'react'

import { api, type Schemas } from './client'
import { unwrap } from './errors'

export type Edition = Schemas['EditionOut']
export type PurchasePrepared = Schemas['PurchasePrepared']
export type PurchaseStatus = Schemas['PurchaseStatusOut']
export type Holding = Schemas['HoldingOut']

export interface EditionFilters {
  on_sale?: boolean
  sold_out?: boolean
  artist?: string
  cursor?: string
}

export const editionKeys = {
  all: ['editions'] as const,
  list: (filters: EditionFilters) => ['editions', 'list', filters] as const,
  detail: (id: number) => ['editions', id] as const,
  holders: (id: number) => ['editions', id, 'holders'] as const,
  purchase: (txHash: string) => ['me', 'edition-purchases', txHash] as const,
  order: (orderId: string) => ['me', 'orders', orderId] as const,
  collection: ['me', 'collection'] as const,
}

export const editionsOptions = (filters: EditionFilters) =>
  queryOptions({
    queryKey: editionKeys.list(filters),
    queryFn: () => unwrap(api.GET('/v1/editions', { params: { query: { ...filters, limit: 24 } } })),
  })

export const editionOptions = (editionId: number) =>
  queryOptions({
    queryKey: editionKeys.detail(editionId),
    queryFn: () => unwrap(api.GET('/v1/editions/{edition_id}', { params: { path: { edition_id: editionId } } })),
  })

export const HOLDERS_LIMIT = 1000
export const holdersOptions = (editionId: number) =>
  queryOptions({
    queryKey: editionKeys.holders(editionId),
    queryFn: () => unwrap(api.GET('/v1/editions/{edition_id}/holders', {
      params: { path: { edition_id: editionId }, query: { limit: HOLDERS_LIMIT } } })),
  })

export const collectionOptions = () =>
  queryOptions({ queryKey: editionKeys.collection, queryFn: () => unwrap(api.GET('/v1/me/collection')) })

export const useEditions = (filters: EditionFilters) => useQuery(editionsOptions(filters))
export const useEdition = (editionId: number) => useQuery(editionOptions(editionId))
export const useHolders = (editionId: number) => useQuery(holdersOptions(editionId))
export const useCollection = () => useQuery(collectionOptions())

/** The calls the fan's linked wallet sends (an ERC-20 approve, then the mint). */
export function usePreparePurchase() {
  return useMutation({
    mutationFn: ({ editionId, wallet, quantity }: { editionId: number; wallet: string; quantity: number }) =>
      unwrap(api.POST('/v1/editions/{edition_id}/purchase/prepare', {
        params: { path: { edition_id: editionId } }, body: { wallet, quantity } })),
  })
}

/** A crypto purchase followed by its transaction until the mirror shows it minted (or it reverted). */
export const purchaseStatusOptions = (txHash: string) =>
  queryOptions({
    queryKey: editionKeys.purchase(txHash),
    queryFn: () => unwrap(api.GET('/v1/me/edition-purchases/{tx_hash}', { params: { path: { tx_hash: txHash } } })),
    refetchInterval: (query) => (query.state.data?.status === 'mint-pending' ? 1500 : false),
  })

/** Once minted, the collection and the edition's supply are read again. */
export function usePurchaseStatus(txHash: string | null) {
  const client = useQueryClient()
  const query = useQuery({ ...purchaseStatusOptions(txHash ?? ''), enabled: txHash !== null })
  const minted = query.data?.status === 'minted' ? query.data.mints[0]?.edition_id ?? 0 : null
  useEffect(() => {
    if (minted === null) return
    void client.invalidateQueries({ queryKey: editionKeys.collection })
    if (minted) void client.invalidateQueries({ queryKey: editionKeys.detail(minted) })
  }, [client, minted])
  return query
}

// --- card purchases and orders ------------------------------------------------------------------------------------
export type OrderOut = Schemas['OrderOut']
export type OrderState = OrderOut['state']

export function useEditionCheckout() {
  return useMutation({
    mutationFn: ({ editionId, quantity }: { editionId: number; quantity: number }) =>
      unwrap(api.POST('/v1/editions/{edition_id}/checkout', {
        params: { path: { edition_id: editionId } }, body: { quantity } })),
  })
}

const SETTLED: OrderState[] = ['payment-failed', 'sold-out-refunded', 'minted']  // mint-failed is retried

/** Refreshed while the webhook and the mint job are still working on it. */
export const orderOptions = (orderId: string) =>
  queryOptions({
    queryKey: editionKeys.order(orderId),
    queryFn: () => unwrap(api.GET('/v1/me/orders/{order_id}', { params: { path: { order_id: orderId } } })),
    refetchInterval: (query) => (query.state.data && !SETTLED.includes(query.state.data.state) ? 2000 : false),
  })

export const useOrder = (orderId: string) => useQuery(orderOptions(orderId))
