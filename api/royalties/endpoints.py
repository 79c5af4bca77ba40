"""Royalty periods, revenue, statements, payouts, earnings, claims and audits."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["royalties"])
