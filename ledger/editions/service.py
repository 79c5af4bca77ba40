"""Editions (HarmoniEditions tokens) for the API: creating one, reading the mirror, preparing a crypto purchase.

An edition is created on chain by the asset's controller (the contract checks `msg.sender`). What the platform
keeps beside it, the listing (fiat price, metadata document with artwork and description), is matched to the
mirrored edition by the terms it was created with: the n-th listing of (asset, creator, terms) is the n-th
edition mirrored with them. Two listings with the same terms differ only in their off-chain text, so a listing
whose transaction was never sent can at worst lend its text to a later edition with exactly the same terms.
"""

from __future__ import annotations

import uuid
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import TransactionNotFound

from chain.revert import as_revert
from harmoni.errors import Conflict, NotFound, ValidationFailed
from ledger.assets import decode_cursor, encode_cursor
from ledger.editions.models import EditionListing
from ledger.models import Asset, Edition, EditionMint, EditionTransfer
from ledger.registration import RightsOperation
from ledger.reverts import explained

NATIVE = "0x0000000000000000000000000000000000000000"
MAX_ROYALTY_BPS = 1_000  # HarmoniEditions.MAX_ROYALTY_BPS
UINT32_MAX = 2**32 - 1
UINT64_MAX = 2**64 - 1
MAX_PAGE = 200


class EditionInvalid(ValidationFailed):
    slug = "edition-invalid"
    title = "Invalid edition"


class EditionNotFound(NotFound):
    slug = "edition-not-found"
    title = "Edition not found"


class SaleNotActive(Conflict):
    slug = "sale-not-active"
    title = "The sale is not open"


class SoldOut(Conflict):
    slug = "sold-out"
    title = "Sold out"


class WalletCapReached(Conflict):
    slug = "wallet-cap-reached"
    title = "Per-wallet cap reached"


@dataclass(frozen=True)
class Terms:
    """The on-chain parameters of `createEdition`, in its order."""

    asset_id: int
    payment_token: str
    price: int
    max_supply: int
    sale_start: int
    sale_end: int
    per_wallet_cap: int
    royalty_bps: int

    def args(self) -> list:
        return [self.asset_id, self.payment_token, self.price, self.max_supply, self.sale_start, self.sale_end,
                self.per_wallet_cap, self.royalty_bps]

    def key(self) -> tuple:
        return (self.payment_token.lower(), self.price, self.max_supply, self.sale_start, self.sale_end,
                self.per_wallet_cap, self.royalty_bps)


def check_terms(terms: Terms, unit_factor: int, payout_token: str) -> None:
    """What the contract would refuse, said with the field to fix; and token prices in whole currency units, so a
    sale can be recorded as revenue of a period (which counts the currency's smallest unit)."""
    if terms.royalty_bps > MAX_ROYALTY_BPS:
        raise EditionInvalid(f"royalty_bps is at most {MAX_ROYALTY_BPS} (10%)", field="royalty_bps")
    if terms.sale_end and terms.sale_end < terms.sale_start:
        raise EditionInvalid("sale_end is before sale_start: end the sale after it starts (or 0 for no end)",
                             field="sale_end")
    if terms.payment_token.lower() == payout_token.lower() and terms.price % unit_factor:
        raise EditionInvalid(f"price must be a whole number of the payout currency's smallest unit: a multiple of "
                             f"{unit_factor} token units", field="price")


def simulate_create(editions: Contract, terms: Terms, creator: str) -> None:
    """Run `createEdition` as `creator` without sending it: a refusal (not the controller, frozen) is a 409 now."""
    try:
        editions.functions.createEdition(*terms.args()).call({"from": creator})
    except Exception as err:
        reverted = as_revert(err, context="create_edition")
        if reverted is None:
            raise
        raise explained(reverted) from err


class CustodialWalletNeedsGas(Conflict):
    slug = "custodial-wallet-needs-gas"
    title = "The custodial wallet cannot pay the gas"


def check_gas(w3: Web3, editions: Contract, terms: Terms, sender: str) -> None:
    """`createEdition` checks `msg.sender`, so the custodial wallet sends it itself and pays its gas (the contract
    has no signed variant the relayer could carry). Refuse now, with the amount, when it cannot."""
    gas = editions.functions.createEdition(*terms.args()).estimate_gas({"from": sender})
    block = w3.eth.get_block("latest")
    cost = gas * (2 * block["baseFeePerGas"] + w3.eth.max_priority_fee)
    balance = w3.eth.get_balance(sender)
    if balance < cost:
        raise CustodialWalletNeedsGas(f"creating the edition costs about {cost} wei of gas; your custodial wallet "
                                      f"{sender} holds {balance}: send it at least {cost - balance} wei of the "
                                      "native token, or use POST /v1/editions/prepare with your own wallet",
                                      wallet=sender, needed_wei=cost - balance)


