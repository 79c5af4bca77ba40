/**
 * An artist's editions (`/v1/editions`): the assets their wallets control, the editions those wallets created,
 * and creating one — sent by the custodial wallet (`POST /v1/editions`, an operation to follow) or prepared for
 * the artist's own wallet to send (`POST /v1/editions/prepare`).
 */
import { queryOptions, useMutation, useQueries, useQueryClient } from '@tanstack/react-query'

import { api, type Schemas } from './client'
import { unwrap } from './errors'

export type Edition = Schemas['EditionOut']
export type EditionIn = Schemas['EditionIn']
export type Asset = Schemas['AssetOut']

const LIMIT = 200 // the API's largest page: an artist with more sees the first 200

export const artistEditionKeys = {
  all: ['editions'] as const,
  byCreator: (artist: string) => ['editions', 'list', { artist }] as const,
  controlled: (controller: string) => ['assets', 'list', { controller }] as const,
}

export const controlledAssetsOptions = (controller: string) =>
  queryOptions({
    queryKey: artistEditionKeys.controlled(controller),
    queryFn: () => unwrap(api.GET('/v1/assets', { params: { query: { controller, limit: LIMIT } } })),
  })

export const creatorEditionsOptions = (artist: string) =>
  queryOptions({
    queryKey: artistEditionKeys.byCreator(artist),
    queryFn: () => unwrap(api.GET('/v1/editions', { params: { query: { artist, limit: LIMIT } } })),
  })

interface Combined<T> {
  data: T[]
  pending: boolean
  error: unknown
  refetch: () => void
}

function combine<T>(results: { data?: { data: T[] }; isPending: boolean; error: unknown; refetch: () => unknown }[]):
  Combined<T> {
  return {
    data: results.flatMap((r) => r.data?.data ?? []),
    pending: results.some((r) => r.isPending),
    error: results.find((r) => r.error)?.error ?? null,
    refetch: () => results.forEach((r) => void r.refetch()),
  }
}

/** Every asset one of `wallets` controls. */
export const useControlledAssets = (wallets: string[]) =>
  useQueries({ queries: wallets.map((w) => controlledAssetsOptions(w)), combine: combine<Asset> })

/** Every edition one of `wallets` created; polled while `waiting` (a sent creation not mirrored yet). */
export const useCreatorEditions = (wallets: string[], waiting = false) =>
  useQueries({
    queries: wallets.map((w) => ({ ...creatorEditionsOptions(w), refetchInterval: waiting ? 2000 : false as const })),
    combine: combine<Edition>,
  })

/** The custodial path: one Idempotency-Key per form, so a resend answers the first operation. */
export function useCreateEdition() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: ({ body, key }: { body: EditionIn; key: string }) =>
      unwrap(api.POST('/v1/editions', { body, params: { header: { 'Idempotency-Key': key } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: artistEditionKeys.all }),
  })
}

/** The own-wallet path: the transaction `controller` sends itself. */
export const usePrepareEdition = () =>
  useMutation({
    mutationFn: ({ body, controller }: { body: EditionIn; controller: string }) =>
      unwrap(api.POST('/v1/editions/prepare', { body, params: { query: { controller } } })),
  })
