/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

// The API serves the build at / (api/web/endpoints.py); in `npm run dev` Vite proxies the API to it.
const api = process.env.HARMONI_API_URL ?? 'http://127.0.0.1:8000'

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: { proxy: { '/v1': api, '/docs': api, '/docs-assets': api, '/openapi.json': api } },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    restoreMocks: true,
    testTimeout: 30_000, // a limit, never a measure: a loaded CI runner must not fail a correct test
  },
})
