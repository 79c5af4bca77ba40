/** Light, dark, or the system's choice: a display preference (kept in localStorage; it is no secret). */
export type Theme = 'system' | 'light' | 'dark'
const KEY = 'harmoni.theme'

export function storedTheme(): Theme {
  try {
    const value = globalThis.localStorage?.getItem(KEY)
    return value === 'light' || value === 'dark' ? value : 'system'
  } catch {
    return 'system'
  }
}

export function applyTheme(theme: Theme): void {
  const root = globalThis.document?.documentElement
  if (!root) return
  if (theme === 'system') root.removeAttribute('data-theme')
  else root.setAttribute('data-theme', theme)
  try {
    if (theme === 'system') globalThis.localStorage?.removeItem(KEY)
    else globalThis.localStorage?.setItem(KEY, theme)
  } catch { /* storage disabled: the choice lasts as long as the page */ }
}
