"""Card purchases of editions: the checkout (an order and its Stripe Checkout Session), and the fan's orders."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from api.deps import ContextDep, CurrentUser, SessionDep
from api.errors import problem_responses
from api.openapi import MAX_SAFE_INTEGER
from api.royalties.views import royalty_context
from harmoni.errors import ServiceUnavailable, ValidationFailed
from identity.errors import InvalidToken, Unauthenticated, WalletNotYours
from ledger.editions.service import EditionNotFound, SaleNotActive, SoldOut, WalletCapReached
from payments import config, orders, service
from payments.errors import StripeUnavailable
from payments.models import CardOrder
from payments.schemas import CardCheckoutIn, CardCheckoutOut, OrderOut

router = APIRouter(prefix="/v1", tags=["payments"])


def order_out(order: CardOrder) -> OrderOut:
    return OrderOut(id=order.id, onchain_order_id="0x" + order.order_id.hex(), edition_id=order.edition_id,
                    quantity=order.quantity, state=order.state, message=orders.message(order), wallet=order.wallet,
                    wallet_kind=order.wallet_kind, currency=order.currency, amount=order.amount, tax=order.tax,
                    tx_hash=order.tx_hash, created_at=order.created_at, paid_at=order.paid_at,
                    minted_at=order.minted_at)


@router.post("/editions/{edition_id}/checkout", status_code=status.HTTP_201_CREATED,
             summary="Buy an edition by card: an order and a Stripe Checkout URL (the token is minted from the "
                     "payment's webhook)",
             responses=problem_responses(Unauthenticated, InvalidToken, ValidationFailed, WalletNotYours,
                                         EditionNotFound, orders.NoCardPrice, SaleNotActive, SoldOut,
                                         WalletCapReached, StripeUnavailable, ServiceUnavailable))
def checkout(edition_id: Annotated[int, Path(ge=1, le=MAX_SAFE_INTEGER, description="The edition id")],
             body: CardCheckoutIn, session: SessionDep, context: ContextDep, user: CurrentUser) -> CardCheckoutOut:
    p = service.Payments(context.settings, config.client(context.settings), royalty_context(context).unit_factor)
    order = orders.start_checkout(orders.CardShop.of(p, context.chain), session, user, edition_id, body.quantity,
                                  body.wallet)
    return CardCheckoutOut(checkout_url=order.checkout_url, order=order_out(order))


@router.get("/me/orders", summary="Your card orders, newest first, with their state and where the tokens are",
            responses=problem_responses(Unauthenticated, InvalidToken))
def my_orders(session: SessionDep, user: CurrentUser,
              limit: Annotated[int, Query(ge=1, le=100)] = 50) -> list[OrderOut]:
    return [order_out(o) for o in orders.orders_of(session, user.id, limit)]


@router.get("/me/orders/{order_id}", summary="One card order: its state, what it means, the mint transaction",
            responses=problem_responses(Unauthenticated, InvalidToken, orders.OrderNotFound))
def my_order(order_id: Annotated[uuid.UUID, Path(description="The order's `id`")], session: SessionDep,
             user: CurrentUser) -> OrderOut:
    return order_out(orders.order_of(session, user.id, order_id))
