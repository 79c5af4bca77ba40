"""Money in: Stripe customers, Checkout, Billing subscriptions, invoices, refunds, disputes, the webhook inbox."""
