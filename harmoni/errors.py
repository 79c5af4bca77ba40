"""The error family: typed exceptions carrying an HTTP status and a stable problem type.

Services raise these; one handler in `api/` turns them into RFC 9457 problem+json, and the CLI
turns them into one line on stderr with a non-zero exit.
"""

from __future__ import annotations

from typing import Any, ClassVar

PROBLEM_BASE_URI = "https://harmoni.music/problems/"


class HarmoniError(Exception):
    """Base of every error we raise on purpose."""

    status: ClassVar[int] = 500
    slug: ClassVar[str] = "internal-error"
    title: ClassVar[str] = "Internal error"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    @property
    def type_uri(self) -> str:
        return PROBLEM_BASE_URI + self.slug

    def problem(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": self.type_uri,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        body.update(self.extra)
        return body


class ConfigurationError(HarmoniError):
    """The platform cannot start as configured (bad URL, missing tool, port in use)."""

    slug = "configuration-error"
    title = "Configuration error"


class NotFound(HarmoniError):
    status = 404
    slug = "not-found"
    title = "Not found"


class ValidationFailed(HarmoniError):
    status = 422
    slug = "validation-error"
    title = "Invalid request"


class Conflict(HarmoniError):
    status = 409
    slug = "conflict"
    title = "Conflict"


class ServiceUnavailable(HarmoniError):
    status = 503
    slug = "service-unavailable"
    title = "Service unavailable"


class RateLimited(HarmoniError):
    """Over a request limit (an API key's, an account's, an IP address's): 429 with `Retry-After` in seconds."""

    status = 429
    slug = "rate-limited"
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after_s: int, limit: int, **extra: Any) -> None:
        super().__init__(detail, retry_after=retry_after_s, **extra)
        self.headers = {"Retry-After": str(retry_after_s), "X-RateLimit-Limit": str(limit),
                        "X-RateLimit-Remaining": "0"}
