import { QueryClientProvider, type QueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { RouterProvider, type createBrowserRouter } from 'react-router'


type Router = ReturnType<typeof createBrowserRouter>

export function App({ queryClient, router }: { queryClient: QueryClient; router: Router }) {
  const [client] = useState(queryClient)
  return (
    <QueryClientProvider client={client}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  )
}
