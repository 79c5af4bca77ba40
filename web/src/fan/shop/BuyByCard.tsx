import { Link } from 'react-router'

import { paths } from '../../app/paths'
import { t } from '../../app/strings'
import { useEditionCheckout } from '../../api/editions'
import { leaveFor } from '../../api/payments'
import { ErrorState } from '../../components/states'

/** Card: Stripe Checkout; the order is fulfilled from Stripe's webhook, and its page (`/orders/:id`) follows it. */
export function BuyByCard({ editionId, quantity, disabled }: { editionId: number; quantity: number; disabled: boolean }) {
  const checkout = useEditionCheckout()
  return (
    <div>
      <button type="button" disabled={disabled || checkout.isPending || checkout.isSuccess}
        onClick={() => checkout.mutate({ editionId, quantity }, { onSuccess: (started) => leaveFor(started.checkout_url) })}>
        {t.shop.buyCard}
      </button>
      {checkout.isSuccess && (
        <p role="status">{t.shop.toCheckout} <Link to={paths.order.to(checkout.data.order.id)}>{t.shop.orderLink}</Link></p>
      )}
      {checkout.isError && <ErrorState error={checkout.error} />}
    </div>
  )
}
