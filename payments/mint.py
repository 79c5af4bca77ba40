"""The mint job of paid card orders: exactly one token delivery per order, whatever crashes on the way.

A worker takes a due order (`mint-pending`, or `mint-failed` whose backoff ran out) with FOR UPDATE SKIP LOCKED and
keeps its lock while it works, so two workers never mint the same order. It first asks the chain whether the order
was fulfilled (`orderFulfilled(orderId)`): if so, the mint happened (a worker died after it) and only its record
is missing. Otherwise it signs `mintFor` through the relayer's `TransactionSender` under the key `card-mint:<id>`
(recorded before it is broadcast, so a restarted worker sends those same bytes and never a second transaction),
then sends it. The contract refuses a second `mintFor` of an order (`OrderAlreadyFulfilled`), which also counts as
success. A refusal that cannot pass (sold out, sale closed, wallet cap: someone minted on chain meanwhile) refunds
the order; anything else (node down, timeout) is `mint-failed` and retried with backoff.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from chain.errors import ChainError, ContractReverted
from chain.wallets import relayer_account
from harmoni.failpoints import failpoint
from ledger.operations import platform_sender
from payments.inbox import backoff_s
from payments.models import MINTABLE, CardOrder, OrderState
from payments.orders import CardShop, RefundBlocked, refund_order

log = logging.getLogger(__name__)
REFUSALS = ("SoldOut", "SaleNotActive", "WalletCapExceeded", "AssetFrozen")


def mint_key(order: CardOrder) -> str:
    return f"card-mint:{order.id}"


def mint_next(shop: CardShop, sessions: sessionmaker[Session]) -> str | None:
    """Deliver one due order; its id, or None when none is due."""
    with sessions() as session, session.begin():
        order = session.scalars(select(CardOrder).where(
            CardOrder.state.in_(MINTABLE), CardOrder.mint_next_at <= func.clock_timestamp())
            .order_by(CardOrder.mint_next_at, CardOrder.id).limit(1).with_for_update(skip_locked=True)).one_or_none()
        if order is None:
            return None
        failpoint("card-mint:taken")
        try:
            tx_hash = _deliver(shop, order)
        except ContractReverted as reverted:
            if reverted.error_name not in REFUSALS:
                _retry_later(order, reverted)
                return str(order.id)
            try:
                with session.begin_nested():
                    refund_order(shop, session, order, f"the contract refused the mint: {reverted.error_name}")
            except RefundBlocked as blocked:
                order.state, order.last_error, order.mint_next_at = OrderState.mint_failed.value, str(blocked), None
                log.error("card order needs an admin", extra={"order_id": str(order.id), "error": str(blocked)})
            except Exception as err:  # Stripe did not answer: the refund is tried again (same idempotency key)
                _retry_later(order, err)
            return str(order.id)
        except Exception as err:  # recorded on the order; the worker goes on with the next one
            _retry_later(order, err)
            return str(order.id)
        order.state, order.tx_hash, order.last_error = OrderState.minted.value, tx_hash, None
        order.minted_at = order.updated_at = datetime.now(UTC)
        order.mint_next_at = None
        order.mint_attempts += 1
        return str(order.id)


def _deliver(shop: CardShop, order: CardOrder) -> str:
    """The hash of the transaction that minted the order's tokens (sent now, or found)."""
    contract = shop.editions
    settings = shop.p.settings
    sender = platform_sender(settings, shop.chain.w3, relayer_account(settings, shop.chain_id))
    key = mint_key(order)
    if contract.functions.orderFulfilled(order.order_id).call():
        return _found(shop, sender, key, order)
    tx = {"to": contract.address, "data": contract.encode_abi("mintFor", args=[
        order.edition_id, order.wallet, order.quantity, order.order_id])}
    try:
        sender.sign(key, tx, kind="card_mint")
        failpoint("card-mint:signed")
        result = sender.send(key, tx, kind="card_mint")
    except ContractReverted as reverted:
        if reverted.error_name == "OrderAlreadyFulfilled":
            return _found(shop, sender, key, order)
        raise
    failpoint("card-mint:mined")
    return result.tx_hash


def _found(shop: CardShop, sender, key: str, order: CardOrder) -> str:
    """The transaction of an order already fulfilled: ours as recorded, else the chain's `EditionMinted` log."""
    try:
        return sender.resume(key).tx_hash
    except (KeyError, ChainError):
        logs = shop.editions.events.EditionMinted().get_logs(
            argument_filters={"orderId": order.order_id}, from_block=shop.deployment.start_block)
        if not logs:
            raise ChainError(f"order {order.id} is fulfilled on chain but its EditionMinted log is not found") from None
        return logs[0]["transactionHash"].to_0x_hex()


def _retry_later(order: CardOrder, err: Exception) -> None:
    order.mint_attempts += 1
    order.state, order.last_error = OrderState.mint_failed.value, f"{type(err).__name__}: {err}"[:2000]
    order.mint_next_at = datetime.now(UTC) + timedelta(seconds=backoff_s(order.mint_attempts))
    log.warning("card mint failed; retried later", extra={"order_id": str(order.id), "error": order.last_error})


def any_due(session: Session) -> bool:
    return session.scalar(select(CardOrder.id).where(CardOrder.state.in_(MINTABLE), CardOrder.mint_next_at <=
                                                     func.clock_timestamp()).limit(1)) is not None


def mint_due(shop: CardShop, sessions: sessionmaker[Session], limit: int = 100) -> int:
    """Deliver due orders one by one; how many were tried."""
    done = 0
    while done < limit and mint_next(shop, sessions) is not None:
        done += 1
    return done
