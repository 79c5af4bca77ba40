/** Search (`/v1/search`, `/v1/search/suggest`) and the genre vocabulary (`/v1/genres`). */
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query'

import { api, type Schemas } from './client'
import type { operations } from './schema'
import { unwrap } from './errors'

export type SearchHit = Schemas['SearchHitOut']
export type Suggestion = Schemas['SuggestionOut']
type SearchQuery = operations['search_v1_search_get']['parameters']['query']
export type Genre = NonNullable<SearchQuery['genre']>
export const SEARCH_KINDS = ['recording', 'work', 'edition', 'artist'] as const
export type SearchKind = (typeof SEARCH_KINDS)[number]
export const FACETS = 'kind,genre,year,has_edition'

/** What a search page shows: its words and filters, as they are in the URL. */
export interface SearchFilters {
  q: string
  type?: SearchKind
  genre?: Genre
  year?: number
  has_edition?: boolean
  cursor?: string
}

/** The words and every filter come from the URL, so a search can be shared, bookmarked and gone back to. */
export function filtersFrom(params: URLSearchParams): SearchFilters {
  const type = params.get('type') as SearchKind | null
  const year = Number(params.get('year'))
  const edition = params.get('has_edition')
  return {
    q: (params.get('q') ?? '').trim(),
    type: type && SEARCH_KINDS.includes(type) ? type : undefined,
    genre: (params.get('genre') || undefined) as Genre | undefined,
    year: Number.isInteger(year) && year >= 1000 && year <= 2999 ? year : undefined,
    has_edition: edition === 'true' ? true : edition === 'false' ? false : undefined,
    cursor: params.get('cursor') ?? undefined,
  }
}

export const searchKeys = {
  results: (filters: SearchFilters) => ['search', 'results', filters] as const,
  suggest: (q: string) => ['search', 'suggest', q] as const,
  genres: ['genres'] as const,
}

export const searchOptions = (filters: SearchFilters) =>
  queryOptions({
    queryKey: searchKeys.results(filters),
    queryFn: () => unwrap(api.GET('/v1/search', { params: { query: { ...filters, facets: FACETS } } })),
  })

export const suggestOptions = (q: string) =>
  queryOptions({
    queryKey: searchKeys.suggest(q),
    queryFn: () => unwrap(api.GET('/v1/search/suggest', { params: { query: { q, limit: 8 } } })),
    staleTime: 60_000,
  })

export const genresOptions = () =>
  queryOptions({ queryKey: searchKeys.genres, queryFn: () => unwrap(api.GET('/v1/genres')), staleTime: Infinity })

export const useSearch = (filters: SearchFilters) => useQuery({ ...searchOptions(filters), enabled: filters.q !== '' })
/** Suggestions for what is typed so far; the previous list stays while the next one loads. */
export const useSuggestions = (q: string) =>
  useQuery({ ...suggestOptions(q), enabled: q.length > 0, placeholderData: keepPreviousData })
export const useGenres = () => useQuery(genresOptions())
