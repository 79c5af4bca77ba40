"""Partners (labels, distributors, DSPs): API keys with scopes and rate limits, signed webhooks."""
