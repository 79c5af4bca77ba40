"""Editions (limited exclusives as HarmoniEditions tokens): creating, reading, buying with crypto."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from api.mirror import ReflectedBlock
from api.openapi import ETHEREUM_ADDRESS, MAX_SAFE_INTEGER

_ARTIST = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"
_FAN = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"
_EDITIONS = "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9"
_PAYOUT_ERC20 = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
_TX = "0x2a402796493ccc57286f02b63dd3b1350abc4be96dbf13765082a2dc0a276df8"
_BLOCK = {"number": 1210, "hash": "0xd60ee5d9b1a312631632d0ab8816ca64259093d8ab0b4d29f35db6a6151b0f8d"}
UINT32 = 2**32 - 1
UINT64 = 2**64 - 1
UINT256 = 2**256 - 1


class FiatPrice(BaseModel):
    amount_cents: int = Field(gt=0, le=2**53, description="Price of one token in the currency's smallest unit")
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. USD")


class EditionIn(BaseModel):
    asset_id: int = Field(ge=1, le=MAX_SAFE_INTEGER, description="The asset it sells (you must control it)")
    title: str = Field(min_length=1, max_length=300)
    description: str = Field("", max_length=5000)
    artwork_upload_id: uuid.UUID | None = Field(None, description="A ready artwork upload of yours")
    artwork_uri: str | None = Field(None, max_length=500, pattern=r"^(ipfs|https)://",
                                    description="Or an image URI (ipfs:// or https://)")
    payment: Literal["payout_token", "native"] = Field(
        "payout_token", description="What fans pay with on chain: the payout token (ERC-20) or the native token")
    price: int = Field(ge=0, le=UINT256, description="On-chain price of one token, in the payment token's smallest "
                                                      "unit (0 = free mint)")
    fiat_price: FiatPrice | None = Field(None, description="Price for card purchases (kept off chain)")
    max_supply: int = Field(ge=1, le=UINT32)
    sale_start: int = Field(0, ge=0, le=UINT64, description="Unix seconds (0 = open at once)")
    sale_end: int = Field(0, ge=0, le=UINT64, description="Unix seconds (0 = no end)")
    per_wallet_cap: int = Field(0, ge=0, le=UINT32, description="Tokens one wallet may mint (0 = no cap)")
    royalty_bps: int = Field(0, ge=0, le=1000, description="Secondary-sale royalty (ERC-2981), at most 1000 (10%)")

    model_config = {"json_schema_extra": {"examples": [{
        "asset_id": 7, "title": "Blue Hour — signed edition", "description": "100 numbered copies",
        "artwork_uri": "ipfs://bafkreifxxuh4vhyovcdpqfpmblpwjz3q27wwbsmotwzdkf7v5ks6d36qmu",
        "payment": "payout_token", "price": 5_000_000, "fiat_price": {"amount_cents": 500, "currency": "USD"},
        "max_supply": 100, "sale_start": 0, "sale_end": 0, "per_wallet_cap": 2, "royalty_bps": 500}]}}

    @model_validator(mode="after")
    def _one_artwork(self) -> EditionIn:
        if self.artwork_upload_id is not None and self.artwork_uri is not None:
            raise ValueError("give at most one of artwork_upload_id and artwork_uri")
        return self


class CallOut(BaseModel):
    to: str
    data: str = Field(description="Calldata (0x hex)")
    value: str = Field(description="Native value in wei, a decimal string")
    description: str


class EditionPrepared(BaseModel):
    listing_id: uuid.UUID = Field(description="The off-chain listing, matched to the edition once it is mirrored")
    metadata_uri: str
    transaction: CallOut = Field(description="Send it from `from_address` (the asset's controller)")
    from_address: str

    model_config = {"json_schema_extra": {"examples": [{
        "listing_id": "5f0c7a52-8f5e-4bbf-9a8d-3c8a0f3e9d11",
        "metadata_uri": "ipfs://bafkreifxxuh4vhyovcdpqfpmblpwjz3q27wwbsmotwzdkf7v5ks6d36qmu",
        "transaction": {"to": _EDITIONS, "data": "0x5c3d4e2a", "value": "0", "description": "create the edition"},
        "from_address": _ARTIST}]}}


class EditionOut(BaseModel):
    edition_id: int
    asset_id: int
    creator: str
    payment_token: str = Field(description="0x000…0 for the native token")
    price: str = Field(description="Price of one token in the payment token's smallest unit (decimal string)")
    fiat_price: FiatPrice | None = None
    max_supply: int
    minted: int
    supply_left: int
    sale_start: int
    sale_end: int
    per_wallet_cap: int
    royalty_bps: int
    platform_fee_bps: int
    on_sale: bool
    sold_out: bool
    metadata_uri: str | None = Field(None, description="Title, description and artwork, when created through HARMONI")
    created_in: dict = Field(description="block_number and tx_hash of its creation")


_EDITION_EXAMPLE = {
    "edition_id": 1, "asset_id": 7, "creator": _ARTIST, "payment_token": _PAYOUT_ERC20, "price": "5000000",
    "fiat_price": {"amount_cents": 500, "currency": "USD"}, "max_supply": 100, "minted": 3, "supply_left": 97,
    "sale_start": 0, "sale_end": 0, "per_wallet_cap": 2, "royalty_bps": 500, "platform_fee_bps": 1000,
    "on_sale": True, "sold_out": False,
    "metadata_uri": "ipfs://bafkreifxxuh4vhyovcdpqfpmblpwjz3q27wwbsmotwzdkf7v5ks6d36qmu",
    "created_in": {"block_number": 1200, "tx_hash": _TX}}


class EditionPage(BaseModel):
    block: ReflectedBlock
    data: list[EditionOut]
    next_cursor: str | None

    model_config = {"json_schema_extra": {"examples": [{"block": _BLOCK, "data": [_EDITION_EXAMPLE],
                                                        "next_cursor": None}]}}


class EditionDetail(BaseModel):
    block: ReflectedBlock
    data: EditionOut

    model_config = {"json_schema_extra": {"examples": [{"block": _BLOCK, "data": _EDITION_EXAMPLE}]}}


class HolderOut(BaseModel):
    wallet: str
    balance: int


class HoldersOut(BaseModel):
    block: ReflectedBlock
    edition_id: int
    data: list[HolderOut]

    model_config = {"json_schema_extra": {"examples": [{"block": _BLOCK, "edition_id": 1,
                                                        "data": [{"wallet": _FAN, "balance": 2}]}]}}


class HoldingOut(BaseModel):
    wallet: str
    balance: int
    edition: EditionOut


class CollectionOut(BaseModel):
    block: ReflectedBlock
    data: list[HoldingOut]

    model_config = {"json_schema_extra": {"examples": [{"block": _BLOCK, "data": [
        {"wallet": _FAN, "balance": 1, "edition": _EDITION_EXAMPLE}]}]}}


class PurchaseIn(BaseModel):
    wallet: str = Field(description="Your linked wallet that pays and receives the tokens",
                        json_schema_extra=ETHEREUM_ADDRESS)
    quantity: Annotated[int, Field(ge=1, le=UINT32)] = 1

    model_config = {"json_schema_extra": {"examples": [{"wallet": _FAN, "quantity": 1}]}}


class PurchasePrepared(BaseModel):
    edition_id: int
    wallet: str
    quantity: int
    total: str = Field(description="What the mint costs, in the payment token's smallest unit")
    payment_token: str
    calls: list[CallOut] = Field(description="Send them in order from `wallet` (an ERC-20 approve, then the mint)")

    model_config = {"json_schema_extra": {"examples": [{
        "edition_id": 1, "wallet": _FAN, "quantity": 1, "total": "5000000", "payment_token": _PAYOUT_ERC20,
        "calls": [{"to": _PAYOUT_ERC20, "data": "0x095ea7b3", "value": "0", "description": "approve"},
                  {"to": _EDITIONS, "data": "0x1b2ef1ca", "value": "0", "description": "mint 1 of edition 1"}]}]}}


class MintOut(BaseModel):
    edition_id: int
    wallet: str = Field(description="Where the tokens are")
    quantity: int
    paid: str
    block_number: int


class PurchaseStatusOut(BaseModel):
    status: Literal["mint-pending", "minted", "mint-failed"] = Field(description=(
        "`mint-pending`: not mined yet, or mined and not mirrored yet (retry in a few seconds); `minted`: the tokens "
        "are in `mints[].wallet`; `mint-failed`: the transaction reverted, nothing was charged"))
    message: str
    tx_hash: str
    mints: list[MintOut]

    model_config = {"json_schema_extra": {"examples": [{
        "status": "minted", "message": "1 token of edition 1 is in 0x15d3…6A65", "tx_hash": _TX,
        "mints": [{"edition_id": 1, "wallet": _FAN, "quantity": 1, "paid": "5000000", "block_number": 1211}]}]}}


class EditionCreating(BaseModel):
    listing_id: uuid.UUID
    metadata_uri: str
    operation_id: uuid.UUID = Field(description="Follow it at `GET /v1/operations/{id}` until `confirmed`")
    status: Literal["pending", "submitted", "included", "confirmed", "failed"]
    from_address: str = Field(description="Your custodial wallet, which sends the transaction")

    model_config = {"json_schema_extra": {"examples": [{
        "listing_id": "5f0c7a52-8f5e-4bbf-9a8d-3c8a0f3e9d11",
        "metadata_uri": "ipfs://bafkreifxxuh4vhyovcdpqfpmblpwjz3q27wwbsmotwzdkf7v5ks6d36qmu",
        "operation_id": "0c1f9a9e-2b7d-4f4e-8d52-8f0b5b1e4a77", "status": "pending", "from_address": _ARTIST}]}}
