import { Link, useParams } from 'react-router'

import { paths } from '../../app/paths'
import { t } from '../../app/strings'
import { useOrder } from '../../api/editions'
import { ErrorState, Loading } from '../../components/states'

/** Where Stripe Checkout returns: the order as the webhook and the mint job left it, refreshed until settled. */
export function OrderPage() {
  const orderId = useParams().orderId ?? ''
  const order = useOrder(orderId)
  if (order.isPending) return <Loading />
  if (order.isError) return <ErrorState error={order.error} onRetry={() => void order.refetch()} />
  const o = order.data
  const bad = o.state === 'payment-failed' || o.state === 'sold-out-refunded'
  return (
    <section>
      <h1>{t.order.title}</h1>
      <p role={bad ? 'alert' : 'status'}>{t.order.states[o.state] ?? o.state}{o.message ? ` ${o.message}` : ''}</p>
      <dl>
        <dt>{t.order.edition}</dt>
        <dd><Link to={paths.edition.to(o.edition_id)}>{t.shop.edition(o.edition_id)}</Link> × {o.quantity}</dd>
        {o.tx_hash && <><dt>{t.shop.tx}</dt><dd className="mono">{o.tx_hash}</dd></>}
        {o.wallet && <><dt>{t.shop.wallet}</dt><dd className="mono">{o.wallet}</dd></>}
      </dl>
    </section>
  )
}
