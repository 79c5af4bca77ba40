import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'

import { expectAccessible, SLOW } from '../test/axe'
import { json, problem, stubFetch } from '../test/http'
import { renderApp } from '../test/render'
import { ARTIST_ID, assetOf } from './social/fixtures'

const hit = (kind: string, ref: string, title: string, extra: Record<string, unknown> = {}) => ({
  kind, ref, asset_id: kind === 'artist' ? null : Number(ref), title, artists: ['Mira Keys'], genres: ['jazz'],
  moods: [], year: 2026, has_edition: false, exact: false, ...extra,
})

const SUGGESTIONS: Record<string, { kind: string; ref: string; title: string }[]> = {
  b: [{ kind: 'recording', ref: '7', title: 'Blue Hour' }],
  bl: [{ kind: 'recording', ref: '7', title: 'Blue Hour' }, { kind: 'artist', ref: ARTIST_ID, title: 'Blue Mira' }],
}

function stub() {
  return stubFetch({
    'GET /v1/genres': () => json({ data: [{ slug: 'jazz', name: 'Jazz' }, { slug: 'house', name: 'House' }] }),
    'GET /v1/search/suggest': (_r, url) => json({ data: SUGGESTIONS[url.searchParams.get('q') ?? ''] ?? [] }),
    'GET /v1/search': (_r, url) => {
      if (url.searchParams.get('q') === 'zzz')
        return problem(422, 'invalid-search', 'Invalid search parameter', { detail: 'q: bad', field: 'q' })
      const genre = url.searchParams.get('genre')
      return json({
        data: genre === 'house' ? [hit('recording', '9', 'Blue House', { genres: ['house'] })]
          : [hit('recording', '7', 'Blue Hour'), hit('artist', ARTIST_ID, 'Blue Mira'), hit('work', '3', 'Blue Hour (song)')],
        facets: { kind: { recording: 1, artist: 1, work: 1 }, genre: { jazz: 2, house: 1 }, year: { 2026: 3 },
                  has_edition: { false: 3 } },
        corrected: url.searchParams.get('q') === 'bleu' ? { bleu: 'blue' } : {},
        next_cursor: url.searchParams.get('cursor') ? null : 'czoyMA',
      })
    },
    'GET /v1/assets/7': () => json(assetOf(7, 'Blue Hour')),
  })
}

describe('the search page', () => {
  it('suggests as one types; the keyboard chooses a suggestion in the combobox', async () => {
    const calls = stub()
    const { router } = renderApp('/search')
    const user = userEvent.setup()
    const box = await screen.findByRole('combobox', { name: 'Search titles and artists' })
    expect(box).toHaveAttribute('aria-expanded', 'false')
    await user.type(box, 'bl')
    const list = await screen.findByRole('listbox', { name: 'Suggestions' })
    await waitFor(() => expect(within(list).getAllByRole('option')).toHaveLength(2))
    expect(box).toHaveAttribute('aria-expanded', 'true')
    expect(box).toHaveAttribute('aria-controls', list.id)

    await user.keyboard('{ArrowDown}')
    const [first, second] = within(list).getAllByRole('option')
    expect(box).toHaveAttribute('aria-activedescendant', first!.id)
    expect(first).toHaveAttribute('aria-selected', 'true')
    await user.keyboard('{ArrowDown}')
    expect(box).toHaveAttribute('aria-activedescendant', second!.id)
    await user.keyboard('{ArrowDown}') // wraps around
    expect(box).toHaveAttribute('aria-activedescendant', first!.id)
    await user.keyboard('{ArrowUp}')
    expect(second).toHaveAttribute('aria-selected', 'true')
    await expectAccessible()
    await user.keyboard('{Escape}')
    expect(box).toHaveAttribute('aria-expanded', 'false')
    expect(box).not.toHaveAttribute('aria-activedescendant')

    await user.keyboard('{ArrowDown}{Enter}')
    await waitFor(() => expect(router.state.location.pathname).toBe('/catalog/7'))
    expect(calls.filter((c) => c.path === '/v1/search/suggest').map((c) => new URL(c.request.url).searchParams.get('q')))
      .toContain('bl')
  }, SLOW)

  it('shows results by kind, with facets kept in the URL as filters', async () => {
    const calls = stub()
    const { router } = renderApp('/search?q=blue')
    const user = userEvent.setup()
    const recordings = await screen.findByRole('region', { name: 'Recordings' })
    expect(within(recordings).getByRole('link', { name: 'Blue Hour' })).toHaveAttribute('href', '/catalog/7')
    expect(within(screen.getByRole('region', { name: 'Artists' })).getByRole('link', { name: 'Blue Mira' }))
      .toHaveAttribute('href', `/artists/${ARTIST_ID}`)
    expect(screen.getByRole('region', { name: 'Works' })).toHaveTextContent('Blue Hour (song)')
    const first = calls.find((c) => c.path === '/v1/search')!
    expect(new URL(first.request.url).searchParams.get('facets')).toBe('kind,genre,year,has_edition')

    const genre = screen.getByRole('combobox', { name: 'Genre' })
    expect(await within(genre).findByRole('option', { name: 'House (1)' })).toBeInTheDocument()
    await user.selectOptions(genre, 'House (1)')
    await waitFor(() => expect(router.state.location.search).toBe('?q=blue&genre=house'))
    expect(await screen.findByRole('link', { name: 'Blue House' })).toBeInTheDocument()
    expect(screen.queryByRole('region', { name: 'Artists' })).not.toBeInTheDocument()

    await user.selectOptions(screen.getByRole('combobox', { name: 'Year' }), '2026 (3)')
    await user.selectOptions(screen.getByRole('combobox', { name: 'Editions' }), 'Without an edition (3)')
    await user.selectOptions(screen.getByRole('combobox', { name: 'Kind' }), 'Recordings (1)')
    await waitFor(() => expect(router.state.location.search)
      .toBe('?q=blue&type=recording&genre=house&year=2026&has_edition=false'))
    const last = calls.filter((c) => c.path === '/v1/search').at(-1)!
    const sent = new URL(last.request.url).searchParams
    expect([sent.get('type'), sent.get('genre'), sent.get('year'), sent.get('has_edition')])
      .toEqual(['recording', 'house', '2026', 'false'])

    await user.click(screen.getByRole('link', { name: 'More results' }))
    await waitFor(() => expect(router.state.location.search).toContain('cursor=czoyMA'))
    await expectAccessible()
  }, SLOW)

  it('says which words were read as others, and shows a refused search’s problem', async () => {
    stub()
    renderApp('/search?q=bleu')
    expect(await screen.findByText('Also searched for blue.')).toBeInTheDocument()
    const user = userEvent.setup()
    const box = screen.getByRole('combobox', { name: 'Search titles and artists' })
    await user.clear(box)
    await user.type(box, 'zzz{Enter}')
    expect(await screen.findByRole('alert')).toHaveTextContent('Invalid search parameter')
  }, SLOW)
})
