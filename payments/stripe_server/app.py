"""A Stripe-compatible HTTP server of our own: the few endpoints HARMONI calls, in Stripe's wire format.

It follows Stripe API version `API_VERSION` (the one `stripe` 16.1 pins): invoices name their subscription under
`parent.subscription_details` and their payment under `payments`, a subscription's billing period sits on its
items (`items.data[].current_period_start/end`), refunds and disputes name their `payment_intent`. Requests are
form-encoded (`a[b][0]=v`), answers JSON, errors `{"error": {"type", "message", "param"}}`, `Idempotency-Key`
replays the first answer. Every change is an event (`GET /v1/events`) and is POSTed, signed with Stripe's scheme
(`Stripe-Signature: t=…,v1=HMAC-SHA256(secret, "t.body")`, the library's own `generate_signature_header`), to the
configured webhook endpoints.

A hosted checkout page (`/checkout/{id}`) takes Stripe's documented test cards: 4242 4242 4242 4242 succeeds,
4000 0000 0000 0002 is declined, 4000 0025 0000 3155 asks for authentication first. What Stripe does by the clock
(renewals, retries of failed payments) or by a bank (disputes) is triggered by `/_local/...` helpers instead.
"""

from __future__ import annotations

import html
import json
import logging
import queue
import secrets
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import stripe
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

log = logging.getLogger(__name__)
API_VERSION = stripe.api_version
DAY = 86400
INTERVAL_S = {"month": 30 * DAY, "year": 365 * DAY}
CARD_OK, CARD_DECLINED, CARD_3DS = "4242424242424242", "4000000000000002", "4000002500003155"
FEE_BPS, FEE_FIXED = 290, 30  # what the balance transaction charges: 2.9% + 30


