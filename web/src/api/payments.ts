/** A fan's subscription (`/v1/me/subscription`), the plans, receipts (`/v1/me/invoices`), and the admin's
 * dead-lettered Stripe events. Every change shows what the API answered: nothing optimistic for money. */
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'

import { api, type Schemas } from './client'
import { NotFoundError, unwrap } from './errors'

export type Plan = Schemas['PlanOut']
export type Interval = Plan['interval']
export type Subscription = Schemas['SubscriptionOut']
export type Invoice = Schemas['InvoiceOut']
export type DeadLetter = Schemas['DeadLetterOut']

let leave: (url: string) => void = (url) => globalThis.location.assign(url)

/** Off to Stripe (Checkout or the customer portal): a full page load, as Stripe's pages are elsewhere. */
export function leaveFor(url: string): void {
  leave(url)
}

/** Tests record where the page would have gone instead of leaving jsdom's page. */
export function leaveWith(go: (url: string) => void): void {
  leave = go
}

export const paymentKeys = {
  plans: ['subscription-plans'] as const,
  subscription: ['me', 'subscription'] as const,
  invoices: ['me', 'invoices'] as const,
  deadLetters: ['admin', 'payments', 'dead-letters'] as const,
}

export const plansOptions = () =>
  queryOptions({ queryKey: paymentKeys.plans, queryFn: () => unwrap(api.GET('/v1/subscription-plans')),
                 staleTime: 5 * 60_000 })

/** `null` for an account that never subscribed (the API's 404). */
export const subscriptionOptions = () =>
  queryOptions({
    queryKey: paymentKeys.subscription,
    queryFn: async (): Promise<Subscription | null> => {
      try {
        return await unwrap(api.GET('/v1/me/subscription'))
      } catch (err) {
        if (err instanceof NotFoundError) return null
        throw err
      }
    },
  })

export const invoicesOptions = () =>
  queryOptions({ queryKey: paymentKeys.invoices, queryFn: () => unwrap(api.GET('/v1/me/invoices')) })

export const usePlans = () => useQuery(plansOptions())
export const useSubscription = () => useQuery(subscriptionOptions())
export const useInvoices = () => useQuery(invoicesOptions())

/** Checkout for a plan: the subscription starts from Stripe's webhook, so the page only leaves for Checkout. */
export function useSubscribe() {
  return useMutation({
    mutationFn: (body: { interval: Interval; currency: string }) => unwrap(api.POST('/v1/me/subscription', { body })),
    onSuccess: (checkout) => leaveFor(checkout.checkout_url),
  })
}

function useSubscriptionChange<T>(change: (input: T) => Promise<Subscription>) {
  const client = useQueryClient()
  return useMutation({
    mutationFn: change,
    onSuccess: (subscription) => client.setQueryData(paymentKeys.subscription, subscription),
  })
}

export const useChangePlan = () => useSubscriptionChange((interval: Interval) =>
  unwrap(api.POST('/v1/me/subscription/plan', { body: { interval } })))
export const useCancelAtPeriodEnd = () => useSubscriptionChange(() => unwrap(api.POST('/v1/me/subscription/cancel')))
export const useResume = () => useSubscriptionChange(() => unwrap(api.POST('/v1/me/subscription/resume')))

export function usePortal() {
  return useMutation({
    mutationFn: () => unwrap(api.POST('/v1/me/subscription/portal')),
    onSuccess: (portal) => leaveFor(portal.url),
  })
}

// --- admins: Stripe events that could not be applied after every retry ----------------------------------------------

export const deadLettersOptions = () =>
  queryOptions({ queryKey: paymentKeys.deadLetters, queryFn: () => unwrap(api.GET('/v1/admin/payments/dead-letters')) })

export const useDeadLetters = () => useQuery(deadLettersOptions())

export function useRetryDeadLetter() {
  const client = useQueryClient()
  return useMutation({
    mutationFn: (eventId: string) => unwrap(api.POST('/v1/admin/payments/dead-letters/{event_id}/retry', {
      params: { path: { event_id: eventId } } })),
    onSuccess: () => client.invalidateQueries({ queryKey: paymentKeys.deadLetters }),
  })
}
