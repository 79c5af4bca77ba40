"""What the social layer refuses, as typed errors; `api/errors.py` renders them as problem+json."""

from __future__ import annotations

from harmoni.errors import Conflict, NotFound, RateLimited, ValidationFailed
from identity.errors import Forbidden

__all__ = ["RateLimited"]  # the kernel's 429, re-exported: social endpoints name it from here


class SubjectNotFound(NotFound):
    """The account, recording, edition, post, comment or message does not exist (or is not visible to you)."""

    slug = "social-subject-not-found"
    title = "Not found"


class Blocked(Forbidden):
    """One of the two accounts blocks the other."""

    slug = "blocked"
    title = "Blocked"


class NotAllowed(Forbidden):
    """A write the account may not make here (not the author, posting not allowed for fans...): a plain 403."""


class AccountSuspended(Forbidden):
    slug = "account-suspended"
    title = "Account suspended"


class NotVisible(Forbidden):
    """Content only followers or holders of an edition may see."""

    slug = "not-visible"
    title = "Not visible to you"


class MessagesRefused(Forbidden):
    """The recipient does not take direct messages from this account (its setting)."""

    slug = "messages-refused"
    title = "Messages refused"


class HandleTaken(Conflict):
    slug = "handle-taken"
    title = "Handle already taken"


class InvalidCursor(ValidationFailed):
    slug = "invalid-cursor"
    title = "Invalid cursor"


class WordFiltered(ValidationFailed):
    """The text contains a word the platform's filter refuses."""

    slug = "word-filtered"
    title = "Text refused by the word filter"


class ReportNotFound(NotFound):
    slug = "report-not-found"
    title = "Report not found"
