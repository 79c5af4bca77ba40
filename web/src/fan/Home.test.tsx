import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'

import { signIn } from '../api/session'
import { expectAccessible, SLOW } from '../test/axe'
import { json, stubFetch, tokenPair, type Handler } from '../test/http'
import { renderApp } from '../test/render'
import { ARTIST_ADDRESS, assetOf, feedItem, trending } from './social/fixtures'

const TRENDING: Record<string, Handler> = {
  'GET /v1/trending': (_r, url) => json(url.searchParams.get('kind') === 'artist'
    ? trending('artist', [{ rank: 1, score: 3, listeners: 41, artist: ARTIST_ADDRESS }])
    : trending('recording', [{ rank: 1, score: 12.5, listeners: 17, asset_id: 7, title: 'Blue Hour' }])),
}

describe('the home page', () => {
  it('shows visitors what HARMONI is, and what is trending', async () => {
    stubFetch(TRENDING)
    renderApp('/')
    expect(await screen.findByRole('heading', { name: 'HARMONI', level: 1 })).toBeInTheDocument()
    const tracks = await screen.findByRole('region', { name: 'Trending tracks' })
    expect(await within(tracks).findByRole('link', { name: 'Blue Hour' })).toHaveAttribute('href', '/catalog/7')
    expect(within(tracks).getByText('17 listeners')).toBeInTheDocument()
    const artists = screen.getByRole('region', { name: 'Trending artists' })
    expect(await within(artists).findByText('41 listeners')).toBeInTheDocument()
    expect(screen.queryByRole('region', { name: 'Your feed' })).not.toBeInTheDocument()
    await expectAccessible()
  }, SLOW)

  it('gives a signed-in listener their feed, each item once, with more on demand, and their rows', async () => {
    const calls = stubFetch({
      ...TRENDING,
      'POST /v1/auth/login': () => json(tokenPair()),
      'GET /v1/assets/7': () => json(assetOf(7, 'Blue Hour')),
      'GET /v1/assets/8': () => json(assetOf(8, 'Night Swim')),
      'GET /v1/me/recommendations': () => json({
        model_version: 3, cold_start: false, new_from_followed: [],
        for_you: [{ asset_id: 12, artist: ARTIST_ADDRESS, title: 'Low Tide', score: 0.8 }],
        because_you_played: [{ seed_asset_id: 7, seed_title: 'Blue Hour',
                               items: [{ asset_id: 19, artist: ARTIST_ADDRESS, title: 'Deep Water', score: 0.6 }] }],
      }),
      'GET /v1/me/feed': (_r, url) => json(url.searchParams.get('cursor') === 'page-2'
        ? { items: [feedItem('release', 3, { subject_id: '8', key: 'release:8' })], next_cursor: null }
        : { items: [feedItem('post', 1), feedItem('repost', 2, { comment: 'On repeat all week' })], next_cursor: 'page-2' }),
    })
    await signIn('ada@example.org', 'correct horse 42!')
    renderApp('/')
    const feed = await screen.findByRole('list', { name: 'Your feed' })
    const posted = within(feed).getByRole('article', { name: '@mira_keys posted' })
    expect(posted).toHaveTextContent('New single out Friday!')
    expect(within(posted).getByRole('link', { name: '@mira_keys' })).toHaveAttribute('href', '/artists/3f6b2c1e-8d4a-4e6f-9b2a-7c5d1e0f4a82')
    const reposted = within(feed).getByRole('article', { name: '@mira_keys reposted' })
    expect(reposted).toHaveTextContent('On repeat all week')
    expect(await within(reposted).findByRole('link', { name: 'Blue Hour' })).toBeInTheDocument()
    expect(within(feed).getAllByRole('article')).toHaveLength(2)

    await userEvent.setup().click(screen.getByRole('button', { name: 'Load more' }))
    const released = await within(feed).findByRole('article', { name: '@mira_keys released' })
    expect(await within(released).findByRole('link', { name: 'Night Swim' })).toHaveAttribute('href', '/catalog/8')
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument()
    expect(calls.filter((c) => c.path === '/v1/me/feed').map((c) => new URL(c.request.url).searchParams.get('cursor')))
      .toEqual([null, 'page-2'])

    const forYou = screen.getByRole('region', { name: 'For you' })
    expect(within(forYou).getByRole('link', { name: 'Low Tide' })).toHaveAttribute('href', '/catalog/12')
    expect(screen.getByRole('region', { name: 'Because you played Blue Hour' })).toHaveTextContent('Deep Water')
    expect(screen.queryByRole('region', { name: 'New from artists you follow' })).not.toBeInTheDocument()
    await expectAccessible()
  }, SLOW)
})