def operation_exists(session: Session, idempotency_key: str) -> bool:
    return session.scalar(select(RightsOperation.id).where(RightsOperation.idempotency_key == idempotency_key)
                          ) is not None


def create_calldata(editions: Contract, terms: Terms) -> str:
    return editions.encode_abi("createEdition", args=terms.args())


def record_listing(session: Session, user_id: uuid.UUID, chain_id: int, creator: str, terms: Terms,
                   fiat_price_cents: int | None, fiat_currency: str | None, metadata_uri: str) -> EditionListing:
    listing = EditionListing(user_id=user_id, chain_id=chain_id, asset_id=terms.asset_id,
                             creator=Web3.to_checksum_address(creator),
                             payment_token=Web3.to_checksum_address(terms.payment_token), price=terms.price,
                             max_supply=terms.max_supply, sale_start=terms.sale_start, sale_end=terms.sale_end,
                             per_wallet_cap=terms.per_wallet_cap, royalty_bps=terms.royalty_bps,
                             fiat_price_cents=fiat_price_cents, fiat_currency=fiat_currency,
                             metadata_uri=metadata_uri)
    session.add(listing)
    session.flush()
    return listing


def asset_is_recorded(session: Session, chain_id: int, asset_id: int) -> bool:
    return session.get(Asset, (chain_id, asset_id)) is not None


# -- reading the mirror ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class EditionView:
    edition: Edition
    minted: int
    listing: EditionListing | None

    @property
    def supply_left(self) -> int:
        return self.edition.max_supply - self.minted

    def on_sale(self, now: int) -> bool:
        e = self.edition
        return self.supply_left > 0 and e.sale_start <= now and (e.sale_end == 0 or now <= e.sale_end)


@dataclass(frozen=True)
class EditionFilters:
    artist: str | None = None  # creator address
    asset_id: int | None = None
    on_sale: bool | None = None
    sold_out: bool | None = None


@dataclass(frozen=True)
class Page:
    items: list[EditionView]
    next_cursor: str | None


def _minted():
    return (select(EditionMint.chain_id, EditionMint.edition_id, func.sum(EditionMint.quantity).label("minted"))
            .group_by(EditionMint.chain_id, EditionMint.edition_id).subquery())


