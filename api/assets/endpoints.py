"""Public and partner reads of works and recordings."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import AfterValidator

from api.assets.schemas import (
    AssetDetailOut,
    AssetOut,
    AssetPage,
    ControllerChangeOut,
    FreezeOut,
    OnChain,
    SplitOut,
    SplitVersionOut,
)
from api.deps import ContextDep, SessionDep
from api.mirror import reflected_block
from ledger import assets
from ledger.models import Asset

router = APIRouter(prefix="/v1/assets", tags=["assets"])


def _address(value: str | None) -> str | None:
    from web3 import Web3

    if value is None:
        return None
    if not Web3.is_address(value):
        raise ValueError("not an Ethereum address")
    return Web3.to_checksum_address(value)


AddressQuery = Annotated[str | None, AfterValidator(_address)]


def _asset_out(row: Asset) -> AssetOut:
    return AssetOut(
        asset_id=row.asset_id, kind=row.kind, industry_code=row.industry_code, controller=row.controller,
        pending_controller=row.pending_controller, metadata_uri=row.metadata_uri, content_hash=row.content_hash,
        work_ids=row.work_ids, split=SplitOut(version=row.split_version, split_hash=row.split_hash,
                                              recipients=row.split_recipients, allocations=row.split_allocations),
        split_locked=row.split_locked, frozen=row.frozen,
        registered=OnChain(block_number=row.registered_block, tx_hash=row.registered_tx))


@router.get("", response_model=AssetPage, summary="List works and recordings")
def list_assets(
    session: SessionDep, context: ContextDep, response: Response,
    kind: Annotated[Literal["work", "recording"] | None, Query()] = None,
    controller: Annotated[AddressQuery, Query(description="Controller address")] = None,
    payee: Annotated[AddressQuery, Query(description="An address in the current split")] = None,
    code: Annotated[str | None, Query(max_length=32, description="ISRC or ISWC, separators allowed")] = None,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=assets.MAX_PAGE)] = 50,
) -> AssetPage:
    block = reflected_block(session, response, context.settings.chain_id)
    page = assets.list_assets(session, context.settings.chain_id,
                              assets.AssetFilters(kind, controller, payee, code), cursor, limit)
    return AssetPage(block=block, data=[_asset_out(row) for row in page.items], next_cursor=page.next_cursor)


@router.get("/{asset_id}", response_model=AssetDetailOut, summary="One asset with its split and control history",
            responses={404: {"description": "Unknown asset (or not indexed yet)"}})
def get_asset(session: SessionDep, context: ContextDep, response: Response,
              asset_id: Annotated[int, Path(ge=1)]) -> AssetDetailOut:
    block = reflected_block(session, response, context.settings.chain_id)
    detail = assets.asset_detail(session, context.settings.chain_id, asset_id)
    return AssetDetailOut(
        block=block, data=_asset_out(detail.asset),
        split_history=[SplitVersionOut(version=v.version, split_hash=v.split_hash, recipients=v.recipients,
                                       allocations=v.allocations, block_number=v.block_number, tx_hash=v.tx_hash)
                       for v in detail.split_versions],
        controller_history=[ControllerChangeOut(change=c.change, previous_controller=c.previous_controller,
                                                new_controller=c.new_controller, block_number=c.block_number,
                                                tx_hash=c.tx_hash) for c in detail.controller_changes],
        freezes=[FreezeOut(frozen=f.frozen, arbiter=f.arbiter, reason_hash=f.reason_hash, controller=f.controller,
                           block_number=f.block_number, tx_hash=f.tx_hash) for f in detail.freezes])
