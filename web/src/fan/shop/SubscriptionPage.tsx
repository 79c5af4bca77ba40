import { Link } from 'react-router'

import { paths } from '../../app/paths'
import { t } from '../../app/strings'
import {
  useCancelAtPeriodEnd,
  useChangePlan,
  usePlans,
  usePortal,
  useResume,
  useSubscribe,
  useSubscription,
  type Subscription,
} from '../../api/payments'
import { ErrorState, Loading } from '../../components/states'
import { formatDate } from '../../lib/format'
import { money } from './money'

const interval = (i: string) => t.subscription.interval[i] ?? i

function Plans() {
  const plans = usePlans()
  const subscribe = useSubscribe()
  if (plans.isPending) return <Loading />
  if (plans.isError) return <ErrorState error={plans.error} onRetry={() => void plans.refetch()} />
  return (
    <section aria-labelledby="plans">
      <h2 id="plans">{t.subscription.plans}</h2>
      <ul className="cards">
        {plans.data.map((plan) => (
          <li key={plan.plan} className="card">
            <button type="button" disabled={subscribe.isPending || subscribe.isSuccess}
              onClick={() => subscribe.mutate({ interval: plan.interval, currency: plan.currency })}>
              {t.subscription.subscribe(money(plan.amount, plan.currency), interval(plan.interval))}
            </button>
          </li>
        ))}
      </ul>
      {subscribe.isSuccess && <p role="status">{t.subscription.toCheckout}</p>}
      {subscribe.isError && <ErrorState error={subscribe.error} />}
    </section>
  )
}

/** past_due and unpaid need the fan's action (a card in the billing portal): said before anything else. */
function Dunning({ subscription }: { subscription: Subscription }) {
  if (subscription.status !== 'past_due' && subscription.status !== 'unpaid') return null
  return (
    <div className="state state-error" role="alert">
      <p className="state-title">{subscription.status === 'past_due' ? t.subscription.pastDue : t.subscription.unpaid}</p>
      <p>{subscription.message}</p>
    </div>
  )
}

function Current({ subscription }: { subscription: Subscription }) {
  const change = useChangePlan()
  const cancel = useCancelAtPeriodEnd()
  const resume = useResume()
  const portal = usePortal()
  const busy = change.isPending || cancel.isPending || resume.isPending
  const other = subscription.interval === 'month' ? 'year' : 'month'
  const error = change.error ?? cancel.error ?? resume.error ?? portal.error
  return (
    <>
      <Dunning subscription={subscription} />
      {subscription.status !== 'past_due' && subscription.status !== 'unpaid' && <p role="status">{subscription.message}</p>}
      <dl>
        <dt>{t.subscription.plan}</dt>
        <dd>{t.subscription.perInterval(money(subscription.amount, subscription.currency), interval(subscription.interval))}</dd>
        <dt>{t.subscription.status}</dt><dd>{subscription.status}</dd>
        <dt>{t.subscription.streaming}</dt><dd>{subscription.streaming ? t.subscription.yes : t.subscription.no}</dd>
        <dt>{subscription.cancel_at_period_end ? t.subscription.endsAtPeriodEnd : t.subscription.renews}</dt>
        <dd>{formatDate(subscription.current_period_end)}</dd>
      </dl>
      {error && <ErrorState error={error} />}
      <div className="row">
        <button type="button" disabled={busy} onClick={() => change.mutate(other)}>{t.subscription.switchTo(other)}</button>
        {subscription.cancel_at_period_end
          ? <button type="button" disabled={busy} onClick={() => resume.mutate(undefined)}>{t.subscription.resume}</button>
          : <button type="button" className="secondary" disabled={busy} onClick={() => cancel.mutate(undefined)}>
            {t.subscription.cancel}</button>}
        <button type="button" disabled={portal.isPending || portal.isSuccess} onClick={() => portal.mutate()}>
          {t.subscription.portal}
        </button>
      </div>
    </>
  )
}

export function SubscriptionPage() {
  const subscription = useSubscription()
  return (
    <section>
      <h1>{t.subscription.title}</h1>
      <p><Link to={paths.receipts.to()}>{t.subscription.receipts}</Link></p>
      {subscription.isPending ? <Loading /> : subscription.isError ? (
        <ErrorState error={subscription.error} onRetry={() => void subscription.refetch()} />
      ) : subscription.data === null || subscription.data.status === 'canceled' ? (
        <>
          <p>{subscription.data?.message ?? t.subscription.none}</p>
          <Plans />
        </>
      ) : <Current subscription={subscription.data} />}
    </section>
  )
}