def list_editions(session: Session, chain_id: int, filters: EditionFilters, cursor: str | None, limit: int,
                  now: int) -> Page:
    """Editions in id order after `cursor`; `now` (unix seconds) decides what is on sale."""
    minted_sq = _minted()
    minted = func.coalesce(minted_sq.c.minted, 0)
    query = (select(Edition, minted).outerjoin(minted_sq, and_(minted_sq.c.chain_id == Edition.chain_id,
                                                               minted_sq.c.edition_id == Edition.edition_id))
             .where(Edition.chain_id == chain_id))
    if filters.artist is not None:
        query = query.where(func.lower(Edition.creator) == filters.artist.lower())
    if filters.asset_id is not None:
        query = query.where(Edition.asset_id == filters.asset_id)
    sold_out = minted >= Edition.max_supply
    if filters.sold_out is not None:
        query = query.where(sold_out if filters.sold_out else ~sold_out)
    if filters.on_sale is not None:
        open_now = and_(~sold_out, Edition.sale_start <= now, or_(Edition.sale_end == 0, Edition.sale_end >= now))
        query = query.where(open_now if filters.on_sale else ~open_now)
    if cursor is not None:
        query = query.where(Edition.edition_id > decode_cursor(cursor))
    rows = session.execute(query.order_by(Edition.edition_id).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    listings = _listings(session, chain_id, [edition for edition, _ in rows])
    items = [EditionView(edition, int(count), listings.get(edition.edition_id)) for edition, count in rows]
    return Page(items, encode_cursor(items[-1].edition.edition_id) if more and items else None)


def edition_view(session: Session, chain_id: int, edition_id: int) -> EditionView:
    edition = session.scalars(select(Edition).where(Edition.chain_id == chain_id,
                                                    Edition.edition_id == edition_id)).one_or_none()
    if edition is None:
        raise EditionNotFound(f"no edition {edition_id} is mirrored (unknown, or its block is not indexed yet)",
                              field="edition_id")
    minted = session.scalar(select(func.coalesce(func.sum(EditionMint.quantity), 0)).where(
        EditionMint.chain_id == chain_id, EditionMint.edition_id == edition_id))
    return EditionView(edition, int(minted), _listings(session, chain_id, [edition]).get(edition_id))


def _listings(session: Session, chain_id: int, editions: list[Edition]) -> dict[int, EditionListing]:
    """The listing of each edition: per (asset, creator, terms), listings and editions matched in creation order."""
    found: dict[int, EditionListing] = {}
    for asset_id, creator in {(e.asset_id, e.creator.lower()) for e in editions}:
        queues: dict[tuple, deque[EditionListing]] = defaultdict(deque)
        for listing in session.scalars(select(EditionListing).where(
                EditionListing.chain_id == chain_id, EditionListing.asset_id == asset_id,
                func.lower(EditionListing.creator) == creator).order_by(EditionListing.created_at, EditionListing.id)):
            queues[_terms_of(listing).key()].append(listing)
        if not queues:
            continue
        for edition in session.scalars(select(Edition).where(
                Edition.chain_id == chain_id, Edition.asset_id == asset_id, func.lower(Edition.creator) == creator)
                .order_by(Edition.block_number, Edition.log_index)):
            queue = queues.get(_terms_of(edition).key())
            if queue:
                found[edition.edition_id] = queue.popleft()
    return found


def _terms_of(row: Edition | EditionListing) -> Terms:
    return Terms(int(row.asset_id), row.payment_token, int(row.price), int(row.max_supply), int(row.sale_start),
                 int(row.sale_end), int(row.per_wallet_cap), int(row.royalty_bps))


def _balances(session: Session, chain_id: int, edition_ids: list[int] | None, wallets: list[str] | None):
    """(edition id, wallet, balance > 0) from the mirrored ERC-1155 transfers."""
    incoming = select(EditionTransfer.edition_id, func.lower(EditionTransfer.recipient).label("wallet"),
                      EditionTransfer.amount.label("delta")).where(EditionTransfer.chain_id == chain_id)
    outgoing = select(EditionTransfer.edition_id, func.lower(EditionTransfer.sender).label("wallet"),
                      (-EditionTransfer.amount).label("delta")).where(EditionTransfer.chain_id == chain_id)
    if edition_ids is not None:
        incoming = incoming.where(EditionTransfer.edition_id.in_(edition_ids))
        outgoing = outgoing.where(EditionTransfer.edition_id.in_(edition_ids))
    if wallets is not None:
        lowered = [w.lower() for w in wallets]
        incoming = incoming.where(func.lower(EditionTransfer.recipient).in_(lowered))
        outgoing = outgoing.where(func.lower(EditionTransfer.sender).in_(lowered))
    moves = incoming.union_all(outgoing).subquery()
    balance = func.sum(moves.c.delta)
    return session.execute(select(moves.c.edition_id, moves.c.wallet, balance)
                           .where(moves.c.wallet != NATIVE).group_by(moves.c.edition_id, moves.c.wallet)
                           .having(balance > 0).order_by(moves.c.edition_id, balance.desc(), moves.c.wallet)).all()


def holders(session: Session, chain_id: int, edition_id: int, limit: int) -> list[tuple[str, int]]:
    """The wallets holding the edition, largest balance first (checks the edition exists)."""
    edition_view(session, chain_id, edition_id)
    rows = _balances(session, chain_id, [edition_id], None)[:limit]
    return [(Web3.to_checksum_address(wallet), int(amount)) for _, wallet, amount in rows]


@dataclass(frozen=True)
class Holding:
    view: EditionView
    wallet: str
    balance: int


def collection(session: Session, chain_id: int, wallets: list[str]) -> list[Holding]:
    """Tokens held by `wallets`, by edition."""
    if not wallets:
        return []
    rows = _balances(session, chain_id, None, wallets)
    views = {edition_id: edition_view(session, chain_id, edition_id) for edition_id in {r[0] for r in rows}}
    return [Holding(views[edition_id], Web3.to_checksum_address(wallet), int(amount))
            for edition_id, wallet, amount in rows]


# -- buying with crypto ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Call:
    to: str
    data: str
    value: int
    description: str


@dataclass(frozen=True)
class PreparedPurchase:
    edition_id: int
    wallet: str
    quantity: int
    total: int
    payment_token: str
    calls: list[Call]


def check_mintable(editions: Contract, edition_id: int, wallet: str, quantity: int, now: int, *, reserved: int = 0,
                   reserved_for_wallet: int = 0) -> tuple:
    """What the contract would refuse when minting `quantity` to `wallet` now, read from the chain (not the mirror,
    so a sale that just sold out is refused here and not by a reverted transaction). `reserved` tokens are promised
    to paid card orders not minted yet (`reserved_for_wallet` of them to this wallet). The edition's state."""
    try:
        state = editions.functions.getEdition(edition_id).call()
    except Exception as err:
        if as_revert(err, context="get_edition") is None:
            raise
        raise EditionNotFound(f"no edition {edition_id} exists on chain", field="edition_id") from err
    _asset, _price, _token, start, max_supply, end, cap, minted, _fee, _royalty = state
    if now < start or (end != 0 and now > end):
        when = f"opens at {start}" if now < start else f"closed at {end}"
        raise SaleNotActive(f"the sale of edition {edition_id} {when} (unix time; now {now})",
                            edition_id=edition_id, sale_start=start, sale_end=end)
    left = max(max_supply - minted - reserved, 0)
    if quantity > left:
        raise SoldOut(f"edition {edition_id} has {left} token(s) left; you asked for {quantity}",
                      edition_id=edition_id, remaining=left)
    owned = editions.functions.mintedBy(edition_id, wallet).call() + reserved_for_wallet
    if cap and owned + quantity > cap:
        raise WalletCapReached(f"{wallet} already has {owned} of edition {edition_id} (minted or paid for); the cap "
                               f"is {cap} per wallet, so at most {max(cap - owned, 0)} more", edition_id=edition_id,
                               minted=owned, cap=cap)
    return state


def prepare_purchase(editions: Contract, erc20_at: Callable[[str], Contract], edition_id: int, wallet: str,
                     quantity: int, now: int) -> PreparedPurchase:
    """The calls `wallet` signs to buy `quantity` tokens, after the contract's own checks."""
    _asset, price, token, *_rest = check_mintable(editions, edition_id, wallet, quantity, now)
    total = price * quantity
    mint = Call(editions.address, editions.encode_abi("mint", args=[edition_id, quantity]),
                total if int(token, 16) == 0 else 0, f"mint {quantity} of edition {edition_id}")
    calls = [mint]
    if int(token, 16) != 0 and total > 0:
        erc20 = erc20_at(token)
        allowance = erc20.functions.allowance(wallet, editions.address).call()
        if allowance < total:
            calls.insert(0, Call(token, erc20.encode_abi("approve", args=[editions.address, total]), 0,
                                 f"allow the edition contract to take {total} token units"))
    return PreparedPurchase(edition_id, Web3.to_checksum_address(wallet), quantity, total,
                            Web3.to_checksum_address(token), calls)


# -- following a crypto purchase -------------------------------------------------------------------------------

class PurchaseNotFound(NotFound):
    slug = "purchase-not-found"
    title = "Purchase not found"


@dataclass(frozen=True)
class PurchaseStatus:
    """`mint-pending` (not mined, or mined and not mirrored yet), `minted` (mirrored: where the tokens are), or
    `mint-failed` (the transaction reverted: nothing was charged)."""

    status: str
    tx_hash: str
    mints: list[EditionMint]


def purchase_status(session: Session, chain_id: int, tx_hash: str, wallets: list[str], w3: Web3) -> PurchaseStatus:
    """The state of the crypto purchase sent in `tx_hash`, for its buyer (the mints to `wallets`)."""
    mints = list(session.scalars(select(EditionMint).where(
        EditionMint.chain_id == chain_id, func.lower(EditionMint.tx_hash) == tx_hash.lower())
        .order_by(EditionMint.log_index)))
    if mints:
        mine = [m for m in mints if m.recipient.lower() in {w.lower() for w in wallets}]
        if not mine:
            raise PurchaseNotFound(f"transaction {tx_hash} minted to no wallet of yours", field="tx_hash")
        return PurchaseStatus("minted", mints[0].tx_hash, mine)
    try:
        failed = w3.eth.get_transaction_receipt(tx_hash)["status"] == 0
    except TransactionNotFound:
        failed = False  # not mined yet (or unknown to the node): still pending for all we know
    return PurchaseStatus("mint-failed" if failed else "mint-pending", tx_hash, [])
