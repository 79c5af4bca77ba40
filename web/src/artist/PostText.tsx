/**
 * A post's text with its entities (mentions, hashtags, links) marked, built from React text nodes only: nothing the
 * author typed is ever parsed as HTML. Entity offsets are the API's (Python) code-point offsets, not UTF-16 ones.
 */
import type { ReactNode } from 'react'

import type { Entity } from '../api/posts'

const SAFE_URL = /^https?:\/\//i

export function PostText({ text, entities }: { text: string; entities: Entity[] }) {
  const chars = Array.from(text) // code points, as the API counts
  const parts: ReactNode[] = []
  let at = 0
  for (const [i, e] of [...entities].sort((a, b) => a.start - b.start).entries()) {
    if (e.start < at || e.end > chars.length || e.end <= e.start) continue // overlapping or out of range: plain text
    if (e.start > at) parts.push(chars.slice(at, e.start).join(''))
    const shown = chars.slice(e.start, e.end).join('')
    if (e.type === 'link' && e.url && SAFE_URL.test(e.url))
      parts.push(<a key={i} href={e.url} rel="noopener noreferrer nofollow ugc" target="_blank">{shown}</a>)
    else parts.push(<strong key={i} className={e.type}>{shown}</strong>)
    at = e.end
  }
  if (at < chars.length) parts.push(chars.slice(at).join(''))
  return <p className="post-text">{parts}</p>
}
