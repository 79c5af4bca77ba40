import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'

import { signIn } from '../api/session'
import { expectAccessible, SLOW } from '../test/axe'
import { json, stubFetch, tokenPair, USER, type Handler } from '../test/http'
import { renderApp } from '../test/render'
import { account, ARTIST_ID } from './social/fixtures'

const CONVERSATION = '6ecc66dc-985b-4f70-bad3-13eea3576bf6'
const message = (id: string, sender: string, text: string, at: string) => ({
  id, conversation_id: CONVERSATION, sender_id: sender, text, created_at: at,
})
const FIRST = message('m1', USER.id, 'Will Blue Hour come out on vinyl?', '2026-12-05T10:12:44Z')
const REPLY = message('m2', ARTIST_ID, 'Yes, in spring!', '2026-12-05T10:20:00Z')

async function open(path: string, routes: Record<string, Handler>) {
  const calls = stubFetch({
    'POST /v1/auth/login': () => json(tokenPair()),
    'GET /v1/me/notifications/stream': () => new Response(new ReadableStream(), { headers: { 'content-type': 'text/event-stream' } }),
    [`GET /v1/accounts/${ARTIST_ID}`]: () => json(account(true)),
    ...routes,
  })
  await signIn('ada@example.org', 'correct horse 42!')
  return { calls, user: userEvent.setup(), ...renderApp(path) }
}

describe('direct messages', () => {
  it('lists the inbox and the requests, and accepts a request', async () => {
    let accepted = false
    const { calls, user } = await open('/messages', {
      'GET /v1/me/conversations': (_r, url) => json(url.searchParams.get('folder') === 'requests' && !accepted
        ? [{ id: CONVERSATION, other_id: ARTIST_ID, folder: 'requests', unread: 1, last_message: REPLY }]
        : url.searchParams.get('folder') === 'inbox' && accepted
          ? [{ id: CONVERSATION, other_id: ARTIST_ID, folder: 'inbox', unread: 1, last_message: REPLY }] : []),
      [`POST /v1/conversations/${CONVERSATION}/accept`]: () => { accepted = true; return new Response(null, { status: 204 }) },
    })
    expect(await screen.findByText('No conversations.')).toBeInTheDocument()
    await user.click(within(screen.getByRole('navigation', { name: 'Folders' })).getByRole('link', { name: 'Requests' }))
    const requests = await screen.findByRole('list', { name: 'Requests' })
    expect(await within(requests).findByRole('link', { name: 'Conversation with @mira_keys' }))
      .toHaveAttribute('href', `/messages/${CONVERSATION}`)
    expect(requests).toHaveTextContent('Yes, in spring!')
    expect(requests).toHaveTextContent('1 unread')
    await expectAccessible()
    await user.click(within(requests).getByRole('button', { name: "Accept @mira_keys's request" }))
    expect(await screen.findByText('No conversations.')).toBeInTheDocument()
    expect(calls.some((c) => c.method === 'POST' && c.path === `/v1/conversations/${CONVERSATION}/accept`)).toBe(true)
    await user.click(within(screen.getByRole('navigation', { name: 'Folders' })).getByRole('link', { name: 'Inbox' }))
    expect(await screen.findByRole('link', { name: 'Conversation with @mira_keys' })).toBeInTheDocument()
  }, SLOW)

  it('shows a thread oldest first, marks it read, says what was seen, and sends a reply', async () => {
    let items = [REPLY, FIRST]
    const { calls, user } = await open(`/messages/${CONVERSATION}`, {
      [`GET /v1/conversations/${CONVERSATION}/messages`]: () => json({
        items, other_id: ARTIST_ID, other_read_at: '2026-12-05T10:19:00Z', next_cursor: null }),
      [`POST /v1/conversations/${CONVERSATION}/read`]: () => json({ last_read_at: '2026-12-05T10:20:00Z' }),
      'POST /v1/messages': () => {
        const sent = message('m3', USER.id, 'Great, thanks!', '2026-12-05T10:30:00Z')
        items = [sent, ...items]
        return json(sent, 201)
      },
    })
    const thread = await screen.findByRole('list', { name: 'Messages with @mira_keys' })
    const [first, second] = within(thread).getAllByRole('listitem')
    expect(first).toHaveTextContent('You')
    expect(first).toHaveTextContent('Will Blue Hour come out on vinyl?')
    expect(first).toHaveTextContent('Seen')
    expect(second).toHaveTextContent('@mira_keys')
    await waitFor(() => expect(calls.some((c) => c.path === `/v1/conversations/${CONVERSATION}/read`)).toBe(true))
    await expectAccessible()

    await user.type(screen.getByLabelText('Your message'), 'Great, thanks!')
    await user.click(screen.getByRole('button', { name: 'Send' }))
    await waitFor(() => expect(within(thread).getAllByRole('listitem')).toHaveLength(3))
    expect(calls.find((c) => c.path === '/v1/messages')!.body).toEqual({ recipient_id: ARTIST_ID, text: 'Great, thanks!' })
    expect(screen.getByLabelText('Your message')).toHaveValue('')
    // "Seen" goes under the newest message of mine, which the other side has not read yet
    expect(within(thread).queryByText('Seen')).not.toBeInTheDocument()
  }, SLOW)
})
