import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'

import { signIn } from '../api/session'
import { expectAccessible, SLOW } from '../test/axe'
import { json, problem, stubFetch, tokenPair, type Handler } from '../test/http'
import { renderApp } from '../test/render'

const WALLET = '0x90F79bf6EB2c4f870365E785982E1f101E93b906'
const BLOCK = { number: 120, hash: `0x${'34'.repeat(32)}` }
const POINTS = [
  { day: '2026-03-14', plays: 128, listeners: 93, saves: 4 },
  { day: '2026-03-15', plays: 141, listeners: 102, saves: 9 },
  { day: '2026-03-16', plays: 0, listeners: 0, saves: 0 },
]

async function openAnalytics(routes: Record<string, Handler>, path: string) {
  const calls = stubFetch({
    'POST /v1/auth/login': () => json(tokenPair()),
    'GET /v1/me/wallets': () => json([{ address: WALLET, kind: 'custodial', created_at: '2026-11-25T10:00:00Z' }]),
    'GET /v1/assets': () => json({ block: BLOCK, next_cursor: null, data: [{ asset_id: 7, kind: 'recording',
      title: 'Blue Hour', industry_code: 'USRC17607839', controller: WALLET }] }),
    'GET /v1/me/earnings': () => json({ token: '0x5FbDB2315678afecb367f032d93F642f64180aa3', accounts: [], periods: [
      { period_id: 1, account: WALLET, amount: '1500000', status: 'claimed' },
      { period_id: 1, account: '0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65', amount: '500000', status: 'claimable' },
      { period_id: 2, account: WALLET, amount: '3250000', status: 'claimable' }] }),
    'GET /v1/periods': () => json([{ period_id: 12, starts_at: '2026-03-01T00:00:00Z', ends_at: '2026-04-01T00:00:00Z',
      status: 'published' }]),
    ...routes,
  })
  await signIn('ada@example.org', 'correct horse 42!')
  renderApp(path)
  await screen.findByRole('heading', { name: 'Analytics', level: 1 })
  return { calls, user: userEvent.setup() }
}

const query = (calls: { path: string; request: Request }[], path: string) =>
  calls.filter((c) => c.path === path).map((c) => Object.fromEntries(new URL(c.request.url).searchParams))

describe('artist analytics', () => {
  it('charts every daily figure with a description and a table, and revenue per period', async () => {
    const { calls } = await openAnalytics({
      'GET /v1/analytics/plays': () => json({ asset_id: null, artist: WALLET, points: POINTS }),
    }, `/artist/analytics?artist=${WALLET}&from=2026-03-14&to=2026-03-16`)
    const plays = await screen.findByRole('img', { name: 'Plays per day' })
    expect(plays).toHaveAccessibleDescription('269 in all over 3 days; the most on 2026-03-15 (141).')
    expect(screen.getByRole('img', { name: 'Listeners per day' })).toBeInTheDocument()
    // a figure the API added later is charted under its own name
    expect(screen.getByRole('img', { name: 'Saves per day' })).toHaveAccessibleDescription(/13 in all/)
    const table = screen.getByRole('table', { name: 'Plays per day', hidden: true })
    expect(within(table).getByRole('row', { name: '2026-03-15 141', hidden: true })).toBeInTheDocument()
    expect(query(calls, '/v1/analytics/plays')).toEqual([{ artist: WALLET, from: '2026-03-14', to: '2026-03-16' }])

    const revenue = await screen.findByRole('img', { name: 'Revenue per period' })
    expect(revenue).toHaveAccessibleDescription('2 periods, 5.25 in all.')
    const revenueTable = screen.getByRole('table', { name: 'Revenue per period', hidden: true })
    expect(within(revenueTable).getByRole('row', { name: 'Period 1 2.00', hidden: true })).toBeInTheDocument()
    expect(screen.getByText('Choose one recording above to see its territories.')).toBeInTheDocument()
    await expectAccessible()
  }, SLOW)

  it('narrows to one recording with its territories per period, the choice kept in the URL', async () => {
    const { calls, user } = await openAnalytics({
      'GET /v1/analytics/plays': () => json({ asset_id: 7, artist: null, points: POINTS.map(({ saves: _s, ...p }) => p) }),
      'GET /v1/analytics/territories': (_r, url) => json({ asset_id: 7, period_id: null, territories:
        url.searchParams.get('period_id') === '12'
          ? [{ territory: 'FR', usage: 2210, net_revenue: 796, currency: 'EUR' }]
          : [{ territory: 'FR', usage: 2210, net_revenue: 796, currency: 'EUR' },
             { territory: 'DE', usage: 5120, net_revenue: 1843, currency: 'EUR' }] }),
    }, '/artist/analytics?from=2026-03-14&to=2026-03-16')
    await screen.findByRole('img', { name: 'Plays per day' })
    await screen.findByRole('option', { name: 'Recording: Blue Hour' }) // the artist's recordings are listed
    await user.selectOptions(screen.getByLabelText('Show'), 'asset:7')
    const usage = await screen.findByRole('img', { name: 'Usage' })
    expect(usage).toHaveAccessibleDescription('2 territories; the most usage in DE.')
    const money = screen.getByRole('table', { name: 'Net revenue', hidden: true })
    expect(within(money).getByRole('row', { name: 'DE 18.43 EUR', hidden: true })).toBeInTheDocument()
    expect(query(calls, '/v1/analytics/plays').at(-1)).toEqual({ asset_id: '7', from: '2026-03-14', to: '2026-03-16' })

    await screen.findByRole('option', { name: 'Period 12' })
    await user.selectOptions(screen.getByLabelText('Period'), '12')
    // the chart of the period shown before stays until the new period's answer arrives
    await waitFor(() => expect(screen.getByRole('img', { name: 'Usage' }))
      .toHaveAccessibleDescription('1 territory; the most usage in FR.'))
    expect(query(calls, '/v1/analytics/territories').at(-1)).toEqual({ asset_id: '7', period_id: '12' })
  }, SLOW)

  it('keeps the other charts when one fails, and checks the range before asking', async () => {
    const { calls, user } = await openAnalytics({
      'GET /v1/analytics/plays': () => problem(503, 'service-unavailable', 'Analytics unavailable',
        { detail: 'the rollup has not run yet' }),
    }, `/artist/analytics?artist=${WALLET}&from=2026-03-14&to=2026-03-16`)
    expect(await screen.findByRole('alert')).toHaveTextContent('the rollup has not run yet')
    expect(await screen.findByRole('img', { name: 'Revenue per period' })).toBeInTheDocument()
    const asked = calls.filter((c) => c.path === '/v1/analytics/plays').length
    await user.clear(screen.getByLabelText('To (UTC)'))
    await user.type(screen.getByLabelText('To (UTC)'), '2026-03-01')
    await user.click(screen.getByRole('button', { name: 'Show' }))
    expect(screen.getByLabelText('From (UTC)')).toHaveAccessibleDescription('The range must end on or after its start.')
    expect(calls.filter((c) => c.path === '/v1/analytics/plays')).toHaveLength(asked)
  }, SLOW)
})
