"""Public and partner reads of works and recordings."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import AfterValidator, Field
from sqlalchemy.orm import Session
from web3 import Web3

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
from api.deps import ContextDep
from api.mirror import reflected_block
from api.openapi import ETHEREUM_ADDRESS, MAX_SAFE_INTEGER
from api.partners.deps import PUBLIC_OR_PARTNER_KEY_PROBLEMS, PublicOrPartnerKey
from ledger import assets
from ledger.models import Asset

router = APIRouter(prefix="/v1/assets", tags=["assets"], dependencies=[PublicOrPartnerKey],
                   responses=PUBLIC_OR_PARTNER_KEY_PROBLEMS)


def _address(value: str | None) -> str | None:
    if value is None:
        return None
    if not Web3.is_address(value):
        raise ValueError("not an Ethereum address")
    return Web3.to_checksum_address(value)


AddressQuery = Annotated[Annotated[str, Field(json_schema_extra=ETHEREUM_ADDRESS)] | None, AfterValidator(_address)]
AssetId = Annotated[int, Path(ge=1, le=MAX_SAFE_INTEGER,
                                description="The asset's id in the RightsRegistry (as `GET /v1/assets` lists it)")]


def _asset_out(row: Asset, title: str | None = None) -> AssetOut:
    return AssetOut(
        asset_id=row.asset_id, kind=row.kind, title=title, industry_code=row.industry_code, controller=row.controller,
        pending_controller=row.pending_controller, metadata_uri=row.metadata_uri, content_hash=row.content_hash,
        work_ids=row.work_ids, split=SplitOut(version=row.split_version, split_hash=row.split_hash,
                                              recipients=row.split_recipients, allocations=row.split_allocations),
        split_locked=row.split_locked, frozen=row.frozen,
        registered=OnChain(block_number=row.registered_block, tx_hash=row.registered_tx))


@router.get("", response_model=AssetPage, summary="List works and recordings")
async def list_assets(
    context: ContextDep,
    response: Response,
    kind: Annotated[Literal["work", "recording"] | None, Query()] = None,
    controller: Annotated[AddressQuery, Query(description="Controller address")] = None,
    payee: Annotated[AddressQuery, Query(description="An address in the current split")] = None,
    code: Annotated[str | None, Query(max_length=32, description="ISRC or ISWC, separators allowed")] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=200, description=(
        "Title words: each must start a word of the title, case-insensitive (`blue ho` finds \"Blue Hour\"). "
        "Only assets whose metadata HARMONI stored have a title"))] = None,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=assets.MAX_PAGE)] = 50,
) -> Response:
    chain_id = context.settings.chain_id

    def render(session: Session, rendered: Response) -> AssetPage:
        block = reflected_block(session, rendered, chain_id)
        page = assets.list_assets(session, chain_id, assets.AssetFilters(kind, controller, payee, code, q), cursor,
                                  limit)
        return AssetPage(block=block, data=[_asset_out(row, page.titles.get(row.asset_id)) for row in page.items],
                         next_cursor=page.next_cursor)

    key = f"list:{kind}:{controller}:{payee}:{code}:{q!r}:{cursor}:{limit}"
    return await context.mirror_cache.answer(key, context.sessions, chain_id, render, response)


@router.get("/{asset_id}", response_model=AssetDetailOut, summary="One asset with its split and control history",
            responses={404: {"description": "Unknown asset (or not indexed yet)"}})
async def get_asset(context: ContextDep, response: Response, asset_id: AssetId) -> Response:
    chain_id = context.settings.chain_id

    def render(session: Session, rendered: Response) -> AssetDetailOut:
        return _detail_out(reflected_block(session, rendered, chain_id),
                           assets.asset_detail(session, chain_id, asset_id))

    return await context.mirror_cache.answer(f"detail:{asset_id}", context.sessions, chain_id, render, response)


def _detail_out(block, detail: assets.AssetDetail) -> AssetDetailOut:
    return AssetDetailOut(
        block=block, data=_asset_out(detail.asset, detail.title),
        split_history=[SplitVersionOut(version=v.version, split_hash=v.split_hash, recipients=v.recipients,
                                       allocations=v.allocations, block_number=v.block_number, tx_hash=v.tx_hash)
                       for v in detail.split_versions],
        controller_history=[ControllerChangeOut(change=c.change, previous_controller=c.previous_controller,
                                                new_controller=c.new_controller, block_number=c.block_number,
                                                tx_hash=c.tx_hash) for c in detail.controller_changes],
        freezes=[FreezeOut(frozen=f.frozen, arbiter=f.arbiter, reason_hash=f.reason_hash, controller=f.controller,
                           block_number=f.block_number, tx_hash=f.tx_hash) for f in detail.freezes])
