import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'

import { signIn } from '../api/session'
import { expectAccessible, SLOW } from '../test/axe'
import { json, problem, stubFetch, tokenPair } from '../test/http'
import { renderApp } from '../test/render'
import { account, ARTIST_ID, assetOf, feedItem } from './social/fixtures'

/** A response held back until the test lets it go: what the page shows meanwhile is the optimistic state. */
function held() {
  let release!: (response: Response) => void
  const answer = new Promise<Response>((resolve) => { release = resolve })
  return { answer, release }
}

/** The number after the "Followers" term. */
const followers = () => screen.getByText('Followers', { selector: 'dt' }).nextElementSibling

describe('an artist’s profile', () => {
  it('follows at once, with the count, and keeps it when the API agrees', async () => {
    let following = false
    const put = held()
    const calls = stubFetch({
      'POST /v1/auth/login': () => json(tokenPair()),
      [`GET /v1/accounts/${ARTIST_ID}`]: () => json(account(following, following ? 1285 : 1284)),
      [`GET /v1/accounts/${ARTIST_ID}/timeline`]: () => json({ items: [feedItem('post', 1)], next_cursor: null }),
      [`PUT /v1/accounts/${ARTIST_ID}/follow`]: () => put.answer,
      'GET /v1/assets/7': () => json(assetOf(7, 'Blue Hour')),
    })
    await signIn('ada@example.org', 'correct horse 42!')
    renderApp(`/artists/${ARTIST_ID}`)
    expect(await screen.findByRole('heading', { name: '@mira_keys', level: 1 })).toBeInTheDocument()
    expect(screen.getByText('Follows you')).toBeInTheDocument()
    expect(followers()).toHaveTextContent('1284')
    const timeline = await screen.findByRole('list', { name: 'Posts, releases and reposts' })
    expect(within(timeline).getByRole('article', { name: '@mira_keys posted' })).toHaveTextContent('New single out Friday!')

    await userEvent.setup().click(screen.getByRole('button', { name: 'Follow' }))
    // before the API has answered
    expect(await screen.findByRole('button', { name: 'Unfollow' })).toHaveAttribute('aria-pressed', 'true')
    expect(followers()).toHaveTextContent('1285')
    expect(calls.filter((c) => c.method === 'PUT')).toHaveLength(1)
    following = true
    put.release(json({ active: true, changed: true }))
    await waitFor(() => expect(calls.filter((c) => c.path === `/v1/accounts/${ARTIST_ID}`)).toHaveLength(2))
    expect(screen.getByRole('button', { name: 'Unfollow' })).toBeInTheDocument()
    expect(followers()).toHaveTextContent('1285')
    await expectAccessible()
  }, SLOW)

  it('rolls an unfollow back when the API refuses it, and says why', async () => {
    const put = held()
    stubFetch({
      'POST /v1/auth/login': () => json(tokenPair()),
      [`GET /v1/accounts/${ARTIST_ID}`]: () => json(account(true, 1285, false)),
      [`GET /v1/accounts/${ARTIST_ID}/timeline`]: () => json({ items: [], next_cursor: null }),
      [`DELETE /v1/accounts/${ARTIST_ID}/follow`]: () => put.answer,
    })
    await signIn('ada@example.org', 'correct horse 42!')
    renderApp(`/artists/${ARTIST_ID}`)
    await userEvent.setup().click(await screen.findByRole('button', { name: 'Unfollow' }))
    expect(await screen.findByRole('button', { name: 'Follow' })).toHaveAttribute('aria-pressed', 'false')
    expect(followers()).toHaveTextContent('1284')
    put.release(problem(403, 'account-suspended', 'Account suspended', { detail: 'this account is suspended' }))
    expect(await screen.findByRole('button', { name: 'Unfollow' })).toHaveAttribute('aria-pressed', 'true')
    expect(followers()).toHaveTextContent('1285')
    expect(screen.getByRole('alert')).toHaveTextContent('this account is suspended')
    expect(screen.queryByText('Follows you')).not.toBeInTheDocument()
    expect(screen.getByText('Nothing posted, released or reposted yet.')).toBeInTheDocument()
  }, SLOW)

  it('asks a visitor to sign in to follow', async () => {
    stubFetch({
      [`GET /v1/accounts/${ARTIST_ID}`]: () => json({ ...account(false), relationship: null }),
      [`GET /v1/accounts/${ARTIST_ID}/timeline`]: () => json({ items: [], next_cursor: null }),
    })
    renderApp(`/artists/${ARTIST_ID}`)
    expect(await screen.findByRole('link', { name: 'Sign in to follow' }))
      .toHaveAttribute('href', `/sign-in?next=%2Fartists%2F${ARTIST_ID}`)
    expect(screen.queryByRole('button', { name: 'Follow' })).not.toBeInTheDocument()
    expect(await screen.findByText('Nothing posted, released or reposted yet.')).toBeInTheDocument()
    await expectAccessible()
  }, SLOW)
})
