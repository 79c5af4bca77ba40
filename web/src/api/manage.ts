/**
 * What an artist does with a registered asset: its gate (`/v1/recordings/{id}/gate`), disputes
 * (`/v1/assets/{id}/disputes`), locking its split and handing over control (`/v1/assets/{id}/split/lock`,
 * `/v1/assets/{id}/controller`). Chain changes answer an operation, followed with `useOperation`.
 */
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'

import { api, type Schemas } from './client'
import { unwrap } from './errors'
import { assetKeys } from './assets'

export type Gate = Schemas['GateOut']
export type Dispute = Schemas['DisputeOut']

export const manageKeys = {
  gate: (assetId: number) => ['gates', assetId] as const,
  disputes: (assetId: number) => ['disputes', { asset: assetId }] as const,
}

export const gateOptions = (assetId: number) =>
  queryOptions({
    queryKey: manageKeys.gate(assetId),
    queryFn: () => unwrap(api.GET('/v1/recordings/{asset_id}/gate', { params: { path: { asset_id: assetId } } })),
  })

export const disputesOptions = (assetId: number) =>
  queryOptions({
    queryKey: manageKeys.disputes(assetId),
    queryFn: () => unwrap(api.GET('/v1/assets/{asset_id}/disputes', { params: { path: { asset_id: assetId } } })),
  })

export const useGate = (assetId: number) => useQuery(gateOptions(assetId))
export const useDisputes = (assetId: number) => useQuery(disputesOptions(assetId))

export function useSetGate(assetId: number) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (editionId: number | null) => editionId === null
      ? unwrap(api.DELETE('/v1/recordings/{asset_id}/gate', { params: { path: { asset_id: assetId } } }))
        .then((): Gate => ({ asset_id: assetId, edition_id: null }))
      : unwrap(api.PUT('/v1/recordings/{asset_id}/gate', {
        params: { path: { asset_id: assetId } }, body: { edition_id: editionId } })),
    onSuccess: (gate) => client.setQueryData(manageKeys.gate(assetId), gate),
  })
}

export function useOpenDispute(assetId: number) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (body: Schemas['DisputeIn']) =>
      unwrap(api.POST('/v1/assets/{asset_id}/disputes', { params: { path: { asset_id: assetId } }, body })),
    onSuccess: () => client.invalidateQueries({ queryKey: manageKeys.disputes(assetId) }),
  })
}

/** Locking a split and starting a transfer: one Idempotency-Key per form, so a resend answers the first operation. */
export function useLockSplit(assetId: number) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (key: string) => unwrap(api.POST('/v1/assets/{asset_id}/split/lock', {
      params: { path: { asset_id: assetId }, header: { 'Idempotency-Key': key } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: assetKeys.detail(assetId) }),
  })
}

export function useTransferControl(assetId: number) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: ({ newController, key }: { newController: string; key: string }) =>
      unwrap(api.POST('/v1/assets/{asset_id}/controller', {
        params: { path: { asset_id: assetId }, header: { 'Idempotency-Key': key } },
        body: { new_controller: newController } })),
    onSuccess: () => client.invalidateQueries({ queryKey: assetKeys.detail(assetId) }),
  })
}

/** A wallet of the user's own that signs an EIP-712 request in the browser. */
export interface OwnSigner {
  address: string
  sign: (typedData: unknown) => Promise<string>
}

/**
 * The nominee takes control (second step of a transfer): its custodial wallet signs and HARMONI relays, or its own
 * wallet signs the prepared EIP-712 request (`sign`) and HARMONI relays that. The registry offers no "decline".
 */
export function useAcceptControl(assetId: number) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: async ({ key, ownWallet }: { key: string; ownWallet?: OwnSigner }): Promise<Schemas['OperationOut']> => {
      const path = { asset_id: assetId }
      const header = { 'Idempotency-Key': key }
      if (!ownWallet)
        return unwrap(api.POST('/v1/assets/{asset_id}/controller/accept', { params: { path, header } }))
      const prepared = await unwrap(api.POST('/v1/assets/{asset_id}/controller/accept/prepare', {
        params: { path, query: { controller: ownWallet.address } } }))
      const signature = await ownWallet.sign(prepared.typed_data)
      return unwrap(api.POST('/v1/signed-requests', { params: { header },
        body: { typed_data: prepared.typed_data, signature } }))
    },
    onSuccess: () => client.invalidateQueries({ queryKey: assetKeys.detail(assetId) }),
  })
}
