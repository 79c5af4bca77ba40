"""What the notifications area refuses, as typed errors; `api/errors.py` renders them as problem+json."""

from __future__ import annotations

from harmoni.errors import HarmoniError, NotFound, ValidationFailed


class NotificationNotFound(NotFound):
    slug = "notification-not-found"
    title = "Notification not found"


class InvalidCursor(ValidationFailed):
    slug = "invalid-cursor"
    title = "Invalid cursor"


class InvalidUnsubscribeToken(HarmoniError):
    """A one-click unsubscribe link that is tampered with, expired or for another purpose."""

    status = 400
    slug = "invalid-unsubscribe-token"
    title = "Invalid unsubscribe link"


class InvalidEmailAddress(ValidationFailed):
    slug = "invalid-email-address"
    title = "Invalid e-mail address"
