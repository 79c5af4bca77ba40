import { screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'

import { signIn } from '../api/session'
import { expectAccessible, SLOW } from '../test/axe'
import { json, stubFetch, tokenPair, USER, type Handler } from '../test/http'
import { renderApp } from '../test/render'

const WALLET = '0x90F79bf6EB2c4f870365E785982E1f101E93b906'
const POST = '35003f4d-ed41-49a8-8146-11a239d9556b'
const OTHER = '0b0e0000-0000-4000-8000-000000000009'
const BLOCK = { number: 120, hash: `0x${'34'.repeat(32)}` }

/** Entities at the API's code-point offsets of `needle` in `text`. */
function span(text: string, needle: string) {
  const chars = Array.from(text)
  const start = Array.from(text.slice(0, text.indexOf(needle))).length
  expect(chars.slice(start, start + Array.from(needle).length).join('')).toBe(needle)
  return { start, end: start + Array.from(needle).length }
}

const TEXT = '🎹🎹 Out Friday @mira_keys #bluehour https://harmoni.music <img src=x onerror=alert(1)> javascript:alert(1)'
const post = (text = TEXT, extra: Record<string, unknown> = {}) => ({
  id: POST, author_id: USER.id, author_handle: 'ada', text, visibility: 'public', edition_id: null,
  entities: text === TEXT ? [
    { type: 'mention', ...span(TEXT, '@mira_keys'), handle: 'mira_keys', user_id: OTHER },
    { type: 'hashtag', ...span(TEXT, '#bluehour'), tag: 'bluehour' },
    { type: 'link', ...span(TEXT, 'https://harmoni.music'), url: 'https://harmoni.music' },
    { type: 'link', ...span(TEXT, 'javascript:alert(1)'), url: 'javascript:alert(1)' },
  ] : [],
  attachments: [{ type: 'recording', id: '7' }], created_at: '2026-12-01T09:15:00Z', edited_at: null,
  counts: { likes: 4, reposts: 1, comments: 2 }, reactions: {}, ...extra,
})
const item = (p: ReturnType<typeof post>) => ({ kind: 'post', key: `post:${p.id}`, actor_id: USER.id, actor_handle: 'ada',
  at: p.created_at, subject_type: 'post', subject_id: p.id, comment: null, post: p })
const repost = { kind: 'repost', key: 'repost:x', actor_id: USER.id, actor_handle: 'ada', at: '2026-11-30T09:00:00Z',
  subject_type: 'recording', subject_id: '12', comment: 'love it', post: null }

async function openPosts(routes: Record<string, Handler>) {
  const calls = stubFetch({
    'POST /v1/auth/login': () => json(tokenPair()),
    'GET /v1/me/wallets': () => json([{ address: WALLET, kind: 'custodial', created_at: '2026-11-25T10:00:00Z' }]),
    'GET /v1/assets': () => json({ block: BLOCK, next_cursor: null, data: [{ asset_id: 7, kind: 'recording',
      title: 'Blue Hour', industry_code: 'USRC17607839', controller: WALLET }] }),
    'GET /v1/editions': () => json({ block: BLOCK, next_cursor: null, data: [{ edition_id: 3, asset_id: 7 }] }),
    'GET /v1/uploads': () => json({ items: [], next: null }),
    ...routes,
  })
  await signIn('ada@example.org', 'correct horse 42!')
  renderApp('/artist/posts')
  await screen.findByRole('heading', { name: 'Posts', level: 1 })
  return { calls, user: userEvent.setup() }
}

describe('an artist’s posts', () => {
  it('renders mentions, hashtags and links from the entities, and nothing typed as HTML', async () => {
    await openPosts({
      [`GET /v1/accounts/${USER.id}/timeline`]: () => json({ items: [item(post()), repost], next_cursor: null }),
    })
    const card = await screen.findByRole('article', { name: /^Written/ })
    expect(within(card).getByText('@mira_keys', { selector: 'strong' })).toHaveClass('mention')
    expect(within(card).getByText('#bluehour', { selector: 'strong' })).toHaveClass('hashtag')
    expect(within(card).getByRole('link', { name: 'https://harmoni.music' })).toHaveAttribute('href', 'https://harmoni.music')
    expect(within(card).getAllByRole('link')).toHaveLength(1) // javascript: is never a link
    expect(card.querySelector('img')).toBeNull()
    expect(card).toHaveTextContent('<img src=x onerror=alert(1)>')
    expect(screen.getAllByRole('article')).toHaveLength(1) // the repost is not one of the artist's posts
    await expectAccessible()
  }, SLOW)

  it('publishes a post for the holders of an edition, with an attachment', async () => {
    let listed: unknown[] = []
    const { calls, user } = await openPosts({
      [`GET /v1/accounts/${USER.id}/timeline`]: () => json({ items: listed, next_cursor: null }),
      'POST /v1/posts': () => {
        listed = [item(post('For holders #bluehour', { visibility: 'holders', edition_id: 3 }))]
        return json(listed[0], 201)
      },
    })
    expect(await screen.findByText('No post yet.')).toBeInTheDocument()
    const form = screen.getByRole('form', { name: 'Write a post' })
    await user.type(within(form).getByLabelText('Text'), 'For holders #bluehour')
    expect(within(form).getByLabelText('Text')).toHaveAccessibleDescription('21 / 5000 characters')
    await user.click(within(form).getByRole('radio', { name: 'Holders of one of your editions' }))
    await user.click(within(form).getByRole('button', { name: 'Add an attachment' }))
    await user.click(within(form).getByRole('button', { name: 'Publish' }))
    expect(within(form).getByLabelText('Edition whose holders see it')).toHaveAccessibleDescription('Choose an edition')
    expect(within(form).getByLabelText('Attachment 1')).toHaveAttribute('aria-invalid', 'true')
    expect(calls.some((c) => c.method === 'POST' && c.path === '/v1/posts')).toBe(false)
    await within(form).findByRole('option', { name: 'Edition 3' }) // the artist's editions and recordings are listed
    await user.selectOptions(within(form).getByLabelText('Edition whose holders see it'), '3')
    await within(form).findByRole('option', { name: 'Blue Hour' })
    await user.selectOptions(within(form).getByLabelText('Attachment 1'), '7')
    await expectAccessible()
    await user.click(within(form).getByRole('button', { name: 'Publish' }))
    expect(await screen.findByRole('article', { name: /^Written/ })).toHaveTextContent('Holders (Edition 3)')
    expect(calls.find((c) => c.method === 'POST' && c.path === '/v1/posts')!.body).toEqual({
      text: 'For holders #bluehour', visibility: 'holders', edition_id: 3, attachments: [{ type: 'recording', id: '7' }] })
    expect(within(form).getByLabelText('Text')).toHaveValue('')
  }, SLOW)

  it('edits a post keeping its history, and deletes it after a confirmation', async () => {
    let current: ReturnType<typeof post> | null = post('First take')
    const { calls, user } = await openPosts({
      [`GET /v1/accounts/${USER.id}/timeline`]: () => json({ items: current ? [item(current)] : [], next_cursor: null }),
      [`PATCH /v1/posts/${POST}`]: async (request) => {
        const { text } = (await request.json()) as { text: string }
        current = post(text, { edited_at: '2026-12-02T10:00:00Z' })
        return json(current)
      },
      [`GET /v1/posts/${POST}/revisions`]: () => json([{ revision: 1, text: 'First take', entities: [],
                                                        written_at: '2026-12-01T09:15:00Z' }]),
      [`DELETE /v1/posts/${POST}`]: () => { current = null; return new Response(null, { status: 204 }) },
    })
    const card = await screen.findByRole('article', { name: /^Written/ })
    await user.click(within(card).getByRole('button', { name: /^Edit the post of/ }))
    const box = within(card).getByLabelText('Text')
    await user.clear(box)
    await user.type(box, 'Second take')
    await user.click(within(card).getByRole('button', { name: 'Save' }))
    expect(await within(card).findByText('Second take')).toBeInTheDocument()
    expect(card).toHaveTextContent(/edited 2 Dec 2026/)
    expect(calls.find((c) => c.method === 'PATCH')!.body).toEqual({ text: 'Second take' })

    await user.click(within(card).getByRole('button', { name: /^Earlier versions/ }))
    const history = await within(card).findByRole('list', { name: /^Earlier versions/ })
    expect(history).toHaveTextContent('Version 1, written 1 Dec 2026')
    expect(history).toHaveTextContent('First take')

    await user.click(within(card).getByRole('button', { name: /^Delete the post of/ }))
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false) // not before the confirmation
    await user.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Delete for good' }))
    expect(await screen.findByText('No post yet.')).toBeInTheDocument()
  }, SLOW)
})
