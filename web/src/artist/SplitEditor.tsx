import { t } from '../app/strings'
import { FieldError } from '../components/states'
import { newRow, totalPpm, totalState, type PayeeRow } from './split'
import { ppmToPercent } from '../lib/format'

interface Props {
  rows: PayeeRow[]
  onChange: (rows: PayeeRow[], edited: string) => void
  /** Field problems keyed like the API's (`split[0].share_percent`, `split[1]`, `split`): typed or from a 422. */
  errors: Record<string, string>
}

function described(...ids: (string | false | undefined)[]): string | undefined {
  const present = ids.filter(Boolean).join(' ')
  return present || undefined
}

export function SplitEditor({ rows, onChange, errors }: Props) {
  const state = totalState(rows)
  const update = (i: number, patch: Partial<PayeeRow>, edited: string) =>
    onChange(rows.map((row, j) => (j === i ? { ...row, ...patch } : row)), edited)

  return (
    <fieldset className="split">
      <legend>{t.split.legend}</legend>
      {rows.map((row, i) => {
        const n = i + 1
        const id = `split-${row.key}`
        const valueField = `split[${i}].${row.by}`
        const shareField = `split[${i}].share_percent`
        const rowError = errors[`split[${i}]`]
        return (
          <div className="payee" key={row.key} role="group" aria-label={t.split.payee(n)}>
            <label htmlFor={`${id}-by`}>{t.split.payeeBy(n)}</label>
            <select id={`${id}-by`} value={row.by}
              onChange={(e) => update(i, { by: e.target.value as PayeeRow['by'] }, `split[${i}]`)}>
              <option value="address">{t.split.byAddress}</option>
              <option value="email">{t.split.byEmail}</option>
            </select>
            {row.by === 'address' ? (
              <>
                <label htmlFor={`${id}-address`}>{t.split.address(n)}</label>
                <input id={`${id}-address`} className="mono" spellCheck={false} autoComplete="off"
                  placeholder="0x…" value={row.address} aria-invalid={!!errors[valueField]}
                  aria-describedby={described(errors[valueField] && `${id}-value-error`, rowError && `${id}-error`)}
                  onChange={(e) => update(i, { address: e.target.value }, valueField)} />
              </>
            ) : (
              <>
                <label htmlFor={`${id}-email`}>{t.split.email(n)}</label>
                <input id={`${id}-email`} type="email" autoComplete="off" value={row.email}
                  aria-invalid={!!errors[valueField]}
                  aria-describedby={described(errors[valueField] && `${id}-value-error`, rowError && `${id}-error`)}
                  onChange={(e) => update(i, { email: e.target.value }, valueField)} />
              </>
            )}
            <FieldError id={`${id}-value-error`} message={errors[valueField]} />
            <label htmlFor={`${id}-share`}>{t.split.share(n)}</label>
            <input id={`${id}-share`} inputMode="decimal" value={row.share} aria-invalid={!!errors[shareField]}
              aria-describedby={described(errors[shareField] && `${id}-share-error`)}
              onChange={(e) => update(i, { share: e.target.value }, shareField)} />
            <FieldError id={`${id}-share-error`} message={errors[shareField]} />
            <FieldError id={`${id}-error`} message={rowError} />
            {rows.length > 1 && (
              <button type="button" className="secondary"
                onClick={() => onChange(rows.filter((_, j) => j !== i), 'split')}>{t.split.remove(n)}</button>
            )}
          </div>
        )
      })}
      <button type="button" className="secondary" onClick={() => onChange([...rows, newRow()], 'split')}>
        {t.split.add}
      </button>
      <div role="status" aria-live="polite" className={`split-total ${state.kind}`}>
        <strong>{t.split.total(ppmToPercent(totalPpm(rows)))}</strong>{' '}
        {state.kind === 'complete' ? t.split.complete
          : state.kind === 'missing' ? t.split.missing(state.percent) : t.split.over(state.percent)}
      </div>
      <FieldError id="split-error" message={errors.split} />
    </fieldset>
  )
}
