"""Periods, revenue, earnings, claims and audits as the API shows them. Amounts are decimal strings of integers."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from api.openapi import ETHEREUM_ADDRESS

# The examples are one period: 100 USDC of subscriptions, all to asset 7 (split 30/70), 30% platform fee.
_ACCOUNT = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"
_ARTIST = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"
_DISTRIBUTOR = "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9"
_USDC = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
_CUT_HASH = "0xd60ee5d9b1a312631632d0ab8816ca64259093d8ab0b4d29f35db6a6151b0f8d"
_SPLIT_TX = "0x2a402796493ccc57286f02b63dd3b1350abc4be96dbf13765082a2dc0a276df8"
_STATEMENT_URI = "ipfs://bafkreiaf7mij7w2ronmdblwae2dhxqwdd5jkctqcxdod42l6q73ojc5ege"
_ROOT = "0xe14f7f2dd7c78492771b33a1da8eb9e43510a00ee4ad805c00ee0d96f28217e0"
_ACCOUNT_PROOF = ["0xcbae05751494aab9a526004f20987fdcad8ec88bba9984b8f9dfffaad9c271e8"]
_PUBLISHED_TX = "0x8f3c1be2a7d54e0b9c6a1f7e2d3b4c5a69788796a5b4c3d2e1f00f1e2d3c4b5a"
EXAMPLE_STATEMENT_JSON = {
    "assets": [{"asset_id": 7, "direct_sales": "0", "fee": "30000000", "held": None, "net": "70000000",
                "partner_lines": [], "partner_revenue": "0",
                "payouts": [[_ACCOUNT, 300000, "21000000"], [_ARTIST, 700000, "49000000"]], "plays": 1200,
                "pool_share": "100000000", "sale_references": [],
                "split": {"block": 1180, "tx": _SPLIT_TX, "version": 2}}],
    "context": {"chain_id": 137, "currency": "USD", "cut": {"block": 1204, "hash": _CUT_HASH, "timestamp": 1796083199},
                "distributor": _DISTRIBUTOR, "previous_root": "0x" + "00" * 32,
                "registry": "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512", "subscription_references": ["subs-2026-11"],
                "token": _USDC, "unit_factor": 10000,
                "window": {"ends_at": "2026-12-01T00:00:00+00:00", "starts_at": "2026-11-01T00:00:00+00:00"}},
    "fee_bps": 3000, "format": "harmoni-statement-v1",
    "payees": [{"account": _ACCOUNT, "amount": "21000000", "cumulative": "21000000"},
               {"account": _ARTIST, "amount": "49000000", "cumulative": "49000000"}],
    "period_id": 1, "revenue": {"direct_sales": "0", "partner": "0", "subscriptions": "100000000"},
    "totals": {"allocated": "70000000", "cumulative_total": "70000000", "gross": "100000000", "held": "0",
               "platform_fee": "30000000", "unallocated": "0"}}
EXAMPLE_STATEMENT_CSV = (
    "period_id,asset_id,plays,pool_share,partner_revenue,direct_sales,gross,platform_fee,net,split_version,"
    "split_block,split_tx,held,payee,allocation_ppm,amount\n"
    f"1,7,1200,100000000,0,0,100000000,30000000,70000000,2,1180,{_SPLIT_TX},,{_ACCOUNT},300000,21000000\n"
    f"1,7,1200,100000000,0,0,100000000,30000000,70000000,2,1180,{_SPLIT_TX},,{_ARTIST},700000,49000000\n")
EXAMPLE_TREE_JSON = {
    "format": "standard-v1", "leafEncoding": ["address", "uint256"],
    "tree": [_ROOT, *_ACCOUNT_PROOF, "0xa29b6c0b3b41a3a8d778f916c0b2e78b0e2943efd655b3305fa1f25278106527"],
    "values": [{"value": [_ACCOUNT, "21000000"], "treeIndex": 2}, {"value": [_ARTIST, "49000000"], "treeIndex": 1}]}
EXAMPLE_PLAYS_CSV = (
    "play_id,listener,asset_id,played_at,played_ms,counted,flags\n"
    "91234,4f1d8c0e6a2b9d3f7c5e1a8b0d2f4c6e8a1b3d5f7092e4c6a8b0d2f4e6a8c0b2,7,2026-11-03T18:22:41.120000+00:00,"
    "184000,True,\n"
    "91235,4f1d8c0e6a2b9d3f7c5e1a8b0d2f4c6e8a1b3d5f7092e4c6a8b0d2f4e6a8c0b2,7,2026-11-03T18:23:02.870000+00:00,"
    "21000,False,too_short\n")


class PeriodIn(BaseModel):
    ends_at: datetime = Field(description="End of the period (exclusive), with a time zone")
    starts_at: datetime | None = Field(None, description="Only for the first period; later ones start where the "
                                                         "previous ended")

    model_config = {"json_schema_extra": {"examples": [{"ends_at": "2026-12-01T00:00:00Z",
                                                        "starts_at": "2026-11-01T00:00:00Z"}]}}


class StatementSummary(BaseModel):
    cut_block: int = Field(description="The last block before the period's end: splits are taken as of it")
    cut_block_hash: str
    gross: str
    platform_fee: str
    held: str = Field(description="Revenue of assets frozen (disputed) or without a split at the cut")
    unallocated: str = Field(description="Pooled revenue of a period without counted plays")
    allocated: str = Field(description="Paid to payees this period")
    cumulative_total: str
    root: str
    statement_hash: str
    statement_uri: str
    published_tx: str | None
    published_block: int | None


class PeriodJob(BaseModel):
    """A close or publish running in the background: follow `url` until the period's status is `until`."""

    action: Literal["close", "publish"]
    until: Literal["closed", "published"] = Field(description="The status the period has once the job is done")
    url: str = Field(description="The period to follow (also the answer's Location header)")


