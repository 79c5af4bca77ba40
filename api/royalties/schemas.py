"""Periods, revenue, earnings, claims and audits as the API shows them. Amounts are decimal strings of integers."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

_ACCOUNT = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"
_ROOT = "0x5f8e2b1c0a9d7e6f4b3a29181716151413121110090807060504030201000fee"


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


class PeriodOut(BaseModel):
    period_id: int
    starts_at: datetime
    ends_at: datetime
    status: Literal["open", "closing", "closed", "published"]
    statement: StatementSummary | None = None

    model_config = {"json_schema_extra": {"examples": [{
        "period_id": 1, "starts_at": "2026-11-01T00:00:00Z", "ends_at": "2026-12-01T00:00:00Z",
        "status": "published", "statement": {
            "cut_block": 1204, "cut_block_hash": _ROOT, "gross": "100000000", "platform_fee": "30000000",
            "held": "0", "unallocated": "0", "allocated": "70000000", "cumulative_total": "70000000",
            "root": _ROOT, "statement_hash": _ROOT, "statement_uri": "ipfs://bafkrei...",
            "published_tx": _ROOT, "published_block": 1290}}]}}


class RevenueIn(BaseModel):
    source: Literal["subscriptions", "direct_sales"]
    amount: int = Field(gt=0, description="In the currency's smallest unit (cents for USD)")
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217; must be the payout currency")
    reference: str = Field(min_length=1, max_length=200,
                           description="Your id for this revenue; recording it again returns the first entry")
    asset_id: int | None = Field(None, description="The asset a direct sale belongs to; none for subscriptions")

    model_config = {"json_schema_extra": {"examples": [
        {"source": "subscriptions", "amount": 1250000, "currency": "USD", "reference": "subs-2026-11"}]}}


class RevenueOut(BaseModel):
    id: str
    period_id: int
    source: str
    asset_id: int | None
    amount: str
    currency: str
    reference: str

    model_config = {"json_schema_extra": {"examples": [{
        "id": "5f0c7a52-8f5e-4bbf-9a8d-3c8a0f3e9d11", "period_id": 1, "source": "subscriptions", "asset_id": None,
        "amount": "1250000", "currency": "USD", "reference": "subs-2026-11"}]}}


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
        "token": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
        "accounts": [{"account": _ACCOUNT, "earned": "8750000", "claimable": "8750000", "claimed": "0"}],
        "periods": [{"period_id": 1, "account": _ACCOUNT, "amount": "8750000", "cumulative_amount": "8750000",
                     "status": "published", "statement_uri": "ipfs://bafkrei..."}]}]}}


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
        "distributor": "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9",
        "claimable": [{"account": _ACCOUNT, "period_id": 1, "cumulative_amount": "8750000", "claimed": "0",
                       "claimable": "8750000", "root": _ROOT, "proof": [_ROOT]}], "history": []}]}}


class ClaimIn(BaseModel):
    account: str = Field(description="One of your wallets with something to claim")

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
