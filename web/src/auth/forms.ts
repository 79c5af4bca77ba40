/** Form helpers: the field errors a failed submit shows, from a 422's named fields or the problem as a whole. */
import { ApiError, ValidationError } from '../api/errors'
import { errorMessage } from '../components/states'

export interface SubmitErrors {
  fields: Record<string, string>
  form: string | null
}

export function submitErrors(error: unknown, known: readonly string[]): SubmitErrors {
  if (error instanceof ValidationError) {
    const fields: Record<string, string> = {}
    const other: string[] = []
    for (const [field, message] of Object.entries(error.fields)) {
      if (known.some((k) => field === k || field.startsWith(`${k}[`) || field.startsWith(`${k}.`)))
        fields[field] = message
      else other.push(message)
    }
    const form = other.length ? other.join(' ') : Object.keys(fields).length ? null : errorMessage(error)
    return { fields, form }
  }
  return { fields: {}, form: error instanceof ApiError || error ? errorMessage(error) : null }
}