class PublishFailure(BaseModel):
    at: datetime
    reason: str = Field(description="The problem type's slug and detail (or the error) of the failed attempt")


class PeriodOut(BaseModel):
    period_id: int
    starts_at: datetime
    ends_at: datetime
    status: Literal["open", "closing", "closed", "published"]
    statement: StatementSummary | None = None
    publish_failed: PublishFailure | None = Field(
        None, description="The last publish attempt failed (the period stays `closed`; publish again once fixed)")
    job: PeriodJob | None = Field(None, description="Set on the 202 of a close or publish: the job to follow")

    model_config = {"json_schema_extra": {"examples": [{
        "period_id": 1, "starts_at": "2026-11-01T00:00:00Z", "ends_at": "2026-12-01T00:00:00Z",
        "status": "published", "statement": {
            "cut_block": 1204, "cut_block_hash": _CUT_HASH, "gross": "100000000", "platform_fee": "30000000",
            "held": "0", "unallocated": "0", "allocated": "70000000", "cumulative_total": "70000000",
            "root": _ROOT, "statement_hash": "0x05fb109fdb51735830aec026867bc2c31f52a14e02b8dc3e697e87f6e48ba431",
            "statement_uri": _STATEMENT_URI, "published_tx": _PUBLISHED_TX, "published_block": 1290}}]}}


class RevenueIn(BaseModel):
    source: Literal["subscriptions", "direct_sales"]
    # strict: a JSON integer, not "100" (a string would be coerced silently otherwise)
    amount: int = Field(gt=0, strict=True, description="In the currency's smallest unit (cents for USD); a JSON "
                                                        "integer")
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217; must be the payout currency")
    reference: str = Field(min_length=1, max_length=200,
                           description="Your id for this revenue; recording it again returns the first entry")
    confirm_amount: int | None = Field(
        None, strict=True, description="The same amount again: required above the sanity ceiling "
                                       "(HARMONI_REVENUE_CONFIRM_ABOVE), so an extra zero is not recorded by mistake")
    asset_id: int | None = Field(None, strict=True,
                                 description="The asset a direct sale belongs to; none for subscriptions")

    model_config = {"json_schema_extra": {"examples": [
        {"source": "subscriptions", "amount": 10000, "currency": "USD", "reference": "subs-2026-11"},
        {"source": "direct_sales", "amount": 999, "currency": "USD", "reference": "bandcamp-order-88213",
         "asset_id": 7}]}}


