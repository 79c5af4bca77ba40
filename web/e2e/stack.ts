/**
 * Starts `harmoni up` on a fresh data directory with free ports, as a user runs it (it serves the built app at
 * `/`), waits for `/readyz`, and stops it after the run. Tests read its URL and directory from the environment.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const REPO = fileURLToPath(new URL('../..', import.meta.url))

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer()
    server.once('error', fail)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => done(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

export function stackEnv(dir: string, apiPort: number, anvilPort: number): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('HARMONI_')))
  return { ...env, HARMONI_DATA_DIR: join(dir, 'var'), HARMONI_API_PORT: String(apiPort),
           HARMONI_ANVIL_PORT: String(anvilPort), HARMONI_ENV: 'development', HARMONI_PERIOD_CLOSE_GRACE_S: '0' }
}

async function waitReady(url: string, stack: ChildProcess, log: string, seconds = 180): Promise<void> {
  const deadline = Date.now() + seconds * 1000
  while (Date.now() < deadline) {
    if (stack.exitCode !== null) throw new Error(`harmoni up exited ${stack.exitCode}:\n${readFileSync(log, 'utf8').slice(-3000)}`)
    try {
      if ((await fetch(`${url}/readyz`)).ok) return
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 500))
  }
  throw new Error(`not ready in ${seconds} s:\n${readFileSync(log, 'utf8').slice(-3000)}`)
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  const python = process.env.HARMONI_PYTHON ?? join(REPO, '.venv', 'bin', 'python')
  const dir = mkdtempSync(join(tmpdir(), 'harmoni-e2e-'))
  const [apiPort, anvilPort] = [await freePort(), await freePort()]
  const env = stackEnv(dir, apiPort, anvilPort)
  const log = join(dir, 'stack.log')
  const stack = spawn(python, ['-m', 'harmoni.cli', 'up'], { cwd: dir, env, stdio: ['ignore', openSync(log, 'w'), openSync(log, 'w')] })
  const url = `http://127.0.0.1:${apiPort}`
  try {
    await waitReady(url, stack, log)
  } catch (err) {
    stack.kill('SIGTERM')
    throw err
  }
  Object.assign(process.env, { HARMONI_E2E_URL: url, HARMONI_E2E_DIR: dir, HARMONI_E2E_API_PORT: String(apiPort),
                               HARMONI_E2E_ANVIL_PORT: String(anvilPort), HARMONI_PYTHON: python })
  return async () => {
    stack.kill('SIGTERM')
    await new Promise<void>((done) => {
      const timer = setTimeout(() => { stack.kill('SIGKILL'); done() }, 60_000)
      stack.once('exit', () => { clearTimeout(timer); done() })
    })
    if (!process.env.HARMONI_E2E_KEEP) rmSync(dir, { recursive: true, force: true })
  }
}