class StripeError(Exception):
    def __init__(self, status: int, message: str, param: str | None = None, kind: str = "invalid_request_error",
                 code: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.param, self.kind, self.code = status, message, param, kind, code

    def response(self) -> JSONResponse:
        body = {"type": self.kind, "message": self.message}
        if self.param:
            body["param"] = self.param
        if self.code:
            body["code"] = self.code
        return JSONResponse({"error": body}, status_code=self.status)


def parse_form(body: bytes) -> dict[str, Any]:
    """`a[b][0][c]=v` pairs into nested dicts; dicts keyed 0..n into lists."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(body.decode(), keep_blank_values=True):
        parts = key.replace("]", "").split("[")
        node = root
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _listify(root)


def _listify(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    if node and all(k.isdigit() for k in node):
        return [_listify(node[k]) for k in sorted(node, key=int)]
    return {k: _listify(v) for k, v in node.items()}


def _truthy(value: Any) -> bool:
    return str(value).lower() in ("true", "1")


class StripeState:
    """Every object and event, behind one lock; written to `path` (JSON) after each change when one is given."""

    COLLECTIONS = ("customers", "prices", "checkout_sessions", "subscriptions", "invoices", "payment_intents",
                   "charges", "balance_transactions", "refunds", "disputes", "portal_sessions", "events",
                   "idempotency")

    def __init__(self, secret_key: str, base_url: str, *, path: Path | None = None,
                 webhooks: list[tuple[str, str]] | None = None, deliver: bool = True) -> None:
        self.secret_key, self.base_url, self.path = secret_key, base_url.rstrip("/"), path
        self.webhooks = list(webhooks or [])
        self.deliver = deliver
        self.lock = threading.RLock()
        self.data: dict[str, dict[str, Any]] = {name: {} for name in self.COLLECTIONS}
        self.clock_offset = 0  # seconds added to the wall clock (`/_local/clock/advance`)
        self.last_created = 0
        if path is not None and path.exists():
            saved = json.loads(path.read_text())
            self.data.update(saved["data"])
            self.clock_offset, self.last_created = saved["clock_offset"], saved["last_created"]
        self._outbox: queue.Queue[dict] = queue.Queue()
        threading.Thread(target=self._send_webhooks, name="stripe-webhooks", daemon=True).start()

    def now(self) -> int:
        return int(time.time()) + self.clock_offset

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_{secrets.token_hex(12)}"

    def save(self) -> None:
        if self.path is not None:
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"data": self.data, "clock_offset": self.clock_offset,
                                       "last_created": self.last_created}))
            tmp.replace(self.path)

    def get(self, collection: str, object_id: str, param: str = "id") -> dict:
        found = self.data[collection].get(object_id)
        if found is None:
            raise StripeError(404, f"No such {collection.rstrip('s').replace('_', ' ')}: '{object_id}'", param,
                              code="resource_missing")
        return found

    def emit(self, kind: str, obj: dict, previous: dict | None = None) -> dict:
        created = max(self.now(), self.last_created)
        self.last_created = created
        event = {"id": self.new_id("evt"), "object": "event", "api_version": API_VERSION, "created": created,
                 "livemode": False, "type": kind, "pending_webhooks": len(self.webhooks),
                 "request": {"id": None, "idempotency_key": None},
                 "data": {"object": json.loads(json.dumps(obj)), **({"previous_attributes": previous}
                                                                   if previous else {})},
                 "_seq": len(self.data["events"])}
        self.data["events"][event["id"]] = event
        if self.deliver:
            self._outbox.put(public(event))
        return event

    def events_in_order(self) -> list[dict]:
        return [public(e) for e in sorted(self.data["events"].values(), key=lambda e: e["_seq"])]

    def _send_webhooks(self) -> None:
        while True:
            event = self._outbox.get()
            body = json.dumps(event)
            for url, secret in list(self.webhooks):
                for delay in (0.2, 0.5, 1.0, 2.0, 4.0, None):
                    header = stripe.WebhookSignature.generate_signature_header(body, secret)
                    try:
                        answer = httpx.post(url, content=body, timeout=10, headers={
                            "Stripe-Signature": header, "Content-Type": "application/json; charset=utf-8"})
                        if answer.status_code < 300:
                            break
                    except httpx.HTTPError as err:
                        log.warning("stripe webhook not delivered", extra={"url": url, "error": str(err)})
                    if delay is None:
                        break
                    time.sleep(delay)


def public(obj: dict) -> dict:
    return {k: v for k, v in obj.items() if not k.startswith("_")}


# --- objects ---------------------------------------------------------------------------------------------------

def _customer(state: StripeState, form: dict) -> dict:
    customer = {"id": state.new_id("cus"), "object": "customer", "email": form.get("email"),
                "name": form.get("name"), "metadata": form.get("metadata", {}), "created": state.now(),
                "livemode": False}
    state.data["customers"][customer["id"]] = customer
    state.emit("customer.created", customer)
    return customer


def _price(state: StripeState, data: dict, param: str) -> dict:
    """A price from `price_data` (inline, as Checkout and subscription items take it) or an id."""
    if isinstance(data, str):
        return state.get("prices", data, param)
    try:
        amount = int(data["unit_amount"])
        currency = data["currency"].lower()
    except (KeyError, ValueError) as err:
        raise StripeError(400, "price_data needs currency and an integer unit_amount", param) from err
    recurring = data.get("recurring")
    if recurring is not None and recurring.get("interval") not in INTERVAL_S:
        raise StripeError(400, "recurring[interval] must be month or year", f"{param}[recurring][interval]")
    product = data.get("product") or state.new_id("prod")
    price = {"id": state.new_id("price"), "object": "price", "currency": currency, "unit_amount": amount,
             "recurring": ({"interval": recurring["interval"], "interval_count": 1} if recurring else None),
             "type": "recurring" if recurring else "one_time", "product": product,
             "metadata": data.get("metadata", {}), "created": state.now(), "livemode": False}
    state.data["prices"][price["id"]] = price
    return price


def _charge(state: StripeState, customer: str, amount: int, currency: str, card: dict,
            metadata: dict | None = None) -> dict:
    """A succeeded payment intent with its charge and balance transaction."""
    fee = (amount * FEE_BPS) // 10_000 + FEE_FIXED if amount else 0
    txn = {"id": state.new_id("txn"), "object": "balance_transaction", "amount": amount, "fee": fee,
           "net": amount - fee, "currency": currency, "created": state.now()}
    intent_id, charge_id = state.new_id("pi"), state.new_id("ch")
    charge = {"id": charge_id, "object": "charge", "amount": amount, "amount_refunded": 0, "currency": currency,
              "customer": customer, "payment_intent": intent_id, "paid": True, "refunded": False, "disputed": False,
              "status": "succeeded", "balance_transaction": txn["id"], "created": state.now(),
              "billing_details": {"address": {"country": card.get("billing_country")}},
              "payment_method_details": {"type": "card", "card": {"brand": "visa", "last4": card["number"][-4:],
                                                                  "country": card.get("card_country", "US")}}}
    intent = {"id": intent_id, "object": "payment_intent", "amount": amount, "currency": currency,
              "customer": customer, "status": "succeeded", "latest_charge": charge_id, "created": state.now(),
              "metadata": metadata or {}, "last_payment_error": None}
    state.data["balance_transactions"][txn["id"]] = txn
    state.data["charges"][charge_id] = charge
    state.data["payment_intents"][intent_id] = intent
    return intent


def _invoice(state: StripeState, sub: dict, amount: int, start: int, end: int, reason: str,
             card: dict | None) -> dict:
    """An invoice of `sub` for service from `start` to `end`; paid with `card`, else left open (a failed payment)."""
    price = sub["items"]["data"][0]["price"]
    invoice = {"id": state.new_id("in"), "object": "invoice", "customer": sub["customer"],
               "currency": price["currency"],
               "amount_due": amount, "amount_paid": 0, "amount_remaining": amount, "total": amount,
               "created": state.now(), "billing_reason": reason, "attempt_count": 0, "livemode": False,
               "status": "open", "period_start": start, "period_end": end,
               "parent": {"type": "subscription_details",
                          "subscription_details": {"subscription": sub["id"], "metadata": sub["metadata"]}},
               "lines": {"object": "list", "data": [{"id": state.new_id("il"), "object": "line_item",
                                                     "amount": amount, "currency": price["currency"],
                                                     "period": {"start": start, "end": end},
                                                     "pricing": {"price_details": {"price": price["id"]}}}]},
               "payments": {"object": "list", "data": []}, "status_transitions": {"paid_at": None},
               "_card": card}
    state.data["invoices"][invoice["id"]] = invoice
    sub["latest_invoice"] = invoice["id"]
    state.emit("invoice.created", invoice)
    _attempt(state, invoice, card)
    return invoice


def _attempt(state: StripeState, invoice: dict, card: dict | None) -> bool:
    invoice["attempt_count"] += 1
    if card is None or card["number"] == CARD_DECLINED:
        state.emit("invoice.payment_failed", invoice)
        return False
    intent = _charge(state, invoice["customer"], invoice["amount_due"], invoice["currency"], card)
    invoice.update(status="paid", amount_paid=invoice["amount_due"], amount_remaining=0,
                   status_transitions={"paid_at": state.now()})
    invoice["payments"]["data"] = [{"id": state.new_id("inpay"), "object": "invoice_payment", "status": "paid",
                                    "payment": {"type": "payment_intent", "payment_intent": intent["id"]}}]
    state.emit("invoice.paid", invoice)
    return True


def _subscription(state: StripeState, customer: str, price: dict, metadata: dict, card: dict) -> dict:
    start = state.now()
    end = start + INTERVAL_S[price["recurring"]["interval"]]
    sub = {"id": state.new_id("sub"), "object": "subscription", "customer": customer, "status": "active",
           "cancel_at_period_end": False, "canceled_at": None, "ended_at": None, "created": start,
           "metadata": metadata, "latest_invoice": None, "livemode": False,
           "items": {"object": "list", "data": [{"id": state.new_id("si"), "object": "subscription_item",
                                                 "price": price, "quantity": 1, "current_period_start": start,
                                                 "current_period_end": end}]},
           "_card": card}
    state.data["subscriptions"][sub["id"]] = sub
    state.emit("customer.subscription.created", sub)
    _invoice(state, sub, price["unit_amount"], start, end, "subscription_create", card)
    return sub


def _sub_changed(state: StripeState, sub: dict, previous: dict) -> None:
    state.emit("customer.subscription.deleted" if sub["status"] == "canceled" else "customer.subscription.updated",
               sub, previous)


# --- API handlers ----------------------------------------------------------------------------------------------

def create_customer(state, form, _path):
    return _customer(state, form)


def get_object(collection: str):
    def handler(state, _form, path):
        return state.get(collection, path["id"])
    return handler


def create_checkout_session(state: StripeState, form: dict, _path) -> dict:
    mode = form.get("mode")
    if mode not in ("subscription", "payment"):
        raise StripeError(400, "mode must be subscription or payment", "mode")
    items = form.get("line_items") or []
    if len(items) != 1:
        raise StripeError(400, "exactly one line item is supported", "line_items")
    price = _price(state, items[0].get("price_data") or items[0].get("price"), "line_items[0][price_data]")
    try:
        quantity = int(items[0].get("quantity", 1))
    except ValueError:
        quantity = 0
    if quantity < 1:
        raise StripeError(400, "line_items[0][quantity] must be a positive integer", "line_items[0][quantity]")
    if (mode == "subscription") != (price["recurring"] is not None):
        raise StripeError(400, "subscription mode needs a recurring price, payment mode a one-time one",
                          "line_items[0][price_data][recurring]")
    customer = form.get("customer")
    if customer:
        state.get("customers", customer, "customer")
    session_id = state.new_id("cs_test")
    session = {"id": session_id, "object": "checkout.session", "mode": mode, "status": "open",
               "payment_status": "unpaid", "customer": customer, "client_reference_id": form.get("client_reference_id"),
               "metadata": form.get("metadata", {}), "success_url": form.get("success_url"),
               "cancel_url": form.get("cancel_url"), "url": f"{state.base_url}/checkout/{session_id}",
               "currency": price["currency"], "amount_total": price["unit_amount"] * quantity, "subscription": None,
               "invoice": None, "payment_intent": None, "customer_details": None, "created": state.now(),
               "expires_at": state.now() + DAY, "livemode": False, "_price": price["id"],
               "_subscription_metadata": (form.get("subscription_data") or {}).get("metadata", {}),
               "_intent_metadata": (form.get("payment_intent_data") or {}).get("metadata", {})}
    state.data["checkout_sessions"][session_id] = session
    return session


def _complete_checkout(state: StripeState, session: dict, card: dict) -> None:
    price = state.data["prices"][session["_price"]]
    if not session["customer"]:
        session["customer"] = _customer(state, {"email": card.get("email")})["id"]
    session["customer_details"] = {"email": card.get("email"), "address": {"country": card.get("billing_country")}}
    if session["mode"] == "subscription":
        sub = _subscription(state, session["customer"], price, session["_subscription_metadata"], card)
        session["subscription"], session["invoice"] = sub["id"], sub["latest_invoice"]
    else:
        intent = _charge(state, session["customer"], session["amount_total"], price["currency"], card,
                         session.get("_intent_metadata"))
        session["payment_intent"] = intent["id"]
        state.emit("payment_intent.succeeded", intent)
    session.update(status="complete", payment_status="paid")
    state.emit("checkout.session.completed", session)


def _declined(state: StripeState, session: dict) -> None:
    """A declined attempt of a one-time payment: a failed payment intent (Checkout keeps the session open)."""
    error = {"type": "card_error", "code": "card_declined", "decline_code": "generic_decline",
             "message": "Your card was declined."}
    intent = {"id": state.new_id("pi"), "object": "payment_intent", "amount": session["amount_total"],
              "currency": session["currency"], "customer": session["customer"], "status": "requires_payment_method",
              "latest_charge": None, "created": state.now(), "metadata": session.get("_intent_metadata") or {},
              "last_payment_error": error}
    state.data["payment_intents"][intent["id"]] = intent
    state.emit("payment_intent.payment_failed", intent)


def update_subscription(state: StripeState, form: dict, path: dict) -> dict:
    sub = state.get("subscriptions", path["id"])
    if sub["status"] == "canceled":
        raise StripeError(400, "A canceled subscription can only update its cancellation_details and metadata.")
    previous: dict[str, Any] = {}
    if "cancel_at_period_end" in form:
        previous["cancel_at_period_end"] = sub["cancel_at_period_end"]
        sub["cancel_at_period_end"] = _truthy(form["cancel_at_period_end"])
        sub["canceled_at"] = state.now() if sub["cancel_at_period_end"] else None
    if "metadata" in form:
        previous["metadata"] = sub["metadata"]
        sub["metadata"] = {**sub["metadata"], **form["metadata"]}
    if form.get("items"):
        item = sub["items"]["data"][0]
        wanted = form["items"][0]
        if wanted.get("id") not in (None, item["id"]):
            raise StripeError(400, f"No such subscription item: '{wanted['id']}'", "items[0][id]")
        old = item["price"]
        new = _price(state, wanted.get("price_data") or wanted.get("price"), "items[0][price_data]")
        if new["recurring"] is None:
            raise StripeError(400, "a subscription item needs a recurring price", "items[0][price_data][recurring]")
        previous["items"] = json.loads(json.dumps(sub["items"]))
        behaviour = form.get("proration_behavior", "create_prorations")
        now, start, end = state.now(), item["current_period_start"], item["current_period_end"]
        if new["recurring"]["interval"] != old["recurring"]["interval"]:
            # A new billing interval starts a new period now: the unused time of the old one is credited.
            unused = old["unit_amount"] * max(0, end - now) // max(1, end - start)
            item.update(price=new, current_period_start=now, current_period_end=now + INTERVAL_S[
                new["recurring"]["interval"]])
            _invoice(state, sub, max(0, new["unit_amount"] - unused), now, item["current_period_end"],
                     "subscription_update", sub["_card"])
        else:
            item["price"] = new
            difference = (new["unit_amount"] - old["unit_amount"]) * max(0, end - now) // max(1, end - start)
            if behaviour == "always_invoice" and difference > 0:
                _invoice(state, sub, difference, now, end, "subscription_update", sub["_card"])
    _sub_changed(state, sub, previous)
    return sub


def cancel_subscription(state: StripeState, _form, path: dict) -> dict:
    sub = state.get("subscriptions", path["id"])
    if sub["status"] != "canceled":
        previous = {"status": sub["status"]}
        sub.update(status="canceled", canceled_at=state.now(), ended_at=state.now())
        _sub_changed(state, sub, previous)
    return sub


def list_invoices(state: StripeState, form: dict, _path) -> dict:
    found = [public(i) for i in state.data["invoices"].values()
             if form.get("customer") in (None, i["customer"])
             and form.get("subscription") in (None, i["parent"]["subscription_details"]["subscription"])]
    return {"object": "list", "url": "/v1/invoices", "has_more": False,
            "data": sorted(found, key=lambda i: -i["created"])[:int(form.get("limit", 10))]}


def get_payment_intent(state: StripeState, form: dict, path: dict) -> dict:
    intent = dict(state.get("payment_intents", path["id"]))
    if "latest_charge" in " ".join(form.get("expand", [])):
        charge = dict(state.data["charges"][intent["latest_charge"]])
        if "balance_transaction" in " ".join(form.get("expand", [])):
            charge["balance_transaction"] = state.data["balance_transactions"][charge["balance_transaction"]]
        intent["latest_charge"] = charge
    return intent


def create_refund(state: StripeState, form: dict, _path) -> dict:
    intent_id = form.get("payment_intent")
    if not intent_id:
        raise StripeError(400, "Missing required param: payment_intent.", "payment_intent")
    charge = state.data["charges"][state.get("payment_intents", intent_id, "payment_intent")["latest_charge"]]
    if charge["disputed"]:
        raise StripeError(400, f"Charge {charge['id']} has been charged back; cannot issue a refund.",
                          code="charge_disputed")
    left = charge["amount"] - charge["amount_refunded"]
    amount = int(form.get("amount", left))
    if amount <= 0 or amount > left:
        raise StripeError(400, f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
                          "amount", code="amount_too_large")
    refund = {"id": state.new_id("re"), "object": "refund", "amount": amount, "currency": charge["currency"],
              "charge": charge["id"], "payment_intent": intent_id, "status": "succeeded",
              "reason": form.get("reason"), "metadata": form.get("metadata", {}), "created": state.now()}
    charge["amount_refunded"] += amount
    charge["refunded"] = charge["amount_refunded"] == charge["amount"]
    state.data["refunds"][refund["id"]] = refund
    state.emit("refund.created", refund)
    state.emit("charge.refunded", charge)
    return refund


def list_events(state: StripeState, form: dict, _path) -> dict:
    events = sorted(state.data["events"].values(), key=lambda e: -e["_seq"])
    created = form.get("created")
    if isinstance(created, dict) and "gte" in created:
        events = [e for e in events if e["created"] >= int(created["gte"])]
    if form.get("type"):
        events = [e for e in events if e["type"] == form["type"]]
    if form.get("starting_after"):
        ids = [e["id"] for e in events]
        events = events[ids.index(form["starting_after"]) + 1:] if form["starting_after"] in ids else []
    limit = min(int(form.get("limit", 10)), 100)
    return {"object": "list", "url": "/v1/events", "has_more": len(events) > limit,
            "data": [public(e) for e in events[:limit]]}


def create_portal_session(state: StripeState, form: dict, _path) -> dict:
    customer = state.get("customers", form.get("customer", ""), "customer")
    session = {"id": state.new_id("bps"), "object": "billing_portal.session", "customer": customer["id"],
               "return_url": form.get("return_url"), "created": state.now(), "livemode": False}
    session["url"] = f"{state.base_url}/portal/{session['id']}"
    state.data["portal_sessions"][session["id"]] = session
    return session


API = [
    ("POST", "/v1/customers", create_customer),
    ("GET", "/v1/customers/{id}", get_object("customers")),
    ("POST", "/v1/checkout/sessions", create_checkout_session),
    ("GET", "/v1/checkout/sessions/{id}", get_object("checkout_sessions")),
    ("GET", "/v1/subscriptions/{id}", get_object("subscriptions")),
    ("POST", "/v1/subscriptions/{id}", update_subscription),
    ("DELETE", "/v1/subscriptions/{id}", cancel_subscription),
    ("GET", "/v1/invoices", list_invoices),
    ("GET", "/v1/invoices/{id}", get_object("invoices")),
    ("GET", "/v1/payment_intents/{id}", get_payment_intent),
    ("GET", "/v1/charges/{id}", get_object("charges")),
    ("POST", "/v1/refunds", create_refund),
    ("GET", "/v1/refunds/{id}", get_object("refunds")),
    ("GET", "/v1/disputes/{id}", get_object("disputes")),
    ("GET", "/v1/events", list_events),
    ("GET", "/v1/events/{id}", get_object("events")),
    ("POST", "/v1/billing_portal/sessions", create_portal_session),
]


def _api_endpoint(state: StripeState, handler):
    async def endpoint(request: Request) -> Response:
        if request.headers.get("authorization", "") != f"Bearer {state.secret_key}":
            return StripeError(401, "Invalid API Key provided", kind="invalid_request_error").response()
        body = await request.body()
        form = parse_form(body) if request.method == "POST" else parse_form(request.url.query.encode())
        key = request.headers.get("idempotency-key") if request.method == "POST" else None
        with state.lock:
            if key and key in state.data["idempotency"]:
                status, answer = state.data["idempotency"][key]
                return JSONResponse(answer, status_code=status, headers={"Idempotent-Replayed": "true"})
            try:
                answer, status = public(handler(state, form, request.path_params)), 200
            except StripeError as err:
                answer, status = {"error": json.loads(err.response().body)["error"]}, err.status
            if key:
                state.data["idempotency"][key] = (status, answer)
            if request.method == "POST":  # reads change nothing: rewriting the whole state file for each is slow
                state.save()
        return JSONResponse(answer, status_code=status, headers={"Stripe-Version": API_VERSION,
                                                                 "Request-Id": state.new_id("req")})
    return endpoint


# --- hosted pages ------------------------------------------------------------------------------------------------

_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body><main><h1>{title}</h1>{body}</main></body></html>"""


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(_PAGE.format(title=html.escape(title), body=body), status_code=status)


def _card_form(session: dict, message: str = "") -> str:
    amount = f"{session['amount_total'] / 100:.2f} {session['currency'].upper()}"
    return (f"<p>Pay {html.escape(amount)} (test mode: no real money moves).</p>"
            + (f'<p role="alert">{html.escape(message)}</p>' if message else "")
            + f'<form method="post" action="/checkout/{session["id"]}">'
            '<label>E-mail <input name="email" type="email"></label>'
            '<label>Card number <input name="card_number" inputmode="numeric" autocomplete="cc-number" required>'
            '</label><label>Country <input name="country" value="US" maxlength="2" required></label>'
            '<button type="submit">Pay</button></form>'
            "<p>Test cards: 4242 4242 4242 4242 succeeds; 4000 0000 0000 0002 is declined; "
            "4000 0025 0000 3155 asks for authentication.</p>")


def _hosted(state: StripeState):
    async def checkout(request: Request) -> Response:
        with state.lock:
            session = state.data["checkout_sessions"].get(request.path_params["id"])
            if session is None:
                return _page("Checkout not found", "<p>This checkout link is not valid.</p>", 404)
            if session["status"] == "complete":
                return RedirectResponse(session["success_url"] or "/", status_code=303)
            if request.method == "GET":
                return _page("Checkout", _card_form(session))
            form = dict(parse_qsl((await request.body()).decode()))
            number = "".join(ch for ch in form.get("card_number", "") if ch.isdigit())
            card = {"number": number, "email": form.get("email") or None,
                    "billing_country": (form.get("country") or "").upper()[:2] or None, "card_country": "US"}
            if form.get("authentication") == "fail":
                return _page("Checkout", _card_form(session, "Authentication failed: the card was not charged."),
                             402)
            if number == CARD_DECLINED:
                if session["mode"] == "payment":
                    _declined(state, session)
                    state.save()
                return _page("Checkout", _card_form(session, "Your card was declined."), 402)
            if number == CARD_3DS and form.get("authentication") != "complete":
                hidden = "".join(f'<input type="hidden" name="{k}" value="{html.escape(v)}">'
                                 for k, v in form.items())
                return _page("Authenticate your payment", (
                    "<p>Your bank asks you to confirm this payment.</p>"
                    f'<form method="post" action="/checkout/{session["id"]}">{hidden}'
                    '<button name="authentication" value="complete">Complete authentication</button>'
                    '<button name="authentication" value="fail">Fail authentication</button></form>'))
            if number not in (CARD_OK, CARD_3DS):
                return _page("Checkout", _card_form(session, "Use one of the test card numbers below."), 402)
            _complete_checkout(state, session, card)
            state.save()
            return RedirectResponse(session["success_url"] or "/", status_code=303)

    async def portal(request: Request) -> Response:
        with state.lock:
            portal_session = state.data["portal_sessions"].get(request.path_params["id"])
            if portal_session is None:
                return _page("Billing portal", "<p>This link is not valid.</p>", 404)
            subs = [s for s in state.data["subscriptions"].values() if s["customer"] == portal_session["customer"]]
            if request.method == "POST":
                form = dict(parse_qsl((await request.body()).decode()))
                sub = next((s for s in subs if s["id"] == form.get("subscription")), None)
                if sub is not None and sub["status"] != "canceled":
                    update_subscription(state, {"cancel_at_period_end": form.get("cancel_at_period_end", "false")},
                                        {"id": sub["id"]})
                    state.save()
            rows = "".join(
                f"<li>{html.escape(s['items']['data'][0]['price']['recurring']['interval'])}ly: {s['status']}"
                + (" (ends at period end)" if s["cancel_at_period_end"] else "")
                + (f'<form method="post"><input type="hidden" name="subscription" value="{s["id"]}">'
                   f'<input type="hidden" name="cancel_at_period_end" '
                   f'value="{"false" if s["cancel_at_period_end"] else "true"}"><button>'
                   f'{"Resume" if s["cancel_at_period_end"] else "Cancel at period end"}</button></form>'
                   if s["status"] != "canceled" else "") + "</li>" for s in subs)
            back = html.escape(portal_session["return_url"] or "/")
            return _page("Billing portal", f"<ul>{rows}</ul><p><a href=\"{back}\">Back</a></p>")

    return checkout, portal


# --- what Stripe does by the clock or a bank does: triggered by hand -------------------------------------------

def _local(state: StripeState):
    async def renew(request: Request) -> Response:
        """End a subscription's period: cancel it (cancel_at_period_end), or invoice the next one (`outcome`)."""
        form = parse_form(await request.body())
        with state.lock:
            sub = state.get("subscriptions", request.path_params["id"])
            item = sub["items"]["data"][0]
            previous = {"status": sub["status"], "items": json.loads(json.dumps(sub["items"]))}
            if sub["cancel_at_period_end"]:
                sub.update(status="canceled", ended_at=item["current_period_end"])
            else:
                start = item["current_period_end"]
                end = start + INTERVAL_S[item["price"]["recurring"]["interval"]]
                item.update(current_period_start=start, current_period_end=end)
                card = sub["_card"] if form.get("outcome", "paid") == "paid" else None
                invoice = _invoice(state, sub, item["price"]["unit_amount"], start, end, "subscription_cycle", card)
                sub["status"] = "active" if invoice["status"] == "paid" else "past_due"
            _sub_changed(state, sub, previous)
            state.save()
            return JSONResponse(public(sub))

    async def retry_invoice(request: Request) -> Response:
        """Stripe's smart retry of an open invoice: `outcome` paid, failed, or exhausted (the subscription `unpaid`)."""
        form = parse_form(await request.body())
        with state.lock:
            invoice = state.get("invoices", request.path_params["id"])
            sub = state.data["subscriptions"][invoice["parent"]["subscription_details"]["subscription"]]
            if invoice["status"] != "open":
                raise_error = StripeError(400, "only an open invoice can be retried")
                return raise_error.response()
            previous = {"status": sub["status"]}
            outcome = form.get("outcome", "paid")
            if _attempt(state, invoice, sub["_card"] if outcome == "paid" else None):
                sub["status"] = "active"
            elif outcome == "exhausted":
                sub["status"] = "unpaid"
            _sub_changed(state, sub, previous)
            state.save()
            return JSONResponse(public(invoice))

    async def dispute(request: Request) -> Response:
        """A cardholder's bank opens a dispute on a charge (`charge.dispute.created`)."""
        with state.lock:
            charge = state.get("charges", request.path_params["id"])
            if charge["disputed"] or charge["amount_refunded"] >= charge["amount"]:
                return StripeError(400, "the charge is disputed already or refunded in full").response()
            found = {"id": state.new_id("dp"), "object": "dispute", "amount": charge["amount"] -
                     charge["amount_refunded"], "currency": charge["currency"], "charge": charge["id"],
                     "payment_intent": charge["payment_intent"], "status": "needs_response",
                     "reason": "fraudulent", "created": state.now(), "livemode": False}
            charge["disputed"] = True
            state.data["disputes"][found["id"]] = found
            state.emit("charge.dispute.created", found)
            state.save()
            return JSONResponse(found)

    async def close_dispute(request: Request) -> Response:
        form = parse_form(await request.body())
        with state.lock:
            found = state.get("disputes", request.path_params["id"])
            if form.get("status") not in ("won", "lost"):
                return StripeError(400, "status must be won or lost", "status").response()
            found["status"] = form["status"]
            state.emit("charge.dispute.closed", found)
            state.save()
            return JSONResponse(found)

    return renew, retry_invoice, dispute, close_dispute


def create_app(state: StripeState) -> Starlette:
    routes = [Route(path, _api_endpoint(state, handler), methods=[method]) for method, path, handler in API]
    checkout, portal = _hosted(state)
    renew, retry_invoice, dispute, close_dispute = _local(state)
    routes += [Route("/checkout/{id}", checkout, methods=["GET", "POST"]),
               Route("/portal/{id}", portal, methods=["GET", "POST"]),
               Route("/_local/subscriptions/{id}/renew", renew, methods=["POST"]),
               Route("/_local/invoices/{id}/retry", retry_invoice, methods=["POST"]),
               Route("/_local/charges/{id}/dispute", dispute, methods=["POST"]),
               Route("/_local/disputes/{id}/close", close_dispute, methods=["POST"])]
    app = Starlette(routes=routes, exception_handlers={StripeError: lambda _r, err: err.response()})
    app.state.stripe = state
    return app
