"""What usage in refuses, as typed errors; `api/errors.py` renders them as problem+json.

Details never contain a playback token.
"""

from __future__ import annotations

from harmoni.errors import Conflict, HarmoniError, NotFound, ValidationFailed


class RecordingNotFound(NotFound):
    slug = "recording-not-found"
    title = "Recording not found"


class RecordingFrozen(Conflict):
    slug = "recording-frozen"
    title = "Recording is frozen"


class InvalidPlaybackToken(ValidationFailed):
    """Malformed, forged, unknown or expired: the problem names the field `token`."""

    slug = "invalid-playback-token"
    title = "Invalid playback token"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, field="token")


class PlaybackSessionNotYours(HarmoniError):
    status = 403
    slug = "playback-session-not-yours"
    title = "Playback session of another listener"


class PlayAlreadyReported(Conflict):
    slug = "play-already-reported"
    title = "Play already reported"


class PeriodNotFound(NotFound):
    slug = "period-not-found"
    title = "Royalty period not found"


class PeriodNotOpen(Conflict):
    slug = "period-not-open"
    title = "Royalty period is closed"


class UsageReportNotFound(NotFound):
    slug = "usage-report-not-found"
    title = "Usage report not found"


class UsageReportInvalid(ValidationFailed):
    """The report is refused whole; `errors` lists each bad line: `{"line", "field", "message"}`."""

    slug = "usage-report-invalid"
    title = "Usage report refused"
