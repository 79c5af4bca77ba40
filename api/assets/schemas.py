"""Works and recordings as partners and the public read them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from api.mirror import ReflectedBlock

_EXAMPLE_ADDRESS = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"
_PAYEE = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"
_SPLIT_HASH = "0xb4848b10f16d29a1fc9dc44de4931360e9627b85b65e94810389d8088709a6a0"
_REGISTERED_TX = "0xe45f9e9034530dc56c6f7313c9793131e75bdc76434705570f2e8753b55c99e5"
_SPLIT_TX = "0x2a402796493ccc57286f02b63dd3b1350abc4be96dbf13765082a2dc0a276df8"
_SPLIT = {"recipients": [_PAYEE, _EXAMPLE_ADDRESS], "allocations": [300000, 700000]}
_ASSET_EXAMPLE = {
    "asset_id": 7, "kind": "recording", "title": "Blue Hour", "industry_code": "USRC17607839",
    "controller": _EXAMPLE_ADDRESS, "pending_controller": _PAYEE,
    "metadata_uri": "ipfs://bafkreifxxuh4vhyovcdpqfpmblpwjz3q27wwbsmotwzdkf7v5ks6d36qmu",
    "content_hash": "0x1e109eb81780c8505fc75b12fda78c5737b7ccd70bfd04e22f4d22d598dd9e19", "work_ids": [3],
    "split": {"version": 2, "split_hash": _SPLIT_HASH, **_SPLIT}, "split_locked": False, "frozen": False,
    "registered": {"block_number": 1102, "tx_hash": _REGISTERED_TX}}
_BLOCK_EXAMPLE = {"number": 1210, "hash": "0xd60ee5d9b1a312631632d0ab8816ca64259093d8ab0b4d29f35db6a6151b0f8d"}


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

    model_config = {"json_schema_extra": {"examples": [_ASSET_EXAMPLE]}}


class AssetPage(BaseModel):
    block: ReflectedBlock
    data: list[AssetOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")

    model_config = {"json_schema_extra": {"examples": [
        {"block": _BLOCK_EXAMPLE, "data": [_ASSET_EXAMPLE], "next_cursor": "YTo3"}]}}


class AssetDetailOut(BaseModel):
    block: ReflectedBlock
    data: AssetOut
    split_history: list[SplitVersionOut]
    controller_history: list[ControllerChangeOut]
    freezes: list[FreezeOut]

    model_config = {"json_schema_extra": {"examples": [{
        "block": _BLOCK_EXAMPLE, "data": _ASSET_EXAMPLE,
        "split_history": [
            {"version": 1, "split_hash": "0x20b53acf0daefc8c6ad68c861fb3b543ca541abd101abc1edfcbf6606b838ef4",
             "recipients": [_EXAMPLE_ADDRESS], "allocations": [1000000], "block_number": 1102,
             "tx_hash": _REGISTERED_TX},
            {"version": 2, "split_hash": _SPLIT_HASH, **_SPLIT, "block_number": 1180, "tx_hash": _SPLIT_TX}],
        "controller_history": [
            {"change": "started", "previous_controller": _EXAMPLE_ADDRESS, "new_controller": _PAYEE,
             "block_number": 1195, "tx_hash": "0x6d2bbc780209d06e99b97ad7a980141e9e08ebdd05b3f9e70ff7075d5df8e8a3"}],
        "freezes": []}]}}
