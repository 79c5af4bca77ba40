/**
 * Who is signed in, and their tokens.
 *
 * The access token (15 minutes) lives only in this module's memory; the refresh token (single use, rotated on
 * every refresh) in `sessionStorage`, so a reload keeps the user signed in but closing the tab signs out, and
 * nothing is in `localStorage`. Refreshes are single-flight: two requests that find the access token stale share
 * one refresh, since presenting a used refresh token makes the API revoke the whole login. See web/README.md.
 */
import { useSyncExternalStore } from 'react'

import { api, authorizeWith, type Schemas } from './client'
import { UnauthorizedError, unwrap } from './errors'

export type User = Schemas['UserOut']
export type Role = User['roles'][number]
type TokenPair = Schemas['TokenPair']

export const REFRESH_KEY = 'harmoni.refresh'
const EARLY_S = 30 // refresh this long before the access token expires

export type SessionState =
  | { status: 'restoring'; user: null }
  | { status: 'signed-out'; user: null; ended?: 'expired' | 'reused' }
  | { status: 'signed-in'; user: User }

let state: SessionState = { status: 'signed-out', user: null }
let access: { token: string; expiresAt: number } | null = null
let refreshing: Promise<void> | null = null
const listeners = new Set<() => void>()

function set(next: SessionState): void {
  state = next
  for (const listener of listeners) listener()
}

function storage(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null
  } catch {
    return null // storage disabled: the session lasts as long as the page
  }
}

function accept(pair: TokenPair): User {
  access = { token: pair.access_token, expiresAt: Date.now() + pair.expires_in * 1000 }
  storage()?.setItem(REFRESH_KEY, pair.refresh_token)
  set({ status: 'signed-in', user: pair.user })
  return pair.user
}

function forget(ended?: 'expired' | 'reused'): void {
  access = null
  storage()?.removeItem(REFRESH_KEY)
  set(ended ? { status: 'signed-out', user: null, ended } : { status: 'signed-out', user: null })
}

export async function signIn(email: string, password: string): Promise<User> {
  return accept(await unwrap(api.POST('/v1/auth/login', { body: { email, password } })))
}

export async function signUp(email: string, password: string, role: 'fan' | 'artist'): Promise<User> {
  return accept(await unwrap(api.POST('/v1/auth/signup', { body: { email, password, role } })))
}

/** Sign-In With Ethereum: the EIP-4361 message the wallet signed, and its signature (see auth/wallet.ts). */
export async function signInWithSiwe(message: string, signature: string): Promise<User> {
  const answer = await unwrap(api.POST('/v1/auth/siwe/verify', { body: { message, signature, purpose: 'login' } }))
  return accept(answer as TokenPair) // `login` answers a token pair (`link` would answer the wallet)
}

export async function signOut(): Promise<void> {
  const token = storage()?.getItem(REFRESH_KEY)
  forget()
  if (token) await api.POST('/v1/auth/logout', { body: { refresh_token: token } }).catch(() => undefined)
}

/** Trade the stored refresh token for a new pair; once at a time, whoever asks. */
function refresh(): Promise<void> {
  refreshing ??= (async () => {
    const token = storage()?.getItem(REFRESH_KEY)
    if (!token) return forget()
    try {
      accept(await unwrap(api.POST('/v1/auth/refresh', { body: { refresh_token: token } })))
    } catch (err) {
      if (err instanceof UnauthorizedError) forget(err.slug === 'refresh-token-reused' ? 'reused' : 'expired')
      else throw err // offline: keep the token for the next try
    }
  })().finally(() => {
    refreshing = null
  })
  return refreshing
}

/** A valid access token, refreshed first when it is (about to be) stale; null when signed out. */
export async function accessToken(): Promise<string | null> {
  if (refreshing) await refreshing
  if (access && access.expiresAt - EARLY_S * 1000 > Date.now()) return access.token
  if (!storage()?.getItem(REFRESH_KEY)) return null
  await refresh()
  return access?.token ?? null
}

/** At start: a refresh token kept from before a reload signs the user back in. */
export async function restoreSession(): Promise<void> {
  if (!storage()?.getItem(REFRESH_KEY)) return set({ status: 'signed-out', user: null })
  set({ status: 'restoring', user: null })
  try {
    await refresh()
  } catch {
    set({ status: 'signed-out', user: null })
  }
}

export function getSession(): SessionState {
  return state
}

export function useSession(): SessionState {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    () => state,
  )
}

export function hasRole(session: SessionState, ...roles: Role[]): boolean {
  return session.status === 'signed-in' && roles.some((r) => session.user.roles.includes(r))
}

/** Tests start each case signed out. */
export function resetSessionForTests(): void {
  refreshing = null
  forget()
}

authorizeWith(accessToken)
