import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { createBrowserRouter } from 'react-router'

import { App } from './app/App'
import { makeRoutes } from './app/routes'
import { makeQueryClient } from './api/queryClient'
import { restoreSession } from './api/session'
import { applyTheme, storedTheme } from './lib/theme'
import './styles.css'

applyTheme(storedTheme())
const queryClient = makeQueryClient()
const router = createBrowserRouter(makeRoutes(queryClient))
void restoreSession()

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App queryClient={queryClient} router={router} />
  </StrictMode>,
)
