"""Editions: an asset's controller creates limited exclusives (HarmoniEditions tokens); anyone reads them from the
mirror; a fan with a linked wallet gets the calls that buy one."""

from __future__ import annotations

import hashlib
import json
import time
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response, status
from pydantic import AfterValidator, Field
from sqlalchemy.orm import Session
from web3 import Web3

from api.deps import ContextDep, CurrentUser, SessionDep, require_roles
from api.editions.schemas import (
    CallOut,
    CollectionOut,
    EditionCreating,
    EditionDetail,
    EditionIn,
    EditionOut,
    EditionPage,
    EditionPrepared,
    FiatPrice,
    HolderOut,
    HoldersOut,
    HoldingOut,
    MintOut,
    PurchaseIn,
    PurchasePrepared,
    PurchaseStatusOut,
)
from api.mirror import reflected_block
from api.openapi import ETHEREUM_ADDRESS, MAX_SAFE_INTEGER
from chain import artifacts
from chain.deployments import load as load_deployment
from content import uploads
from content.storage import object_store
from harmoni.errors import ConfigurationError, ServiceUnavailable, ValidationFailed
from harmoni.jobs import enqueue_after_commit
from identity import repository as identity_repository
from identity.custody import Keyring, signer_for
from identity.models import Role, User
from identity.service import owned_wallet
from ledger import registration
from ledger.editions import service as editions
from ledger.editions.tasks import send_from_custodial_wallet
from ledger.royalties.context import CURRENCY_EXPONENTS

router = APIRouter(prefix="/v1", tags=["editions"])
ArtistUser = Annotated[User, require_roles(Role.artist)]
EditionId = Annotated[int, Path(ge=1, le=MAX_SAFE_INTEGER, description="The edition id (also its ERC-1155 token id)")]


def _address(value: str | None) -> str | None:
    if value is None:
        return None
    if not Web3.is_address(value):
        raise ValueError("not an Ethereum address")
    return Web3.to_checksum_address(value)


AddressQuery = Annotated[Annotated[str, Field(json_schema_extra=ETHEREUM_ADDRESS)] | None, AfterValidator(_address)]
_NOT_DEPLOYED = {503: {"description": "The contracts are not deployed on this chain yet, or the mirror has not "
                                      "indexed a block yet"}}


class _Chain:
    """The deployed contracts a request needs."""

    def __init__(self, context) -> None:
        deployment = load_deployment(context.settings.chain_id, context.settings.data_dir)
        if deployment is None or "HarmoniEditions" not in deployment.contracts:
            raise ServiceUnavailable("the contracts are not deployed on this chain yet", failing=["chain"])
        self.deployment = deployment
        self.client = context.chain
        self.editions = context.chain.contract(deployment, "HarmoniEditions")
        self.registry = context.chain.contract(deployment, "RightsRegistry")
        self.currency = context.settings.payout_currency

    @property
    def payout_token(self) -> str:
        return self.deployment.payout_token

    def token(self, address: str):
        return self.client.w3.eth.contract(address=Web3.to_checksum_address(address),
                                           abi=artifacts.load("DevStablecoin").abi)

    def unit_factor(self) -> int:
        """Token units per smallest unit of the payout currency (as `RoyaltyContext.unit_factor`)."""
        decimals = self.token(self.payout_token).functions.decimals().call()
        exponent = CURRENCY_EXPONENTS.get(self.currency)
        if exponent is None or decimals < exponent:
            raise ConfigurationError(f"payout currency {self.currency} does not fit the payout token's {decimals} "
                                     "decimals")
        return 10 ** (decimals - exponent)


def _edition_out(view: editions.EditionView, now: int) -> EditionOut:
    e, listing = view.edition, view.listing
    fiat = None
    if listing is not None and listing.fiat_price_cents is not None:
        fiat = FiatPrice(amount_cents=listing.fiat_price_cents, currency=listing.fiat_currency)
    return EditionOut(
        edition_id=e.edition_id, asset_id=e.asset_id, creator=e.creator, payment_token=e.payment_token,
        price=str(int(e.price)), fiat_price=fiat, max_supply=e.max_supply, minted=view.minted,
        supply_left=view.supply_left, sale_start=e.sale_start, sale_end=e.sale_end, per_wallet_cap=e.per_wallet_cap,
        royalty_bps=e.royalty_bps, platform_fee_bps=e.platform_fee_bps, on_sale=view.on_sale(now),
        sold_out=view.supply_left <= 0, metadata_uri=listing.metadata_uri if listing is not None else None,
        created_in={"block_number": e.block_number, "tx_hash": e.tx_hash})


