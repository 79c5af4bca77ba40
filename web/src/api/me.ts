/** The signed-in account's wallets (`/v1/me/wallets`). */
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'

import { api, type Schemas } from './client'
import { unwrap } from './errors'

export type Wallet = Schemas['WalletOut']

export const meKeys = { wallets: ['me', 'wallets'] as const }

export const walletsOptions = () =>
  queryOptions({ queryKey: meKeys.wallets, queryFn: () => unwrap(api.GET('/v1/me/wallets')) })

export const useWallets = (enabled = true) => useQuery({ ...walletsOptions(), enabled })

export function useCreateCustodialWallet() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: () => unwrap(api.POST('/v1/me/wallets/custodial')),
    onSuccess: () => client.invalidateQueries({ queryKey: meKeys.wallets }),
  })
}

/** Accept a payee invitation with the e-mailed token: its held wallet becomes the account's. */
export function useAcceptInvitation() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (token: string) => unwrap(api.POST('/v1/invitations/accept', { body: { token } })),
    onSuccess: () => client.invalidateQueries({ queryKey: meKeys.wallets }),
  })
}