class RevenueOut(BaseModel):
    id: str
    period_id: int
    source: str
    asset_id: int | None
    amount: str
    currency: str
    reference: str
    voided_at: datetime | None = Field(None, description="Set once an admin voided it: it counts nowhere")
    void_reason: str | None = None

    model_config = {"json_schema_extra": {"examples": [{
        "id": "5f0c7a52-8f5e-4bbf-9a8d-3c8a0f3e9d11", "period_id": 1, "source": "direct_sales", "asset_id": 7,
        "amount": "999", "currency": "USD", "reference": "bandcamp-order-88213", "voided_at": None,
        "void_reason": None}]}}


class RevenueVoidIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500, description="Why the entry was wrong (journaled)")

    model_config = {"json_schema_extra": {"examples": [{"reason": "amount entered in dollars, not cents"}]}}


class EarningOut(BaseModel):
    period_id: int
    account: str
    amount: str = Field(description="Earned in this period, in payout-token units")
    cumulative_amount: str
    status: str = Field(description="closed: computed, not yet on chain; published: claimable")
    statement_uri: str


class AccountEarnings(BaseModel):
    account: str
    earned: str = Field(description="Cumulative amount in the latest closed period")
    claimable: str = Field(description="Published and not yet claimed")
    claimed: str


class EarningsOut(BaseModel):
    token: str
    accounts: list[AccountEarnings]
    periods: list[EarningOut]

    model_config = {"json_schema_extra": {"examples": [{
        "token": _USDC,
        "accounts": [{"account": _ACCOUNT, "earned": "21000000", "claimable": "21000000", "claimed": "0"}],
        "periods": [{"period_id": 1, "account": _ACCOUNT, "amount": "21000000", "cumulative_amount": "21000000",
                     "status": "published", "statement_uri": _STATEMENT_URI}]}]}}


class ClaimProof(BaseModel):
    account: str
    period_id: int
    cumulative_amount: str
    claimed: str
    claimable: str
    root: str
    proof: list[str]


class ClaimRecord(BaseModel):
    account: str
    amount: str
    cumulative_amount: str
    tx_hash: str
    block_number: int


class ClaimsOut(BaseModel):
    distributor: str
    claimable: list[ClaimProof] = Field(description="Leaves of the latest published root, with proofs: pass them "
                                                    "to PayoutDistributor.claim(account, cumulativeAmount, proof, "
                                                    "root) yourself, or POST /v1/me/claims")
    history: list[ClaimRecord]

    model_config = {"json_schema_extra": {"examples": [{
        "distributor": _DISTRIBUTOR,
        "claimable": [{"account": _ACCOUNT, "period_id": 1, "cumulative_amount": "21000000", "claimed": "0",
                       "claimable": "21000000", "root": _ROOT, "proof": _ACCOUNT_PROOF}], "history": []}]}}


class ClaimIn(BaseModel):
    account: str = Field(description="One of your wallets with something to claim", json_schema_extra=ETHEREUM_ADDRESS)

    model_config = {"json_schema_extra": {"examples": [{"account": _ACCOUNT}]}}


class AuditCheckOut(BaseModel):
    name: str
    passed: bool
    detail: str


class AuditOut(BaseModel):
    period_id: int
    passed: bool
    checks: list[AuditCheckOut]
    discrepancies: list[AuditCheckOut]

    model_config = {"json_schema_extra": {"examples": [{
        "period_id": 1, "passed": True, "discrepancies": [],
        "checks": [{"name": "merkle root", "passed": True, "detail": f"recomputed {_ROOT}, recorded {_ROOT}"}]}]}}