def _call_out(call: editions.Call) -> CallOut:
    return CallOut(to=call.to, data=call.data, value=str(call.value), description=call.description)


def _artwork(session: Session, user: User, body: EditionIn) -> str | None:
    if body.artwork_upload_id is None:
        return body.artwork_uri
    upload = uploads.upload_of(session, user.id, body.artwork_upload_id)
    if upload.kind != "artwork" or upload.state != "ready" or upload.cid is None:
        raise ValidationFailed("artwork_upload_id must be a ready artwork upload of yours", field="artwork_upload_id")
    return f"ipfs://{upload.cid}"


def _terms(body: EditionIn, chain: _Chain) -> editions.Terms:
    token = chain.payout_token if body.payment == "payout_token" else editions.NATIVE
    if body.price == 0 and body.fiat_price is not None:
        raise ValidationFailed("price 0 would let anyone mint on chain for free while the card price is charged: "
                               "give an on-chain price too", field="price")
    terms = editions.Terms(body.asset_id, Web3.to_checksum_address(token), body.price, body.max_supply,
                           body.sale_start, body.sale_end, body.per_wallet_cap, body.royalty_bps)
    editions.check_terms(terms, chain.unit_factor(), chain.payout_token)
    return terms


_CREATE_RESPONSES = {**_NOT_DEPLOYED,
                     403: {"description": "`wallet-not-yours`, or that wallet does not control the asset "
                                          "(`not-asset-controller`)"},
                     404: {"description": "`upload-not-found`: no such artwork upload of yours"},
                     409: {"description": "The contract refuses it (asset frozen, unknown asset)"},
                     422: {"description": "Invalid terms (royalty above 10%, sale window, price); the problem names "
                                          "the field"}}


@router.post("/editions/prepare", status_code=status.HTTP_201_CREATED, response_model=EditionPrepared,
             responses=_CREATE_RESPONSES,
             summary="Create an edition of an asset you control: the transaction for your own wallet to send")
def prepare_edition(body: EditionIn, session: SessionDep, context: ContextDep, user: ArtistUser,
                    controller: Annotated[str, Query(description="Your wallet (linked with SIWE, or custodial) that "
                                                                 "controls the asset and sends the transaction",
                                                     json_schema_extra=ETHEREUM_ADDRESS)],
                    ) -> EditionPrepared:
    chain = _Chain(context)
    address = owned_wallet(session, user.id, controller)
    terms = _terms(body, chain)
    registration.check_controls(chain.registry, body.asset_id, address)
    editions.simulate_create(chain.editions, terms, address)
    metadata_uri = _metadata(session, context, user, body)
    listing = _listing(session, context, user, address, terms, body, metadata_uri)
    call = editions.Call(chain.editions.address, editions.create_calldata(chain.editions, terms), 0,
                         f"create an edition of asset {body.asset_id}")
    return EditionPrepared(listing_id=listing.id, metadata_uri=metadata_uri, transaction=_call_out(call),
                           from_address=address)


def _metadata(session: Session, context, user: User, body: EditionIn) -> str:
    fields = {"kind": "edition", "asset_id": body.asset_id, "title": body.title, "description": body.description,
              "image": _artwork(session, user, body)}
    return registration.publish_metadata(session, object_store(context.settings), fields)


def _listing(session: Session, context, user: User, address: str, terms: editions.Terms, body: EditionIn,
             metadata_uri: str):
    fiat = body.fiat_price
    return editions.record_listing(session, user.id, context.settings.chain_id, address, terms,
                                   fiat.amount_cents if fiat else None, fiat.currency if fiat else None, metadata_uri)


@router.post("/editions", status_code=status.HTTP_202_ACCEPTED, response_model=EditionCreating,
             responses={**_CREATE_RESPONSES,
                        200: {"model": EditionCreating, "description": "A repeated request (same Idempotency-Key, "
                                                                        "or the same terms and metadata): the first"},
                        409: {"description": "The contract refuses it (asset frozen); `custodial-wallet-required`; "
                                             "`custodial-wallet-needs-gas` (the amount to send is in the detail)"}},
             summary="Create an edition of an asset your custodial wallet controls (it sends the transaction)")
