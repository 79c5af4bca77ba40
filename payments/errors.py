"""What the payments routes refuse, as typed errors; `api/errors.py` renders them as problem+json."""

from __future__ import annotations

from harmoni.errors import Conflict, HarmoniError, NotFound, ServiceUnavailable, ValidationFailed


class WebhookRefused(HarmoniError):
    """A webhook whose signature, timestamp or mode does not check out (never applied, not stored)."""

    status = 400
    slug = "stripe-webhook-refused"
    title = "Stripe webhook refused"


class PlanUnknown(ValidationFailed):
    slug = "plan-unknown"
    title = "No such plan"


class AlreadySubscribed(Conflict):
    slug = "already-subscribed"
    title = "Already subscribed"


class SubscriptionNotFound(NotFound):
    slug = "subscription-not-found"
    title = "No subscription"


class SubscriptionEnded(Conflict):
    slug = "subscription-ended"
    title = "Subscription ended"


class InvoiceNotFound(NotFound):
    slug = "invoice-not-found"
    title = "Invoice not found"


class RefundInvalid(ValidationFailed):
    slug = "refund-invalid"
    title = "Refund not possible"


class TaxRateInvalid(ValidationFailed):
    slug = "tax-rate-invalid"
    title = "Tax rate not accepted"


class DeadLetterNotFound(NotFound):
    slug = "dead-letter-not-found"
    title = "Dead-lettered event not found"


class StripeUnavailable(ServiceUnavailable):
    slug = "stripe-unavailable"
    title = "Payment processor unavailable"


class PrerequisiteMissing(Exception):
    """An event about something not recorded yet (a refund before its invoice): retried later, with backoff."""
