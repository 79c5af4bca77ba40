import { t } from '../../app/strings'
import { useInvoices } from '../../api/payments'
import { Empty, ErrorState, Loading } from '../../components/states'
import { formatDate } from '../../lib/format'
import { money } from './money'

const day = (iso: string) => formatDate(iso).replace(/, \d\d:\d\d UTC$/, '')

export function ReceiptsPage() {
  const invoices = useInvoices()
  return (
    <section>
      <h1>{t.invoices.title}</h1>
      {invoices.isPending ? <Loading /> : invoices.isError ? (
        <ErrorState error={invoices.error} onRetry={() => void invoices.refetch()} />
      ) : invoices.data.length === 0 ? <Empty>{t.invoices.empty}</Empty> : (
        <table>
          <thead><tr>
            <th scope="col">{t.invoices.number}</th><th scope="col">{t.invoices.paidAt}</th>
            <th scope="col">{t.invoices.period}</th><th scope="col">{t.invoices.total}</th>
            <th scope="col">{t.invoices.tax}</th><th scope="col">{t.invoices.refunded}</th>
            <th scope="col">{t.invoices.status}</th>
          </tr></thead>
          <tbody>
            {invoices.data.map((i) => (
              <tr key={i.id}>
                <th scope="row" className="mono">{i.number}</th>
                <td>{formatDate(i.paid_at)}</td>
                <td>{day(i.service_start)} – {day(i.service_end)}</td>
                <td>{money(i.total, i.currency)}</td>
                <td>{money(i.tax, i.currency)} ({t.invoices.taxRate(i.tax_rate_bps)})</td>
                <td>{money(i.refunded, i.currency)}</td>
                <td>{t.invoices.statuses[i.status] ?? i.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}
