"""Playback sessions, plays and partner usage reports."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from api.openapi import MAX_SAFE_INTEGER
from ledger.usage.plays import PlaySource

_SESSION_ID = "8a1f5c2e-6b0d-4c1e-9d4a-2f7e3b5c9a10"
_TOKEN = "pbs_ih9cLmsNTB6dSi9-O1yaEPJZ3Qp0dG9rZW4tc2lnbmF0dXJlLWV4YW1wbGUtMDEyMzQ1"  # noqa: S105 -- an example
EXAMPLE_CSV = ("isrc,territory,usage_count,net_revenue,currency\r\n"
               "US-RC1-76-07839,US,1200,4380,USD\r\n"
               "USRC17607839,DE,310,1022,USD\r\n")


class PlaybackSessionIn(BaseModel):
    asset_id: int = Field(ge=1, le=MAX_SAFE_INTEGER, strict=True,
                          description="A mirrored recording (its chain asset id)")
    source: PlaySource | None = Field(None, description="Where in the app the play started (artists see plays "
                                                        "per source)")

    model_config = {"json_schema_extra": {"examples": [{"asset_id": 7, "source": "trending"}]}}


class GrantOut(BaseModel):
    """Why a listener may hear an exclusive recording: the wallet holding the edition, until when."""

    wallet: str
    edition_id: int
    expires_at: datetime


class PlaybackSessionOut(BaseModel):
    session_id: uuid.UUID
    token: str = Field(description="Reports this session's play (POST /v1/plays), once, before `expires_at`")
    expires_at: datetime
    counts_after_ms: int = Field(description="Play time after which the play counts: 30 s, or half a shorter "
                                             "track")
    duration_ms: int | None = Field(description="The track's length, when its metadata says")
    streams: dict[str, str] = Field(default_factory=dict, description=(
        "Signed URL of each rendition (opus_160, opus_96, aac_256, mp3_320, flac, hls, preview, waveform), "
        "valid 15 minutes for this listener; empty when the recording has no playable audio"))
    loudness_gain_db: float | None = Field(None, description="Gain to play at for -14 LUFS (true peak <= -1 dBTP); "
                                                             "never applied to the audio itself")
    not_streamable: str | None = Field(None, description="Why `streams` is empty (or holds only the preview)")
    grant: GrantOut | None = Field(None, description="For a recording exclusive to an edition's holders")

    model_config = {"json_schema_extra": {"examples": [{
        "session_id": _SESSION_ID, "token": _TOKEN, "expires_at": "2026-11-25T14:00:00Z",
        "counts_after_ms": 30000, "duration_ms": 215000,
        "streams": {"opus_160": "http://127.0.0.1:8000/v1/streams/7/opus_160?l=0b6c8f8e-3a0f-4d55-9a43-6f1d0c3b2a10"
                                "&exp=1796083199&kid=k0&sig=QmV4YW1wbGVzaWduYXR1cmU",
                    "preview": "http://127.0.0.1:8000/v1/streams/7/preview"},
        "loudness_gain_db": -3.2, "not_streamable": None}]}}


class PlayIn(BaseModel):
    token: str = Field(min_length=1, max_length=200, description="The playback session's token")
    played_ms: int = Field(ge=0, le=24 * 3600 * 1000, strict=True,
                           description="Milliseconds actually played (seeks excluded)")

    model_config = {"json_schema_extra": {"examples": [{"token": _TOKEN, "played_ms": 184000}]}}


class PlayOut(BaseModel):
    play_id: int
    counted: bool
    flags: list[str] = Field(description="Why it does not count: too_short, duplicate_window, "
                                         "played_longer_than_elapsed, listener_rate, ip_rate")

    model_config = {"json_schema_extra": {"examples": [
        {"play_id": 91234, "counted": True, "flags": []},
        {"play_id": 91235, "counted": False, "flags": ["duplicate_window"]}]}}


class UsageReportOut(BaseModel):
    id: uuid.UUID
    period_id: int
    filename: str | None
    sha256: str = Field(description="SHA-256 of the uploaded bytes (hex); the same bytes are the same report")
    line_count: int = Field(description="Data lines")
    total_usage: int
    total_net_revenue: int = Field(description="In the currency's smallest unit")
    currency: str
    created_at: datetime

    model_config = {"json_schema_extra": {"examples": [{
        "id": "0c3e1f7a-5d2b-4a8e-b1c9-7f6d5e4a3b21", "period_id": 3, "filename": "acme-2026-11.csv",
        "sha256": "9f2c" + "0" * 60, "line_count": 2, "total_usage": 1510, "total_net_revenue": 5402,
        "currency": "USD", "created_at": "2026-11-25T12:00:00Z"}]}}
