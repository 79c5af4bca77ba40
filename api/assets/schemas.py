"""Works and recordings as partners and the public read them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from api.mirror import ReflectedBlock

_EXAMPLE_ADDRESS = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"


class OnChain(BaseModel):
    block_number: int
    tx_hash: str


class SplitOut(BaseModel):
    version: int
    split_hash: str
    recipients: list[str] = Field(description="Payee addresses, strictly ascending")
    allocations: list[int] = Field(description="Parts per million per payee; they sum to 1,000,000")


class SplitVersionOut(SplitOut):
    block_number: int
    tx_hash: str


class ControllerChangeOut(OnChain):
    change: Literal["started", "transferred", "arbitrated"]
    previous_controller: str
    new_controller: str


class FreezeOut(OnChain):
    frozen: bool
    arbiter: str
    reason_hash: str | None
    controller: str | None


class AssetOut(BaseModel):
    asset_id: int
    kind: Literal["work", "recording"]
    title: str | None = Field(None, description="From the metadata document, when HARMONI stored it (null for "
                                                "assets registered elsewhere until their metadata is known)")
    industry_code: str = Field(description="ISWC for works, ISRC for recordings")
    controller: str
    pending_controller: str | None
    metadata_uri: str
    content_hash: str | None = Field(description="SHA-256 of the master audio (recordings)")
    work_ids: list[int] = Field(description="Works a recording embodies")
    split: SplitOut
    split_locked: bool
    frozen: bool
    registered: OnChain

    model_config = {"json_schema_extra": {"examples": [{
        "asset_id": 7, "kind": "recording", "title": "Blue Hour", "industry_code": "USHRM2600007",
        "controller": _EXAMPLE_ADDRESS,
        "pending_controller": None, "metadata_uri": "ipfs://bafkreih...", "content_hash": "0x5f2b...",
        "work_ids": [3], "split": {"version": 2, "split_hash": "0x8e66...", "recipients": [_EXAMPLE_ADDRESS],
                                   "allocations": [1000000]},
        "split_locked": False, "frozen": False, "registered": {"block_number": 1204, "tx_hash": "0x79a1..."}}]}}


class AssetPage(BaseModel):
    block: ReflectedBlock
    data: list[AssetOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")


class AssetDetailOut(BaseModel):
    block: ReflectedBlock
    data: AssetOut
    split_history: list[SplitVersionOut]
    controller_history: list[ControllerChangeOut]
    freezes: list[FreezeOut]
