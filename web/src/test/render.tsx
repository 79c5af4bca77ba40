import { render } from '@testing-library/react'
import { createMemoryRouter } from 'react-router'

import { App } from '../app/App'
import { makeRoutes } from '../app/routes'
import { makeQueryClient } from '../api/queryClient'

/** The whole app at `path`, as main.tsx builds it but with an in-memory history. */
export function renderApp(path: string) {
  const queryClient = makeQueryClient()
  const router = createMemoryRouter(makeRoutes(queryClient), { initialEntries: [path] })
  return { router, queryClient, ...render(<App queryClient={queryClient} router={router} />) }
}
