"""Usage in: playback sessions and plays from the player, partners' usage reports."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["usage"])
