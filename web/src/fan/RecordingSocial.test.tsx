import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'

import { signIn } from '../api/session'
import { expectAccessible, SLOW } from '../test/axe'
import { json, problem, stubFetch, tokenPair, type Handler } from '../test/http'
import { renderApp } from '../test/render'
import { getPlayer } from './player/store'
import { ARTIST_ADDRESS, ARTIST_ID, assetOf, FAN_ID } from './social/fixtures'

const comment = (id: string, text: string, extra: Record<string, unknown> = {}) => ({
  id, author_id: FAN_ID, author_handle: 'nightowl', parent_id: null, text, entities: [], at_seconds: null,
  created_at: '2026-12-05T08:42:10Z', removed: false, reactions: {}, ...extra,
})
const TOP = 'd184349c-3587-4f27-af6c-84bf822f9572'
const THREADS = { items: [{
  comment: comment(TOP, 'That key change gets me every time', { at_seconds: 92 }),
  replies: [comment('8551b590-dc31-427a-92e5-180961da530d', 'Thank you! 40 takes', {
    author_id: ARTIST_ID, author_handle: 'mira_keys', parent_id: TOP })],
}], next_cursor: null }
const SESSION = {
  session_id: '8a1f5c2e-6b0d-4c1e-9d4a-2f7e3b5c9a10', token: 'pbs_7', expires_at: new Date(Date.now() + 4 * 3600_000).toISOString(),
  counts_after_ms: 30000, duration_ms: 215000, loudness_gain_db: -3.2,
  streams: { mp3_320: 'http://localhost:3000/v1/streams/7/mp3_320?sig=m' },
}

function social(liked: boolean, reposted: boolean, likes = 148) {
  return { asset_id: 7, artist_id: ARTIST_ID, artist_handle: 'mira_keys', counts: { likes, reposts: 12, comments: 2 },
           viewer: { liked, reposted } }
}

async function open(routes: Record<string, Handler>) {
  const calls = stubFetch({
    'POST /v1/auth/login': () => json(tokenPair()),
    'GET /v1/assets/7': () => json(assetOf(7, 'Blue Hour')),
    'GET /v1/recordings/7/comments': () => json(THREADS),
    'GET /v1/recordings/7/related': () => json({ asset_id: 7, items: [
      { asset_id: 12, artist: ARTIST_ADDRESS, title: 'Night Swim', score: 0.4, source: 'sessions' }] }),
    ...routes,
  })
  await signIn('ada@example.org', 'correct horse 42!')
  renderApp('/catalog/7')
  await screen.findByRole('heading', { name: 'Blue Hour', level: 1 })
  return { calls, user: userEvent.setup() }
}

