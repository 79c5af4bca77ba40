import type { EditionFilters } from '../../api/editions'

/** The filters a shared link carries: `?on_sale=true&sold_out=true&artist=0x…&cursor=…`. */
export function filtersFrom(search: URLSearchParams): EditionFilters {
  const filters: EditionFilters = {}
  if (search.get('on_sale') === 'true') filters.on_sale = true
  if (search.get('sold_out') === 'true') filters.sold_out = true
  const artist = search.get('artist')
  if (artist) filters.artist = artist
  const cursor = search.get('cursor')
  if (cursor) filters.cursor = cursor
  return filters
}
