"""A small Stripe-compatible HTTP server of our own, for tests and the embedded default (see `app.py`)."""

from payments.stripe_server.app import API_VERSION, StripeState, create_app
from payments.stripe_server.runner import LocalStripe

__all__ = ["API_VERSION", "LocalStripe", "StripeState", "create_app"]
