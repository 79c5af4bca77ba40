import { t } from '../app/strings'
import { useOperation } from '../api/rights'
import { ErrorState } from '../components/states'

/** A chain operation followed until it ends, announced as it changes. */
export function OperationLine({ what, operationId }: { what: string; operationId: string }) {
  const operation = useOperation(operationId)
  if (operation.isError) return <ErrorState error={operation.error} />
  const status = operation.data?.status ?? 'pending'
  return (
    <p role="status" aria-live="polite">
      {t.manage.operation(what, t.register.status[status] ?? status)}
      {operation.data?.error && ` — ${operation.data.error}`}
    </p>
  )
}