describe('a recording’s social side', () => {
  it('likes at once and rolls back a refused like; reposts with a comment; links the artist and related tracks', async () => {
    let state = social(false, false)
    let likeAnswer: Handler = () => json({ active: true, changed: true })
    const { calls, user } = await open({
      'GET /v1/recordings/7/social': () => json(state),
      'PUT /v1/likes/recording/7': (...args) => likeAnswer(...args),
      'DELETE /v1/likes/recording/7': () => json({ active: false, changed: true }),
      'PUT /v1/reposts/recording/7': () => {
        state = { ...state, viewer: { ...state.viewer, reposted: true } }
        return json({ id: 'x', subject_type: 'recording', subject_id: '7', comment: 'Go listen', created_at: '2026-12-05T08:30:00Z', changed: true })
      },
    })
    const bar = await screen.findByRole('region', { name: 'Likes and reposts' })
    expect(within(bar).getByRole('link', { name: '@mira_keys' })).toHaveAttribute('href', `/artists/${ARTIST_ID}`)
    expect(within(bar).getByText('148 likes')).toBeInTheDocument()

    // refused: back to where it was, with the reason
    let release!: (r: Response) => void
    likeAnswer = () => new Promise((resolve) => { release = resolve })
    await user.click(within(bar).getByRole('button', { name: 'Like' }))
    expect(within(bar).getByRole('button', { name: 'Like' })).toHaveAttribute('aria-pressed', 'true')
    expect(within(bar).getByText('149 likes')).toBeInTheDocument()
    release(problem(429, 'rate-limited', 'Too many requests', { detail: 'more than 60 social writes a minute' }))
    await waitFor(() => expect(within(bar).getByRole('button', { name: 'Like' })).toHaveAttribute('aria-pressed', 'false'))
    expect(within(bar).getByText('148 likes')).toBeInTheDocument()
    expect(within(bar).getByRole('alert')).toBeInTheDocument()

    likeAnswer = () => { state = social(true, false, 149); return json({ active: true, changed: true }) }
    await user.click(within(bar).getByRole('button', { name: 'Like' }))
    await waitFor(() => expect(within(bar).getByText('149 likes')).toBeInTheDocument())
    expect(within(bar).getByRole('button', { name: 'Like' })).toHaveAttribute('aria-pressed', 'true')

    await user.click(within(bar).getByRole('button', { name: 'Repost' }))
    await user.type(within(bar).getByLabelText('Say something with your repost (optional)'), 'Go listen')
    await user.click(within(bar).getByRole('button', { name: 'Repost it' }))
    expect(await within(bar).findByRole('button', { name: 'Undo repost' })).toBeInTheDocument()
    expect(calls.find((c) => c.method === 'PUT' && c.path === '/v1/reposts/recording/7')!.body).toEqual({ comment: 'Go listen' })

    const related = screen.getByRole('region', { name: 'Related tracks' })
    expect(within(related).getByRole('link', { name: 'Night Swim' })).toHaveAttribute('href', '/catalog/12')
    await expectAccessible()
  }, SLOW)

  it('shows threads whose “at 1:32” plays the recording from there, and posts comments and replies', async () => {
    vi.spyOn(HTMLMediaElement.prototype, 'canPlayType').mockImplementation((type) => (type === 'audio/mpeg' ? 'maybe' : ''))
    const { calls, user } = await open({
      'GET /v1/recordings/7/social': () => json(social(false, false)),
      'POST /v1/playback-sessions': () => json(SESSION, 201),
      'POST /v1/recordings/7/comments': (request) => request.clone().json().then((body: { at?: string | null }) =>
        body.at === 'soon'
          ? problem(422, 'validation-failed', 'Invalid comment', { field: 'at', detail: 'at: write a moment as 1:32' })
          : json(comment('c2', 'ok'), 201)),
    })
    const threads = await screen.findByRole('list', { name: 'Comments' })
    const thread = within(threads).getByRole('article', { name: '@nightowl' })
    expect(thread).toHaveTextContent('That key change gets me every time')
    expect(within(thread).getByText('Thank you! 40 takes')).toBeInTheDocument()

    await user.click(within(thread).getByRole('button', { name: 'Play from 1:32' }))
    await waitFor(() => expect(getPlayer().audio.currentTime).toBe(92))
    expect(getPlayer().getState().queue[0]?.assetId).toBe(7)
    expect(await screen.findByRole('region', { name: 'Player' })).toHaveTextContent('Blue Hour')

    await user.type(screen.getByLabelText('Your comment'), 'Wow')
    await user.type(screen.getByLabelText('At a moment of the track (optional, e.g. 1:32)'), 'soon')
    await user.click(screen.getByRole('button', { name: 'Comment' }))
    expect(await screen.findByText('at: write a moment as 1:32')).toBeInTheDocument()
    expect(screen.getByLabelText('At a moment of the track (optional, e.g. 1:32)')).toHaveAttribute('aria-invalid', 'true')
    await user.clear(screen.getByLabelText('At a moment of the track (optional, e.g. 1:32)'))
    await user.type(screen.getByLabelText('At a moment of the track (optional, e.g. 1:32)'), '1:32')
    await user.click(screen.getByRole('button', { name: 'Comment' }))
    await waitFor(() => expect(screen.getByLabelText('Your comment')).toHaveValue(''))

    await user.click(within(thread).getByRole('button', { name: 'Reply to @nightowl' }))
    await user.type(within(thread).getByLabelText('Your reply to @nightowl'), 'Same!')
    await user.click(within(thread).getByRole('button', { name: 'Send reply' }))
    await waitFor(() => expect(within(thread).queryByLabelText('Your reply to @nightowl')).not.toBeInTheDocument())
    const posted = calls.filter((c) => c.method === 'POST' && c.path === '/v1/recordings/7/comments').map((c) => c.body)
    expect(posted).toEqual([{ text: 'Wow', parent_id: null, at: 'soon' }, { text: 'Wow', parent_id: null, at: '1:32' },
                            { text: 'Same!', parent_id: TOP, at: null }])
    await expectAccessible()
  }, SLOW)
})
