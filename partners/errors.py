"""What the partner API refuses, as typed errors; `api/errors.py` renders them as problem+json.

Details never contain a key or a signing secret.
"""

from __future__ import annotations

from typing import ClassVar

from harmoni.errors import Conflict, NotFound, RateLimited, ValidationFailed
from identity.errors import Forbidden, Unauthenticated

__all__ = ["RateLimited"]  # the kernel's 429, re-exported: partner endpoints name it from here


class InvalidApiKey(Unauthenticated):
    """A key that is malformed, unknown or revoked (never says which)."""

    slug = "invalid-api-key"
    title = "Invalid API key"
    headers: ClassVar[dict[str, str]] = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


class ScopeMissing(Forbidden):
    slug = "scope-missing"
    title = "API key lacks a scope"


class ApiKeyLimitReached(Conflict):
    slug = "api-key-limit-reached"
    title = "Too many live API keys"


class ApiKeyNotFound(NotFound):
    slug = "api-key-not-found"
    title = "API key not found"


class WebhookEndpointNotFound(NotFound):
    slug = "webhook-endpoint-not-found"
    title = "Webhook endpoint not found"


class WebhookUrlRefused(ValidationFailed):
    """A URL we will not send to (scheme, or in production a host that is not public)."""

    slug = "webhook-url-refused"
    title = "Webhook URL refused"
