import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'

import { expectAccessible, SLOW } from '../../test/axe'
import { json, stubFetch } from '../../test/http'
import { renderApp } from '../../test/render'
import { ARTIST, BLOCK, edition } from './fixtures'

describe('the shop', () => {
  it('lists editions with the filters read from and written to the URL', async () => {
    const calls = stubFetch({
      'GET /v1/editions': (_r, url) => json({ block: BLOCK, next_cursor: url.searchParams.get('artist') ? null : 'c2',
        data: url.searchParams.get('sold_out') ? [edition(2, { supply_left: 0, sold_out: true, on_sale: false })]
          : [edition(1)] }),
    })
    const { router } = renderApp('/shop?on_sale=true')
    const card = await screen.findByRole('article', { name: 'Edition 1' })
    expect(card).toHaveTextContent('5.00 in the payout token · 5.00 USD')
    expect(card).toHaveTextContent('97 of 100 left · On sale')
    expect(new URL(calls[0]!.request.url).searchParams.get('on_sale')).toBe('true')
    expect(screen.getByRole('checkbox', { name: 'On sale now' })).toBeChecked()
    expect(screen.getByRole('link', { name: 'More editions' })).toHaveAttribute('href', '/shop?on_sale=true&cursor=c2')
    await expectAccessible()

    const user = userEvent.setup()
    await user.click(screen.getByRole('checkbox', { name: 'On sale now' }))
    await user.click(screen.getByRole('checkbox', { name: 'Sold out' }))
    await user.type(screen.getByLabelText('Artist (wallet address)'), ARTIST)
    await user.click(screen.getByRole('button', { name: 'Apply filters' }))
    const soldOut = await screen.findByRole('article', { name: 'Edition 2' })
    expect(soldOut).toHaveTextContent('0 of 100 left · Sold out')
    expect(router.state.location.search).toBe(`?sold_out=true&artist=${ARTIST}`)
    const last = new URL(calls.at(-1)!.request.url).searchParams
    expect([last.get('on_sale'), last.get('sold_out'), last.get('artist')]).toEqual([null, 'true', ARTIST])
    expect(within(soldOut).getByRole('link', { name: 'Edition 2' })).toHaveAttribute('href', '/shop/editions/2')
  }, SLOW)

  it('says when nothing matches and offers to clear the filters', async () => {
    stubFetch({ 'GET /v1/editions': () => json({ block: BLOCK, data: [], next_cursor: null }) })
    renderApp('/shop?sold_out=true')
    expect(await screen.findByText(/No edition matches/)).toBeInTheDocument()
    expect(screen.getByRole('link', { name: 'Clear filters' })).toHaveAttribute('href', '/shop')
  })

  it('is filtered by keyboard alone: Space ticks a filter, Enter applies it', async () => {
    const calls = stubFetch({ 'GET /v1/editions': () => json({ block: BLOCK, data: [edition(1)], next_cursor: null }) })
    const { router } = renderApp('/shop')
    await screen.findByRole('article', { name: 'Edition 1' })
    const user = userEvent.setup()
    screen.getByRole('checkbox', { name: 'On sale now' }).focus()
    await user.keyboard(' ')
    await user.tab()
    await user.tab()
    expect(screen.getByLabelText('Artist (wallet address)')).toHaveFocus()
    await user.keyboard(`${ARTIST}{Enter}`)
    await waitFor(() => expect(router.state.location.search).toBe(`?on_sale=true&artist=${ARTIST}`))
    await waitFor(() => expect(new URL(calls.at(-1)!.request.url).searchParams.get('artist')).toBe(ARTIST))
  })
})
