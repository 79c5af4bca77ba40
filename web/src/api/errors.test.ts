import { describe, expect, it } from 'vitest'

import { json, problem, stubFetch } from '../test/http'
import { api } from './client'
import {
  ConflictError,
  ForbiddenError,
  NetworkError,
  NotFoundError,
  RateLimitedError,
  ServerError,
  UnauthorizedError,
  ValidationError,
  shouldRetry,
  unwrap,
} from './errors'

const getPeriod = () => unwrap(api.GET('/v1/periods/{period_id}', { params: { path: { period_id: 1 } } }))

describe('unwrap', () => {
  it('returns the data of a 2xx', async () => {
    stubFetch({ 'GET /v1/periods/1': () => json({ period_id: 1, status: 'open' }) })
    await expect(getPeriod()).resolves.toMatchObject({ period_id: 1, status: 'open' })
  })

  it('maps a request validation 422 to its fields', async () => {
    stubFetch({ 'GET /v1/periods/1': () => problem(422, 'validation-failed', 'Validation failed', {
      detail: 'invalid split[1].share_percent, title',
      errors: [{ field: 'split[1].share_percent', in: 'body', message: 'Field required' },
               { field: 'title', in: 'body', message: 'String should have at least 1 character' }],
    }) })
    const error = await getPeriod().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as ValidationError).fields).toEqual({
      'split[1].share_percent': 'Field required', title: 'String should have at least 1 character' })
    expect((error as ValidationError).title).toBe('Validation failed')
  })

  it('maps a service refusal naming one field to that field with its detail', async () => {
    stubFetch({ 'GET /v1/periods/1': () => problem(422, 'invalid-industry-code', 'Invalid ISRC or ISWC', {
      detail: 'iswc check digit is wrong (expected 1)', field: 'iswc' }) })
    const error = (await getPeriod().catch((e: unknown) => e)) as ValidationError
    expect(error).toBeInstanceOf(ValidationError)
    expect(error.fields).toEqual({ iswc: 'iswc check digit is wrong (expected 1)' })
    expect(error.slug).toBe('invalid-industry-code')
  })

  it.each([
    [401, 'invalid-token', UnauthorizedError],
    [403, 'forbidden', ForbiddenError],
    [404, 'period-not-found', NotFoundError],
    [409, 'period-not-over', ConflictError],
    [503, 'service-unavailable', ServerError],
  ])('maps %i to its class', async (status, slug, Class) => {
    stubFetch({ 'GET /v1/periods/1': () => problem(status, slug, 'Title', { detail: 'the detail' }) })
    const error = await getPeriod().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Class)
    expect(error).toMatchObject({ status, slug, message: 'the detail' })
  })

  it('reads Retry-After of a 429', async () => {
    stubFetch({ 'GET /v1/periods/1': () => new Response(
      JSON.stringify({ type: 'https://harmoni.music/problems/rate-limited', title: 'Too many requests', status: 429 }),
      { status: 429, headers: { 'content-type': 'application/problem+json', 'Retry-After': '17' } }) })
    const error = (await getPeriod().catch((e: unknown) => e)) as RateLimitedError
    expect(error).toBeInstanceOf(RateLimitedError)
    expect(error.retryAfterS).toBe(17)
  })

  it('turns a failed connection into a NetworkError, and a non-JSON error into a problem', async () => {
    stubFetch({ 'GET /v1/periods/1': () => { throw new TypeError('Failed to fetch') } })
    await expect(getPeriod()).rejects.toBeInstanceOf(NetworkError)
    stubFetch({ 'GET /v1/periods/1': () => new Response('Bad gateway', { status: 502, statusText: 'Bad Gateway' }) })
    await expect(getPeriod()).rejects.toMatchObject({ status: 502, title: 'Bad Gateway' })
  })

  it('never retries a 4xx, retries network and 5xx errors twice', () => {
    expect(shouldRetry(0, new NotFoundError(404, {}))).toBe(false)
    expect(shouldRetry(0, new RateLimitedError(429, {}, null))).toBe(false)
    expect(shouldRetry(1, new ServerError(503, {}))).toBe(true)
    expect(shouldRetry(2, new NetworkError(null))).toBe(false)
  })
})