def create_edition(response: Response, body: EditionIn, session: SessionDep, context: ContextDep, user: ArtistUser,
                   idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=120)] = None,
                   ) -> EditionCreating:
    chain = _Chain(context)
    signer = signer_for(session, user.id, Keyring.from_settings(context.settings))
    terms = _terms(body, chain)
    registration.check_controls(chain.registry, body.asset_id, signer.address)
    editions.simulate_create(chain.editions, terms, signer.address)
    metadata_uri = _metadata(session, context, user, body)
    natural = hashlib.sha256(json.dumps([terms.args(), metadata_uri, body.fiat_price and body.fiat_price.model_dump()],
                                        default=str).encode()).hexdigest()[:32]
    key = registration.derive_key(user.id, "create_edition", idempotency_key, natural)
    if not editions.operation_exists(session, key):
        editions.check_gas(chain.client.w3, chain.editions, terms, signer.address)
    operation, created = registration.create_relayer_operation(
        session, user.id, "create_edition", key, chain.editions, "createEdition", terms.args(),
        {"asset_id": body.asset_id, "metadata_uri": metadata_uri}, signer.address)
    if created:
        listing = _listing(session, context, user, signer.address, terms, body, metadata_uri)
        operation.request = {**operation.request, "listing_id": str(listing.id)}
        enqueue_after_commit(session, send_from_custodial_wallet, str(operation.id))
        return EditionCreating(listing_id=listing.id, metadata_uri=metadata_uri, operation_id=operation.id,
                               status="pending", from_address=signer.address)
    response.status_code = status.HTTP_200_OK
    view = registration.operation_status(session, operation.id, user.id, False, context.settings.chain_id)
    return EditionCreating(listing_id=operation.request["listing_id"], metadata_uri=metadata_uri,
                           operation_id=operation.id, status=view.status, from_address=signer.address)


@router.get("/editions", response_model=EditionPage, responses={**_NOT_DEPLOYED, 422: {
    "description": "An invalid filter or cursor; the problem names it"}}, summary="List editions (from the mirror)")
async def list_editions(
    context: ContextDep,
    response: Response,
    artist: Annotated[AddressQuery, Query(description="Creator (controller) address")] = None,
    asset: Annotated[int | None, Query(ge=1, le=MAX_SAFE_INTEGER, description="Asset id")] = None,
    on_sale: Annotated[bool | None, Query(description="Open now and not sold out")] = None,
    sold_out: Annotated[bool | None, Query()] = None,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=editions.MAX_PAGE)] = 50,
) -> Response:
    chain_id = context.settings.chain_id
    now = int(time.time())

    def render(session: Session, rendered: Response) -> EditionPage:
        block = reflected_block(session, rendered, chain_id)
        page = editions.list_editions(session, chain_id, editions.EditionFilters(artist, asset, on_sale, sold_out),
                                      cursor, limit, now)
        return EditionPage(block=block, data=[_edition_out(v, now) for v in page.items], next_cursor=page.next_cursor)

    # "On sale" moves with the clock too: an answer is reused for one block and at most ten seconds.
    key = f"editions:{artist}:{asset}:{on_sale}:{sold_out}:{cursor}:{limit}:{now // 10}"
    return await context.mirror_cache.answer(key, context.sessions, chain_id, render, response)


@router.get("/editions/{edition_id:int}", response_model=EditionDetail,
            responses={**_NOT_DEPLOYED, 404: {"description": "`edition-not-found` (or not indexed yet)"}},
            summary="One edition with the supply left (from the mirror)")
async def get_edition(context: ContextDep, response: Response, edition_id: EditionId) -> Response:
    chain_id = context.settings.chain_id
    now = int(time.time())

    def render(session: Session, rendered: Response) -> EditionDetail:
        block = reflected_block(session, rendered, chain_id)
        return EditionDetail(block=block, data=_edition_out(editions.edition_view(session, chain_id, edition_id), now))

    return await context.mirror_cache.answer(f"edition:{edition_id}:{now // 10}", context.sessions, chain_id, render,
                                             response)


