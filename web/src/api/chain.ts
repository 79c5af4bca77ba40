/** Where the chain is (`/v1/chain`): the only thing the auditor's page takes from the platform, and overridable. */
import { queryOptions, useQuery } from '@tanstack/react-query'

import { api, type Schemas } from './client'
import { unwrap } from './errors'

export type ChainInfo = Schemas['ChainOut']

export const chainOptions = () =>
  queryOptions({ queryKey: ['chain'] as const, queryFn: () => unwrap(api.GET('/v1/chain')), staleTime: Infinity })

export const useChainInfo = () => useQuery(chainOptions())
