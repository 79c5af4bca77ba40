"""Payments: the Stripe webhook, fans' subscriptions and receipts, admins' refunds and dead-lettered events."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, status

from api.deps import ContextDep, CurrentUser, SessionDep, require_roles
from api.errors import problem_responses
from api.royalties.views import royalty_context
from harmoni import jobs
from harmoni.errors import ServiceUnavailable, ValidationFailed
from identity.errors import Forbidden, InvalidToken, Unauthenticated
from identity.models import Role, User
from payments import config, inbox, service, tax
from payments.errors import (
    AlreadySubscribed,
    DeadLetterNotFound,
    InvoiceNotFound,
    PlanUnknown,
    RefundInvalid,
    StripeUnavailable,
    SubscriptionEnded,
    SubscriptionNotFound,
    WebhookRefused,
)
from payments.models import ENTITLED, Invoice, Subscription
from payments.schemas import (
    CheckoutOut,
    DeadLetterOut,
    InvoiceOut,
    PlanChangeIn,
    PlanOut,
    PortalOut,
    RefundIn,
    RefundOut,
    SubscribeIn,
    SubscriptionOut,
    WebhookAck,
)

router = APIRouter(prefix="/v1", tags=["payments"])
AdminUser = Annotated[User, require_roles(Role.admin)]
_USER = (Unauthenticated, InvalidToken, ValidationFailed)
_MESSAGES = {
    "active": "Your subscription is active.",
    "trialing": "Your trial is running.",
    "past_due": "Your last payment failed: we retry it; update your card in the billing portal to keep listening.",
    "unpaid": "Payments failed: full tracks are paused until you pay in the billing portal.",
    "canceled": "Your subscription has ended.",
    "incomplete": "Your first payment is not complete yet.",
    "incomplete_expired": "Your first payment did not complete.",
    "paused": "Your subscription is paused.",
}


async def _raw_body(request: Request) -> bytes:
    return await request.body()


_EVENT_BODY = {"requestBody": {"required": True, "description": "A Stripe event, exactly as Stripe signed it",
                               "content": {"application/json": {"schema": {"type": "object"}, "example": {
                                   "id": "evt_1OqL2bK8zW1xYv4N7hJk3mPq", "object": "event", "type": "invoice.paid",
                                   "created": 1772366407, "livemode": True, "api_version": "2024-06-20",
                                   "data": {"object": {"id": "in_1OqL2aK8zW1xYv4NcT5uVw6x", "object": "invoice",
                                                       "subscription": "sub_1OqKzYK8zW1xYv4N2pQr8sTu",
                                                       "currency": "usd", "amount_paid": 999,
                                                       "status": "paid"}}}}}}}


@router.post("/webhooks/stripe", summary="Stripe's webhook: verified on the raw bytes, stored once by event id, "
                                         "applied by a worker", openapi_extra=_EVENT_BODY,
             responses=problem_responses(WebhookRefused))
def stripe_webhook(data: Annotated[bytes, Depends(_raw_body)], request: Request, session: SessionDep,
                   context: ContextDep) -> WebhookAck:
    settings = context.settings
    event = inbox.verify(data, request.headers.get("stripe-signature"), config.webhook_secret(settings),
                         livemode=config.livemode(settings))
    stored = inbox.store(session, event)
    if stored and not jobs.is_eager():  # without Redis, `harmoni up`'s periodic jobs apply the inbox
        from payments.tasks import apply_events

        jobs.enqueue_after_commit(session, apply_events)
    return WebhookAck(duplicate=not stored)


def _plan_out(plan: config.Plan) -> PlanOut:
    return PlanOut(plan=plan.key, interval=plan.interval, currency=plan.currency, amount=plan.amount)


@router.get("/subscription-plans", summary="The subscription plans: monthly and yearly, per currency (public)")
def list_plans(context: ContextDep) -> list[PlanOut]:
    return [_plan_out(plan) for plan in config.plans(context.settings).values()]


def _subscription_out(sub: Subscription) -> SubscriptionOut:
    return SubscriptionOut(status=sub.status, streaming=sub.status in ENTITLED, interval=sub.interval,
                           currency=sub.currency, amount=sub.amount, cancel_at_period_end=sub.cancel_at_period_end,
                           current_period_start=sub.current_period_start, current_period_end=sub.current_period_end,
                           message=_MESSAGES.get(sub.status, sub.status)
                           + (" It ends at the end of the period." if sub.cancel_at_period_end
                              and sub.status != "canceled" else ""))


@router.post("/me/subscription", status_code=status.HTTP_201_CREATED,
             summary="Subscribe: a Stripe Checkout URL for the plan (the subscription starts from its webhook)",
             responses=problem_responses(*_USER, PlanUnknown, AlreadySubscribed, StripeUnavailable))
def subscribe(body: SubscribeIn, session: SessionDep, context: ContextDep, user: CurrentUser,
              request: Request) -> CheckoutOut:
    started = service.start_checkout(session, context.settings, user, body.interval, body.currency,
                                     tax.ip_country(context.settings, request.headers))
    return CheckoutOut(checkout_url=started["checkout_url"], checkout_session_id=started["checkout_session_id"],
                       plan=_plan_out(started["plan"]))


@router.get("/me/subscription", summary="The account's subscription and what its state means",
            responses=problem_responses(Unauthenticated, InvalidToken, SubscriptionNotFound))
def my_subscription(session: SessionDep, user: CurrentUser) -> SubscriptionOut:
    sub = service.current_subscription(session, user.id)
    if sub is None:
        raise SubscriptionNotFound("the account has no subscription: start one with POST /v1/me/subscription")
    return _subscription_out(sub)


_CHANGE_PROBLEMS = problem_responses(*_USER, SubscriptionNotFound, SubscriptionEnded, PlanUnknown, StripeUnavailable)


@router.post("/me/subscription/plan", summary="Upgrade or downgrade (monthly ⇄ yearly)", responses=_CHANGE_PROBLEMS)
def change_plan(body: PlanChangeIn, session: SessionDep, context: ContextDep, user: CurrentUser) -> SubscriptionOut:
    return _subscription_out(service.change_plan(session, context.settings, user.id, body.interval))


@router.post("/me/subscription/cancel", summary="Cancel at the end of the paid period (streaming goes on until then)",
             responses=_CHANGE_PROBLEMS)
def cancel(session: SessionDep, context: ContextDep, user: CurrentUser) -> SubscriptionOut:
    return _subscription_out(service.set_cancel_at_period_end(session, context.settings, user.id, True))


@router.post("/me/subscription/resume", summary="Undo a cancellation at period end", responses=_CHANGE_PROBLEMS)
def resume(session: SessionDep, context: ContextDep, user: CurrentUser) -> SubscriptionOut:
    return _subscription_out(service.set_cancel_at_period_end(session, context.settings, user.id, False))


@router.post("/me/subscription/portal", summary="A link to Stripe's customer portal for this account",
             responses=problem_responses(*_USER, SubscriptionNotFound, StripeUnavailable))
def portal(session: SessionDep, context: ContextDep, user: CurrentUser) -> PortalOut:
    return PortalOut(url=service.portal_url(session, context.settings, user.id))


def _invoice_out(invoice: Invoice) -> InvoiceOut:
    state = "paid" if not invoice.refunded else ("refunded" if invoice.refunded >= invoice.gross
                                                 else "partially_refunded")
    return InvoiceOut(id=invoice.id, number=f"HRM-{invoice.number:06d}", currency=invoice.currency,
                      total=invoice.gross, tax=invoice.tax, tax_rate_bps=invoice.tax_rate_bps, net=invoice.net,
                      refunded=invoice.refunded, status=state, buyer_country=invoice.buyer_country,
                      evidence=invoice.evidence, service_start=invoice.service_start,
                      service_end=invoice.service_end, paid_at=invoice.paid_at)


@router.get("/me/invoices", summary="The account's receipts, newest first",
            responses=problem_responses(Unauthenticated, InvalidToken))
def my_invoices(session: SessionDep, user: CurrentUser) -> list[InvoiceOut]:
    return [_invoice_out(i) for i in service.invoices_of(session, user.id)]


@router.post("/admin/payments/invoices/{invoice_id}/refunds", status_code=status.HTTP_201_CREATED,
             summary="Refund an invoice in full or in part (admins); the journal reverses the revenue",
             responses=problem_responses(*_USER, Forbidden, InvoiceNotFound, RefundInvalid, StripeUnavailable,
                                         ServiceUnavailable))
def refund_invoice(invoice_id: Annotated[uuid.UUID, Path(description="The invoice's `id`")], body: RefundIn,
                   session: SessionDep, context: ContextDep, _admin: AdminUser) -> RefundOut:
    p = service.Payments(context.settings, config.client(context.settings), royalty_context(context).unit_factor)
    return RefundOut.model_validate(service.refund(p, session, invoice_id, body.amount, body.reason))


@router.get("/admin/payments/dead-letters", summary="Stripe events that could not be applied after every retry",
            responses=problem_responses(Unauthenticated, InvalidToken, Forbidden))
def dead_letters(session: SessionDep, _admin: AdminUser) -> list[DeadLetterOut]:
    return [DeadLetterOut.model_validate(e) for e in inbox.dead_letters(session)]


@router.post("/admin/payments/dead-letters/{event_id}/retry",
             summary="Give a dead-lettered event a fresh round of attempts (once its cause is fixed)",
             responses=problem_responses(Unauthenticated, InvalidToken, Forbidden, DeadLetterNotFound))
def retry_dead_letter(event_id: Annotated[str, Path(max_length=255, description="The Stripe event id")],
                      session: SessionDep, _admin: AdminUser) -> DeadLetterOut:
    row = inbox.revive(session, event_id)
    if row is None:
        raise DeadLetterNotFound(f"no dead-lettered event {event_id}")
    return DeadLetterOut.model_validate(row)
