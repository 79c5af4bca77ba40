import { useDeferredValue, useId, useState, type FormEvent, type KeyboardEvent } from 'react'
import { useNavigate } from 'react-router'

import { paths } from '../../app/paths'
import { t } from '../../app/strings'
import { useSuggestions, type Suggestion } from '../../api/search'

/** Where a suggestion leads: its recording's or work's page, an artist's profile, or a search for its title. */
export function suggestionPath(s: Suggestion): string {
  if ((s.kind === 'recording' || s.kind === 'work') && /^\d+$/.test(s.ref)) return paths.asset.to(Number(s.ref))
  if (s.kind === 'artist' || s.kind === 'user') return paths.artist.to(s.ref)
  return paths.search.to({ q: s.title })
}

/**
 * The search field as an ARIA 1.2 combobox: suggestions appear as one types; ↓/↑ move through them (the field
 * keeps focus, `aria-activedescendant` names the option), Enter opens the chosen one or searches, Escape closes.
 */
export function SearchBox({ initial, onSearch }: { initial: string; onSearch: (q: string) => void }) {
  const id = useId()
  const navigate = useNavigate()
  const [text, setText] = useState(initial)
  const [open, setOpen] = useState(false)
  const [active, setActive] = useState(-1)
  const typed = useDeferredValue(text.trim())
  const suggestions = useSuggestions(typed)
  const available = typed ? suggestions.data?.data ?? [] : []
  const options = open ? available : []
  const expanded = options.length > 0
  const optionId = (i: number) => `${id}-option-${i}`

  function choose(s: Suggestion) {
    setOpen(false)
    setText(s.title)
    void navigate(suggestionPath(s))
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault()
      setOpen(true)
      if (available.length === 0) return
      const step = event.key === 'ArrowDown' ? 1 : -1
      setActive((i) => (i + step + available.length + (i < 0 && step < 0 ? 1 : 0)) % available.length)
    } else if (event.key === 'Escape') {
      setOpen(false)
      setActive(-1)
    } else if (event.key === 'Enter' && expanded && active >= 0 && options[active]) {
      event.preventDefault()
      choose(options[active])
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault()
    setOpen(false)
    onSearch(text.trim())
  }

  return (
    <form role="search" className="filters" onSubmit={submit}>
      <label htmlFor={`${id}-input`}>{t.search.label}</label>
      <div className="combobox">
        <input id={`${id}-input`} type="search" role="combobox" autoComplete="off" value={text}
          aria-autocomplete="list" aria-expanded={expanded} aria-controls={`${id}-listbox`}
          aria-activedescendant={expanded && active >= 0 ? optionId(active) : undefined}
          onChange={(e) => { setText(e.target.value); setOpen(true); setActive(-1) }}
          onKeyDown={onKeyDown} onBlur={() => setOpen(false)} />
        <ul id={`${id}-listbox`} role="listbox" aria-label={t.search.suggestions} hidden={!expanded}>
          {options.map((s, i) => (
            <li key={`${s.kind}:${s.ref}`} id={optionId(i)} role="option" aria-selected={i === active}
              // mousedown, not click: it comes before the field's blur closes the list
              onMouseDown={(e) => { e.preventDefault(); choose(s) }}>
              {s.title} <span className="badge">{t.search.kindOne[s.kind] ?? s.kind}</span>
            </li>
          ))}
        </ul>
      </div>
      <button type="submit">{t.search.submit}</button>
      <p className="visually-hidden" role="status" aria-live="polite">
        {expanded ? t.search.suggestionsCount(options.length) : ''}
      </p>
    </form>
  )
}
