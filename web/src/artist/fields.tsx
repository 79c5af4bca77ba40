/** A labelled form control with its hint and error tied to it (`aria-describedby`), as every artist form has. */
import type { ReactNode } from 'react'

import { FieldError } from '../components/states'

interface FieldProps {
  id: string
  label: string
  error?: string | undefined
  hint?: string
  children: (describedBy: { 'aria-invalid': boolean; 'aria-describedby': string | undefined; id: string }) => ReactNode
}

export function Field({ id, label, error, hint, children }: FieldProps) {
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined
  return (
    <>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': !!error, 'aria-describedby': described })}
      {hint && <p id={`${id}-hint`} className="hint">{hint}</p>}
      <FieldError id={`${id}-error`} message={error} />
    </>
  )
}