@router.get("/editions/{edition_id}/holders", response_model=HoldersOut,
            responses={**_NOT_DEPLOYED, 404: {"description": "`edition-not-found` (or not indexed yet)"}},
            summary="Wallets holding an edition, largest balance first (from the mirror)")
async def edition_holders(context: ContextDep, response: Response, edition_id: EditionId,
                          limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> Response:
    chain_id = context.settings.chain_id

    def render(session: Session, rendered: Response) -> HoldersOut:
        block = reflected_block(session, rendered, chain_id)
        rows = editions.holders(session, chain_id, edition_id, limit)
        return HoldersOut(block=block, edition_id=edition_id,
                          data=[HolderOut(wallet=wallet, balance=balance) for wallet, balance in rows])

    return await context.mirror_cache.answer(f"holders:{edition_id}:{limit}", context.sessions, chain_id, render,
                                             response)


@router.get("/me/collection", response_model=CollectionOut, responses=_NOT_DEPLOYED,
            summary="Edition tokens held by your wallets (from the mirror)")
def my_collection(session: SessionDep, context: ContextDep, user: CurrentUser, response: Response) -> CollectionOut:
    chain_id = context.settings.chain_id
    block = reflected_block(session, response, chain_id)
    wallets = [w.address for w in identity_repository.wallets_of(session, user.id)]
    now = int(time.time())
    return CollectionOut(block=block, data=[
        HoldingOut(wallet=h.wallet, balance=h.balance, edition=_edition_out(h.view, now))
        for h in editions.collection(session, chain_id, wallets)])


@router.post("/editions/{edition_id}/purchase/prepare", response_model=PurchasePrepared,
             responses={**_NOT_DEPLOYED,
                        403: {"description": "`wallet-not-yours`: link the wallet first"},
                        404: {"description": "`edition-not-found`"},
                        409: {"description": "`sale-not-active`, `sold-out` or `wallet-cap-reached`"},
                        422: {"description": "Invalid wallet or quantity"}},
             summary="The calls your linked wallet signs to buy an edition with crypto")
def prepare_purchase(edition_id: EditionId, body: PurchaseIn, session: SessionDep, context: ContextDep,
                     user: CurrentUser) -> PurchasePrepared:
    chain = _Chain(context)
    wallet = owned_wallet(session, user.id, body.wallet, field="wallet")
    prepared = editions.prepare_purchase(chain.editions, chain.token, edition_id, wallet, body.quantity,
                                         chain.client.head().timestamp)
    return PurchasePrepared(edition_id=edition_id, wallet=prepared.wallet, quantity=prepared.quantity,
                            total=str(prepared.total), payment_token=prepared.payment_token,
                            calls=[_call_out(c) for c in prepared.calls])


_MESSAGES = {"mint-pending": "The purchase is not mirrored yet: it shows here once its block is indexed",
             "mint-failed": "The transaction reverted: nothing was charged and no token was minted"}


@router.get("/me/edition-purchases/{tx_hash}", response_model=PurchaseStatusOut,
            responses={**_NOT_DEPLOYED, 404: {"description": "`purchase-not-found`: it minted to no wallet of yours"},
                       422: {"description": "Not a transaction hash"}},
            summary="Follow a crypto purchase by its transaction: mint-pending, minted (where the tokens are), "
                    "mint-failed")
def purchase_status(session: SessionDep, context: ContextDep, user: CurrentUser,
                    tx_hash: Annotated[str, Path(pattern=r"^0x[0-9a-fA-F]{64}$",
                                                 description="the hash of your purchase transaction")]
                    ) -> PurchaseStatusOut:
    wallets = [w.address for w in identity_repository.wallets_of(session, user.id)]
    found = editions.purchase_status(session, context.settings.chain_id, tx_hash, wallets, context.chain.w3)
    mints = [MintOut(edition_id=m.edition_id, wallet=m.recipient, quantity=m.quantity, paid=str(int(m.paid)),
                     block_number=m.block_number) for m in found.mints]
    message = _MESSAGES.get(found.status) or "; ".join(
        f"{m.quantity} token(s) of edition {m.edition_id} in {m.wallet}" for m in mints)
    return PurchaseStatusOut(status=found.status, message=message, tx_hash=found.tx_hash, mints=mints)

