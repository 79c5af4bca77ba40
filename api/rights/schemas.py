"""Registering works and recordings, and following the operation that carries it out."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, Field

from identity.schemas import Email

_ARTIST = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"
_SPLIT_EXAMPLE = [{"address": _ARTIST, "share_percent": "70"},
                  {"address": "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65", "share_percent": "30"}]


class Contributor(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    role: str = Field(min_length=1, max_length=60, examples=["composer", "lyricist", "performer", "producer"])


class PayeeIn(BaseModel):
    address: str | None = Field(None, description="Payee wallet address (give this or `email`)")
    email: Email | None = Field(
        None, description="Payee e-mail address, instead of `address`: paid at that account's wallet, or at a "
                          "custodial wallet held for them until they accept the e-mailed invitation")
    share_percent: str = Field(description="Share in percent, at most 4 decimals; all shares sum to 100",
                               examples=["33.3333"])

    model_config = {"json_schema_extra": {"examples": [
        {"address": _ARTIST, "share_percent": "70"}, {"email": "lee@example.org", "share_percent": "30"}]}}


class WorkIn(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    iswc: str = Field(max_length=20, description="ISWC, separators allowed (T-034.524.680-1)")
    contributors: list[Contributor] = Field(default_factory=list, max_length=100)
    split: list[PayeeIn] = Field(max_length=250)
    metadata: dict = Field(default_factory=dict, description="Any further JSON metadata")

    model_config = {"json_schema_extra": {"examples": [{
        "title": "Blue Hour", "iswc": "T-034.524.680-1",
        "contributors": [{"name": "Ada Moreau", "role": "composer"}], "split": _SPLIT_EXAMPLE, "metadata": {}}]}}


class RecordingIn(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    isrc: str = Field(max_length=20, description="ISRC, separators allowed (US-RC1-76-07839)")
    content_hash: str = Field(pattern=r"^0x[0-9a-fA-F]{64}$", description="SHA-256 of the master audio")
    work_ids: list[int] = Field(default_factory=list, max_length=64, description="Registered works it embodies")
    contributors: list[Contributor] = Field(default_factory=list, max_length=100)
    split: list[PayeeIn] = Field(max_length=250)
    metadata: dict = Field(default_factory=dict)

    model_config = {"json_schema_extra": {"examples": [{
        "title": "Blue Hour (radio edit)", "isrc": "US-RC1-76-07839", "content_hash": "0x" + "ab" * 32,
        "work_ids": [1], "contributors": [{"name": "Ada Moreau", "role": "performer"}],
        "split": [{"address": _ARTIST, "share_percent": "70"}, {"email": "lee@example.org", "share_percent": "30"}],
        "metadata": {}}]}}


class SplitChangeIn(BaseModel):
    split: list[PayeeIn] = Field(max_length=250)

    model_config = {"json_schema_extra": {"examples": [{"split": _SPLIT_EXAMPLE}]}}


class ControllerTransferIn(BaseModel):
    new_controller: str = Field(description="Address that becomes the controller once it accepts")

    model_config = {"json_schema_extra": {"examples": [{"new_controller": _ARTIST}]}}


class PreparedRequest(BaseModel):
    typed_data: dict = Field(description="EIP-712 document for the wallet's eth_signTypedData_v4")


class SignedRequestIn(BaseModel):
    typed_data: dict = Field(description="The document returned by a `.../prepare` call, as signed")
    signature: str = Field(pattern=r"^0x[0-9a-fA-F]{130}$", description="65-byte ECDSA signature")


class OperationOut(BaseModel):
    id: uuid.UUID
    kind: str
    status: Literal["pending", "submitted", "confirmed", "failed"]
    tx_hash: str | None = None
    block_number: int | None = None
    error: str | None = Field(None, description="Decoded custom error of a failed operation")
    error_args: dict | None = None
    asset_id: int | None = Field(None, description="The asset a change or arbiter action names; for a "
                                                   "registration, set once the indexer has mirrored it")
    metadata_uri: str | None = None

    model_config = {"json_schema_extra": {"examples": [{
        "id": "5f0c7a52-8f5e-4bbf-9a8d-3c8a0f3e9d11", "kind": "register_work", "status": "confirmed",
        "tx_hash": "0x9a1...", "block_number": 1204, "error": None, "error_args": None, "asset_id": 7,
        "metadata_uri": "ipfs://bafkrei..."}]}}
