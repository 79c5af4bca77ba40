/** The API's RFC 9457 problems as typed errors, and `unwrap()`, the one place an answer becomes data or an error. */

/** One field at fault, as a 422 names it: `split[1].share_percent`, `iswc`, `email`. */
export interface FieldProblem {
  field: string
  message: string
}

/** The body every error of the API has (`application/problem+json`). */
export interface Problem {
  type?: string
  title?: string
  status?: number
  detail?: string
  instance?: string
  field?: string
  errors?: { field: string; in?: string; message: string }[]
  [extra: string]: unknown
}

export class ApiError extends Error {
  readonly status: number
  readonly problem: Problem
  /** The problem type's last segment (`refresh-token-reused`, `period-not-over`), or '' without one. */
  readonly slug: string

  constructor(status: number, problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`)
    this.name = new.target.name
    this.status = status
    this.problem = problem
    this.slug = problem.type?.split('/').pop() ?? ''
  }

  /** The short human heading of the problem (`Invalid split`), falling back to the detail. */
  get title(): string {
    return this.problem.title ?? this.message
  }
}

/** 422 (and 400): the request was refused for its content; `fields` maps each field named to its message. */
export class ValidationError extends ApiError {
  readonly fields: Record<string, string>

  constructor(status: number, problem: Problem) {
    super(status, problem)
    const fields: Record<string, string> = {}
    for (const e of problem.errors ?? []) fields[e.field] ??= e.message
    // A service refusal names one field on top, with the detail as its reason.
    if (problem.field && !fields[problem.field]) fields[problem.field] = problem.detail ?? problem.title ?? ''
    this.fields = fields
  }
}

export class UnauthorizedError extends ApiError {} // 401: not signed in, or the token expired or was revoked
export class ForbiddenError extends ApiError {} // 403: signed in, but not allowed
export class NotFoundError extends ApiError {} // 404
export class ConflictError extends ApiError {} // 409: the state forbids it now (already registered, not over)
export class RateLimitedError extends ApiError {
  /** Seconds to wait, from `Retry-After`, when the API said. */
  readonly retryAfterS: number | null

  constructor(status: number, problem: Problem, retryAfter: string | null) {
    super(status, problem)
    const seconds = retryAfter === null ? NaN : Number(retryAfter)
    this.retryAfterS = Number.isFinite(seconds) ? seconds : null
  }
}
export class ServerError extends ApiError {} // 5xx, including 503 while the chain or contracts are not there
/** The API could not be reached at all (offline, server down). */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super('network error', { cause })
    this.name = 'NetworkError'
  }
}

function asProblem(body: unknown, response: Response): Problem {
  if (body && typeof body === 'object') return body as Problem
  return { title: response.statusText || `HTTP ${response.status}`, status: response.status,
           detail: typeof body === 'string' && body ? body : undefined }
}

/** The typed error for an answer that is not 2xx. */
export function toApiError(response: Response, body: unknown): ApiError {
  const problem = asProblem(body, response)
  const status = response.status
  switch (status) {
    case 400:
    case 422:
      return new ValidationError(status, problem)
    case 401:
      return new UnauthorizedError(status, problem)
    case 403:
      return new ForbiddenError(status, problem)
    case 404:
      return new NotFoundError(status, problem)
    case 409:
      return new ConflictError(status, problem)
    case 429:
      return new RateLimitedError(status, problem, response.headers.get('Retry-After'))
    default:
      return status >= 500 ? new ServerError(status, problem) : new ApiError(status, problem)
  }
}

/** What every openapi-fetch call answers. */
export interface FetchResult<T> {
  data?: T
  error?: unknown
  response: Response
}

/** The data of a successful answer, or throws the typed error of a failed one. */
export async function unwrap<T>(call: Promise<FetchResult<T>> | FetchResult<T>): Promise<T> {
  let result: FetchResult<T>
  try {
    result = await call
  } catch (err) {
    if (err instanceof ApiError) throw err
    throw new NetworkError(err)
  }
  const { data, error, response } = result
  if (!response.ok || error !== undefined) throw toApiError(response, error)
  return data as T
}

/** Query retries: never a 4xx (the same request gets the same refusal), network and 5xx errors up to twice. */
export function shouldRetry(failures: number, error: unknown): boolean {
  if (error instanceof ApiError && error.status < 500) return false
  return failures < 2
}
