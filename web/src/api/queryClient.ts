import { QueryClient } from '@tanstack/react-query'

import { shouldRetry } from './errors'

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: shouldRetry, staleTime: 10_000, refetchOnWindowFocus: false },
      mutations: { retry: false }, // never resend a write on its own, least of all one that moves money
    },
  })
}
