"""Disputes over an asset: filing one, reading them, and the arbiter's freeze and decision."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

_ID = "3b9d2a4e-6f1c-4d8a-9e2b-7c5f0a1d4e6b"
_HASH = "0x5c1f8e1a0b6f3d9c2e7a4b8d6f0c1e3a5b7d9f2c4e6a8b0d2f4c6e8a0b2d4f6c"


class DisputeIn(BaseModel):
    reason: str = Field(min_length=1, max_length=5000, description="What is wrong with the registration or split")
    evidence_uri: str | None = Field(None, max_length=2048, pattern=r"^(https?|ipfs|ar)://\S+$",
                                     description="Where the evidence is (https, ipfs or ar URI)")

    model_config = {"json_schema_extra": {"examples": [{
        "reason": "I co-wrote this song (40%) and I am missing from the split.",
        "evidence_uri": "ipfs://bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"}]}}


class DisputeResolveIn(BaseModel):
    outcome: Literal["upheld", "rejected"] = Field(description="upheld: decided for the opener; rejected: against")
    note: str = Field(min_length=1, max_length=5000, description="The decision, as the parties will read it")

    model_config = {"json_schema_extra": {"examples": [{
        "outcome": "upheld", "note": "The co-writer agreement of 2024-03-02 gives 40%; the controller will update the "
                                    "split."}]}}


class DisputeOut(BaseModel):
    id: uuid.UUID
    asset_id: int
    status: Literal["open", "frozen", "upheld", "rejected"] = Field(
        description="open; frozen (the arbiter froze the asset for it); upheld or rejected (decided)")
    reason_hash: str = Field(description="keccak256 of the dispute id: the reasonHash of its AssetFrozen event")
    opened_at: datetime
    resolved_at: datetime | None = None
    reason: str | None = Field(None, description="Only for admins, auditors and the opener")
    evidence_uri: str | None = Field(None, description="Only for admins, auditors and the opener")
    resolution_note: str | None = Field(None, description="Only for admins, auditors and the opener")
    freeze_operation_id: uuid.UUID | None = Field(
        None, description="Follow at /v1/operations/{id}; only for admins, auditors and the opener")
    unfreeze_operation_id: uuid.UUID | None = Field(
        None, description="Follow at /v1/operations/{id}; only for admins, auditors and the opener")

    model_config = {"json_schema_extra": {"examples": [{
        "id": _ID, "asset_id": 7, "status": "frozen", "reason_hash": _HASH, "opened_at": "2026-11-25T10:04:00Z",
        "resolved_at": None, "reason": "I co-wrote this song (40%) and I am missing from the split.",
        "evidence_uri": "ipfs://bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku", "resolution_note": None,
        "freeze_operation_id": "5f0c7a52-8f5e-4bbf-9a8d-3c8a0f3e9d11", "unfreeze_operation_id": None}]}}


class DisputeList(BaseModel):
    data: list[DisputeOut]

    model_config = {"json_schema_extra": {"examples": [{"data": [{
        "id": _ID, "asset_id": 7, "status": "open", "reason_hash": _HASH, "opened_at": "2026-11-25T10:04:00Z",
        "resolved_at": None, "reason": None, "evidence_uri": None, "resolution_note": None,
        "freeze_operation_id": None, "unfreeze_operation_id": None}]}]}}
