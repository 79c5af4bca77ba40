"""Sending transactions exactly once per business operation.

Every send names an idempotency key. The operation is recorded before anything is signed, every signed
transaction (bytes and hash) is recorded before it is broadcast, and a later call with the same key
resumes from the record instead of sending again. Nonces are allocated under a lock per (chain, account)
that every process shares (`OperationStore.account_lock`, a PostgreSQL advisory lock in production), as
max(the node's pending nonce, the highest nonce we recorded + 1), and the lock is held until the node has
the transaction, so the node always receives an account's nonces in order.

Rules, for an operation found under its key:
- confirmed: return its result; failed after a mined revert: raise the stored error. Nothing is sent.
- failed before any transaction could be mined (the estimate reverted, or the node rejected the only
  signed transaction and its nonce was released): the operation is re-attempted from scratch (nothing of
  it can ever be mined, so this cannot execute it twice).
- signed but maybe never broadcast (a crash between persisting and broadcasting): re-broadcast the same
  recorded bytes, never a new transaction.
- submitted: keep watching all its recorded hashes; whichever is mined is the result.
- none of its hashes mined, but the chain has used its nonce (another transaction from the same account,
  sent outside this store): none of its transactions can be mined any more, so it is signed again with a
  new nonce. Only a reorg deeper than the time we looked could revive the old one; the nonce is checked
  on several polls before deciding, so a lagging node behind a load balancer does not trigger it.

A transaction not mined after `stuck_after_s` is replaced at the same nonce with fees raised by 12.5%
(nodes require 10%), up to `max_bumps` times. A send ends when a transaction is mined: the operation is
then `included` (with its block's hash). It becomes `confirmed` only once that block is final by the indexer's
rule, and goes back to `submitted` (its recorded bytes sent again by the next resume) when the block leaves the
canonical chain: see `ledger.operations.settle_inclusions`.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from eth_account.signers.local import LocalAccount
from eth_account.typed_transactions import TypedTransaction
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import TransactionNotFound
from web3.utils import get_create_address

from chain.errors import ChainError, ContractReverted, IdempotencyConflict, RpcError, TxTimeout
from chain.retry import DEFAULT_RETRY, RetryPolicy, is_transient, rpc_error_message, with_retries
from chain.revert import as_revert, replay_failed_tx

log = logging.getLogger(__name__)

T = TypeVar("T")

# How a node says it already has this exact transaction, or that the nonce is spent.
_KNOWN_TX = ("already known", "already imported", "known transaction", "already exists", "alreadyknown")
_NONCE_USED = ("nonce too low", "oldnonce", "nonce has already been used", "invalid nonce")
_FEE_TOO_LOW = ("underpriced", "replacement", "fee too low", "less than block base fee", "max fee per gas")
# Polls on which the nonce must look spent, with none of our hashes mined, before re-signing.
_CONSUMED_POLLS = 3


class OperationStatus(StrEnum):
    pending = "pending"
    submitted = "submitted"
    included = "included"
    confirmed = "confirmed"
    failed = "failed"


# An operation in one of these states has a mined transaction: a send returns its result.
MINED = frozenset({OperationStatus.included, OperationStatus.confirmed})


@dataclass(frozen=True)
class Operation:
    """One business operation on chain and every transaction sent for it."""

    idempotency_key: str
    kind: str
    chain_id: int
    from_address: str
    to_address: str | None
    data: bytes
    value: int
    status: OperationStatus = OperationStatus.pending
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    nonce: int | None = None
    tx_hashes: tuple[str, ...] = ()
    signed_raw_tx: bytes | None = None
    mined_tx_hash: str | None = None
    block_number: int | None = None
    block_hash: str | None = None
    gas_used: int | None = None
    error_name: str | None = None
    error_args: dict | None = None
    error_detail: str | None = None

    def same_call(self, other: Operation) -> bool:
        return (self.chain_id, self.from_address.lower(), (self.to_address or "").lower(), self.data, self.value) == (
            other.chain_id, other.from_address.lower(), (other.to_address or "").lower(), other.data, other.value)


class OperationStore(Protocol):
    """Where operations live; it must commit each write before returning (a crash may follow)."""

    def create(self, operation: Operation) -> tuple[Operation, bool]:
        """Insert unless the key exists; return the stored operation and whether it was inserted."""

    def get(self, idempotency_key: str) -> Operation | None: ...

    def account_lock(self, chain_id: int, address: str) -> AbstractContextManager[None]:
        """Exclusive across threads and processes while nonces of this account are allocated and sent."""

    def highest_nonce(self, chain_id: int, address: str) -> int | None:
        """The highest nonce any operation of this account holds."""

    def unfinished(self, chain_id: int, address: str) -> list[Operation]:
        """Pending and submitted operations of this account, by nonce (unsigned ones last)."""

    def record_signed(self, idempotency_key: str, *, nonce: int, tx_hash: str, signed_raw_tx: bytes) -> Operation:
        """Set the nonce and the latest signed bytes; append the hash to the operation's hashes."""

    def mark_submitted(self, idempotency_key: str) -> Operation: ...

    def mark_included(self, idempotency_key: str, *, tx_hash: str, block_number: int, block_hash: str,
                      gas_used: int) -> Operation:
        """Mined in that block; not yet final."""

    def mark_failed(self, idempotency_key: str, *, error_name: str | None, error_args: dict | None,
                    detail: str, release_nonce: bool, tx_hash: str | None = None, block_number: int | None = None,
                    gas_used: int | None = None) -> Operation:
        """`release_nonce` clears the nonce and signed bytes: nothing of this operation can be mined.
        `tx_hash`/`block_number`/`gas_used` describe a mined transaction that reverted."""

    def reopen(self, idempotency_key: str) -> Operation:
        """A failed operation that holds no nonce goes back to pending, its error cleared."""


@dataclass(frozen=True)
class Fees:
    max_fee_per_gas: int
    max_priority_fee_per_gas: int

    def bumped(self, current: Fees) -> Fees:
        """At least +12.5% on both fields (nodes want +10% to replace), and never below today's fees."""
        priority = max(_plus_eighth(self.max_priority_fee_per_gas), current.max_priority_fee_per_gas)
        return Fees(max(_plus_eighth(self.max_fee_per_gas), current.max_fee_per_gas, priority), priority)


@dataclass(frozen=True)
class TxResult:
    tx_hash: str
    block_number: int
    gas_used: int
    contract_address: str | None
    nonce: int


def _plus_eighth(value: int) -> int:
    return value + (value + 7) // 8


class TransactionSender:
    """Signs locally and sends from one account, once per idempotency key."""

    def __init__(self, w3: Web3, account: LocalAccount, store: OperationStore | None = None, *,
                 min_priority_fee_wei: int = 0, receipt_timeout_s: float = 120.0, stuck_after_s: float = 30.0,
                 max_bumps: int = 3, poll_interval_s: float = 0.5, gas_margin: float = 1.2,
                 retry: RetryPolicy = DEFAULT_RETRY) -> None:
        self.w3 = w3
        self.account = account
        self.store: OperationStore = store if store is not None else MemoryOperationStore()
        self.min_priority_fee_wei = min_priority_fee_wei
        self.receipt_timeout_s = receipt_timeout_s
        self.stuck_after_s = stuck_after_s
        self.max_bumps = max_bumps
        self.poll_interval_s = poll_interval_s
        self.gas_margin = gas_margin
        self.retry = retry
        self._chain_id: int | None = None

    @property
    def address(self) -> str:
        return self.account.address

    @property
    def chain_id(self) -> int:
        if self._chain_id is None:
            self._chain_id = self._read(lambda: self.w3.eth.chain_id, "eth_chainId")
        return self._chain_id

    def fees(self) -> Fees:
        """maxPriorityFee = max(node's suggestion, floor); maxFee = 2 * baseFee + priority."""
        base_fee = self._read(lambda: self.w3.eth.get_block("latest")["baseFeePerGas"], "latest block")
        suggested = self._read(lambda: self.w3.eth.max_priority_fee, "eth_maxPriorityFeePerGas")
        priority = max(suggested, self.min_priority_fee_wei)
        return Fees(max_fee_per_gas=2 * base_fee + priority, max_priority_fee_per_gas=priority)

    def send(self, idempotency_key: str, tx: Mapping[str, Any], *, kind: str | None = None) -> TxResult:
        """Send `tx` (to, data, value, optional gas) once for this key and wait until it is mined.

        Raises ContractReverted (decoded) when the estimate or the mined transaction reverts, TxTimeout when
        nothing is mined in time (call again with the same key to keep watching), RpcError when the node
        fails or rejects the transaction.
        """
        operation = self._open(idempotency_key, tx, kind)
        return self._drive(operation, tx)

    def sign(self, idempotency_key: str, tx: Mapping[str, Any], *, kind: str | None = None) -> Operation:
        """Record the operation and its signed transaction without broadcasting it (the next `send` or
        `resume` broadcasts those exact bytes). An operation already signed is returned as it is."""
        operation = self._open(idempotency_key, tx, kind)
        if operation.status is OperationStatus.failed and operation.nonce is None:
            operation = self.store.reopen(idempotency_key)
        if operation.status is OperationStatus.pending and operation.signed_raw_tx is None:
            operation, _ = self._sign_and_broadcast(operation, tx.get("gas"), broadcast=False)
        return operation

    def resume(self, idempotency_key: str) -> TxResult:
        """Drive a recorded operation to its end (after a crash or a TxTimeout)."""
        operation = self.store.get(idempotency_key)
        if operation is None:
            raise KeyError(idempotency_key)
        return self._drive(operation, None)

    def resume_unfinished(self) -> dict[str, TxResult | ChainError]:
        """Resume every pending or submitted operation of this account (e.g. when a worker starts)."""
        outcomes: dict[str, TxResult | ChainError] = {}
        for operation in self.store.unfinished(self.chain_id, self.address):
            try:
                outcomes[operation.idempotency_key] = self._drive(operation, None)
            except ChainError as err:
                outcomes[operation.idempotency_key] = err
        return outcomes

    # -- the steps ---------------------------------------------------------------------------------------

    def _open(self, key: str, tx: Mapping[str, Any], kind: str | None) -> Operation:
        if tx.get("from") and Web3.to_checksum_address(tx["from"]) != self.address:
            raise ValueError(f"transaction is from {tx['from']}, this sender signs for {self.address}")
        to = Web3.to_checksum_address(tx["to"]) if tx.get("to") else None
        data = _as_bytes(tx.get("data") or tx.get("input") or b"")
        wanted = Operation(idempotency_key=key, kind=kind or _default_kind(to, data), chain_id=self.chain_id,
                           from_address=self.address, to_address=to, data=data, value=int(tx.get("value") or 0))
        operation, created = self.store.create(wanted)
        if not created and not operation.same_call(wanted):
            raise IdempotencyConflict(f"idempotency key {key!r} was used for a different transaction",
                                      key=key)
        return operation

    def _drive(self, operation: Operation, tx: Mapping[str, Any] | None) -> TxResult:
        if operation.status in MINED:
            return self._result(operation)
        if operation.status is OperationStatus.failed and operation.nonce is None:
            # Failed before anything could be mined: nothing of it is on chain, so try again from scratch.
            operation = self.store.reopen(operation.idempotency_key)
        if operation.status is OperationStatus.failed:
            raise ContractReverted(operation.error_detail or "transaction failed", operation.error_name,
                                   operation.error_args)
        if operation.signed_raw_tx is None:
            operation, signed_here = self._sign_and_broadcast(operation, (tx or {}).get("gas"))
            if not signed_here:
                return self._drive(operation, tx)  # a concurrent call with this key got there first
        else:
            operation = self._broadcast(operation, fresh=False)
        return self._watch(operation)

    def _sign_and_broadcast(self, operation: Operation, gas: int | None, *,
                            broadcast: bool = True) -> tuple[Operation, bool]:
        """Estimate, then under the account lock: allocate a nonce, sign, record, broadcast.

        Every signing happens under the lock and re-reads the operation first, so two calls with the same
        key never sign it twice; the second gets (the recorded operation, False).
        """
        key, chain_id, address = operation.idempotency_key, operation.chain_id, operation.from_address
        try:
            gas = int(gas) if gas else self._estimate_gas(operation)
        except ContractReverted as reverted:
            with self.store.account_lock(chain_id, address):
                current = self._reread(key)
                if current.status is not OperationStatus.pending or current.signed_raw_tx is not None:
                    return current, False
                self.store.mark_failed(key, error_name=reverted.error_name, error_args=reverted.error_args,
                                       detail=reverted.detail, release_nonce=True)
            raise
        fees = self.fees()
        with self.store.account_lock(chain_id, address):
            current = self._reread(key)
            if current.status is not OperationStatus.pending or current.signed_raw_tx is not None:
                return current, False
            operation = self._sign_and_record(current, self._next_nonce(), gas, fees)
            if broadcast:
                operation = self._broadcast(operation, fresh=True)
        return operation, True

    def _reread(self, key: str) -> Operation:
        operation = self.store.get(key)
        assert operation is not None, key
        return operation

    def _estimate_gas(self, operation: Operation) -> int:
        call: dict[str, Any] = {"from": operation.from_address, "data": "0x" + operation.data.hex(),
                                "value": operation.value}
        if operation.to_address:
            call["to"] = operation.to_address
        try:
            estimate = with_retries(lambda: self.w3.eth.estimate_gas(call), self.retry)  # type: ignore[arg-type]
        except Exception as err:
            reverted = as_revert(err, f"{operation.kind} ({operation.idempotency_key})")
            if reverted is None:
                raise _rpc_error("eth_estimateGas", err) from err
            raise reverted from err
        return int(estimate * self.gas_margin)

    def _next_nonce(self) -> int:
        """Under the account lock: max(node's pending nonce, highest recorded + 1)."""
        pending = self._read(lambda: self.w3.eth.get_transaction_count(self.address, "pending"), "pending nonce")
        highest = self.store.highest_nonce(self.chain_id, self.address)
        if highest is None:
            return pending
        if pending <= highest:
            # The node lacks some of our recorded transactions (a crash before broadcast, a dropped
            # mempool): hand them over again, in nonce order, so later nonces are not stuck behind a gap.
            for stale in self.store.unfinished(self.chain_id, self.address):
                if stale.nonce is not None and stale.nonce >= pending and stale.signed_raw_tx is not None:
                    self._raw_broadcast(stale.signed_raw_tx, quiet=True)
        return max(pending, highest + 1)

    def _sign_and_record(self, operation: Operation, nonce: int, gas: int, fees: Fees) -> Operation:
        tx: dict[str, Any] = {"type": 2, "chainId": operation.chain_id, "nonce": nonce, "gas": gas,
                              "value": operation.value, "data": "0x" + operation.data.hex(),
                              "maxFeePerGas": fees.max_fee_per_gas,
                              "maxPriorityFeePerGas": fees.max_priority_fee_per_gas}
        if operation.to_address:
            tx["to"] = operation.to_address
        signed = self.account.sign_transaction(tx)
        # Recorded (committed) before the node sees it: after a crash we re-send these bytes, not new ones.
        return self.store.record_signed(operation.idempotency_key, nonce=nonce, tx_hash=signed.hash.to_0x_hex(),
                                        signed_raw_tx=bytes(signed.raw_transaction))

    def _broadcast(self, operation: Operation, *, fresh: bool) -> Operation:
        """Hand the latest signed bytes to the node; `fresh` means no one has seen this nonce from us."""
        assert operation.signed_raw_tx is not None
        try:
            self._raw_broadcast(operation.signed_raw_tx)
        except _Rejected as err:
            if not fresh and any(p in err.message.lower() for p in _FEE_TOO_LOW):
                # Fees rose while it waited (or a bump was refused): the watch loop's fee bump replaces it.
                log.warning("transaction refused for its fees", extra={"key": operation.idempotency_key,
                                                                      "error": err.message})
                return operation
            if fresh:
                # Nothing of this operation is in any mempool and no later nonce was allocated (we hold
                # the lock), so the nonce goes back and a later send with this key starts over.
                self.store.mark_failed(operation.idempotency_key, error_name=None, error_args=None,
                                       detail=f"the node rejected the transaction: {err.message}",
                                       release_nonce=True)
            # Otherwise later nonces may already be queued behind this one: keep it, a resume retries.
            raise RpcError(f"{operation.kind} ({operation.idempotency_key}): the node rejected the "
                           f"transaction: {err.message}") from err.__cause__
        if operation.status is OperationStatus.pending:
            operation = self.store.mark_submitted(operation.idempotency_key)
            log.info("transaction submitted", extra={"key": operation.idempotency_key, "nonce": operation.nonce,
                                                     "tx_hash": operation.tx_hashes[-1]})
        return operation

    def _raw_broadcast(self, raw: bytes, *, quiet: bool = False) -> None:
        """send_raw_transaction, retried (same bytes: idempotent); "already known"/"nonce used" are fine.

        Raises _Rejected when the node refuses the transaction, RpcError when it cannot be reached.
        """
        try:
            with_retries(lambda: self.w3.eth.send_raw_transaction(raw), self.retry)
        except Exception as err:
            message = rpc_error_message(err)
            lowered = message.lower()
            if any(p in lowered for p in _KNOWN_TX + _NONCE_USED):
                return  # in the pool already, or mined/replaced: the watch loop decides
            if quiet:
                log.warning("re-broadcast failed", extra={"error": message})
                return
            if is_transient(err) or not hasattr(err, "rpc_response"):
                raise _rpc_error("eth_sendRawTransaction", err) from err
            raise _Rejected(message) from err

    def _watch(self, operation: Operation) -> TxResult:
        """Poll until one of the operation's transactions is mined; bump fees when it seems stuck."""
        key = operation.idempotency_key
        deadline = time.monotonic() + self.receipt_timeout_s
        last_sent = time.monotonic()
        bumps = 0
        consumed_polls = 0
        while True:
            if operation.status not in (OperationStatus.pending, OperationStatus.submitted) or operation.nonce is None:
                return self._drive(operation, None)  # a concurrent call finished or released it
            mined_count = self._read(lambda: self.w3.eth.get_transaction_count(self.address, "latest"),
                                     "latest nonce")
            if mined_count > operation.nonce:
                receipt = self._find_receipt(operation.tx_hashes)
                if receipt is not None:
                    return self._finish(operation, receipt)
                consumed_polls += 1
                if consumed_polls >= _CONSUMED_POLLS:
                    operation = self._resign_consumed(operation)
                    last_sent, bumps, consumed_polls = time.monotonic(), 0, 0
                    continue
            else:
                consumed_polls = 0
            now = time.monotonic()
            if now >= deadline:
                raise TxTimeout(f"{operation.kind} ({key}): nonce {operation.nonce} not mined within "
                                f"{self.receipt_timeout_s:.0f}s (sent {', '.join(operation.tx_hashes)}); "
                                "call again with the same key to keep watching", key=key)
            if now - last_sent >= self.stuck_after_s and bumps < self.max_bumps:
                operation = self._bump(operation)
                bumps += 1
                last_sent = now
            time.sleep(self.poll_interval_s)

    def _find_receipt(self, tx_hashes: tuple[str, ...]) -> Mapping[str, Any] | None:
        for tx_hash in tx_hashes:
            try:
                return self._read(lambda h=tx_hash: self.w3.eth.get_transaction_receipt(h), "receipt",
                                  not_found=TransactionNotFound)
            except _NotFound:
                continue
        return None

    def _bump(self, operation: Operation) -> Operation:
        """Replace the stuck transaction: same nonce, same call, fees +12.5% (recorded before sending)."""
        fresh_fees = self.fees()
        with self.store.account_lock(operation.chain_id, operation.from_address):
            current = self._reread(operation.idempotency_key)
            if not _still_open(current, operation.nonce):
                return current  # finished or re-signed by a concurrent call
            assert current.signed_raw_tx is not None and current.nonce is not None
            previous = _signed_fields(current.signed_raw_tx)
            fees = Fees(previous["maxFeePerGas"], previous["maxPriorityFeePerGas"]).bumped(fresh_fees)
            operation = self._sign_and_record(current, current.nonce, previous["gas"], fees)
            log.info("fee bump", extra={"key": operation.idempotency_key, "nonce": operation.nonce,
                                        "tx_hash": operation.tx_hashes[-1],
                                        "max_priority_fee_per_gas": fees.max_priority_fee_per_gas})
            try:
                return self._broadcast(operation, fresh=False)
            except RpcError as err:
                # The transaction it replaces is still valid; the next poll or bump carries on.
                log.warning("replacement not accepted", extra={"key": operation.idempotency_key,
                                                               "error": err.detail})
                return operation

    def _resign_consumed(self, operation: Operation) -> Operation:
        """The nonce was spent by a transaction that is not ours: none of ours can be mined; sign anew."""
        with self.store.account_lock(operation.chain_id, operation.from_address):
            current = self._reread(operation.idempotency_key)
            if not _still_open(current, operation.nonce) or self._find_receipt(current.tx_hashes) is not None:
                return current  # finished, re-signed by a concurrent call, or mined after all
            assert current.signed_raw_tx is not None
            log.warning("nonce used by another transaction; signing again",
                        extra={"key": current.idempotency_key, "nonce": current.nonce})
            gas = _signed_fields(current.signed_raw_tx)["gas"]
            operation = self._sign_and_record(current, self._next_nonce(), gas, self.fees())
            return self._broadcast(operation, fresh=True)

    def _finish(self, operation: Operation, receipt: Mapping[str, Any]) -> TxResult:
        tx_hash = receipt["transactionHash"].to_0x_hex()
        if receipt["status"] == 1:
            operation = self.store.mark_included(operation.idempotency_key, tx_hash=tx_hash,
                                                 block_number=receipt["blockNumber"],
                                                 block_hash=receipt["blockHash"].to_0x_hex(),
                                                 gas_used=receipt["gasUsed"])
            log.info("transaction included", extra={"key": operation.idempotency_key, "tx_hash": tx_hash,
                                                    "block": receipt["blockNumber"]})
            return self._result(operation)
        sent = self._read(lambda: self.w3.eth.get_transaction(tx_hash), "transaction")
        reverted = replay_failed_tx(self.w3, sent, receipt["blockNumber"], gas_used=receipt["gasUsed"],
                                    context=f"{operation.kind} ({operation.idempotency_key}) tx {tx_hash}",
                                    retry=self.retry)
        self.store.mark_failed(operation.idempotency_key, error_name=reverted.error_name,
                               error_args=reverted.error_args, detail=reverted.detail, release_nonce=False,
                               tx_hash=tx_hash, block_number=receipt["blockNumber"], gas_used=receipt["gasUsed"])
        raise ContractReverted(reverted.detail, reverted.error_name, reverted.error_args, data=reverted.data)

    def _result(self, operation: Operation) -> TxResult:
        assert operation.mined_tx_hash and operation.block_number is not None and operation.nonce is not None
        contract = None if operation.to_address else get_create_address(operation.from_address, operation.nonce)
        return TxResult(tx_hash=operation.mined_tx_hash, block_number=operation.block_number,
                        gas_used=operation.gas_used or 0, contract_address=contract, nonce=operation.nonce)

    def _read(self, fn: Callable[[], T], what: str, not_found: type[Exception] | None = None) -> T:
        try:
            return with_retries(fn, self.retry)
        except Exception as err:
            if not_found is not None and isinstance(err, not_found):
                raise _NotFound from err
            raise _rpc_error(what, err) from err


class _Rejected(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _NotFound(Exception):
    pass


def _rpc_error(what: str, err: BaseException) -> RpcError:
    return RpcError(f"{what} failed: {type(err).__name__}: {rpc_error_message(err)}")


def _still_open(operation: Operation, nonce: int | None) -> bool:
    return (operation.status in (OperationStatus.pending, OperationStatus.submitted)
            and operation.signed_raw_tx is not None and operation.nonce == nonce)


def _signed_fields(raw: bytes) -> dict[str, Any]:
    """The fields of a signed EIP-1559 transaction (gas, fees), read back from its bytes."""
    return TypedTransaction.from_bytes(HexBytes(raw)).as_dict()


def _as_bytes(data: bytes | str) -> bytes:
    if isinstance(data, str):
        return bytes.fromhex(data.removeprefix("0x"))
    return bytes(data)


def _default_kind(to: str | None, data: bytes) -> str:
    if to is None:
        return "create"
    return "call:0x" + data[:4].hex() if data else "transfer"


class MemoryOperationStore:
    """An OperationStore in this process's memory, for one-off scripts (deploy) with no database.

    It protects against nothing across processes or restarts; services use the PostgreSQL store.
    """

    def __init__(self) -> None:
        self._operations: dict[str, Operation] = {}
        self._mutex = threading.Lock()
        self._account_locks: dict[tuple[int, str], threading.RLock] = {}

    def create(self, operation: Operation) -> tuple[Operation, bool]:
        with self._mutex:
            existing = self._operations.get(operation.idempotency_key)
            if existing is not None:
                return existing, False
            self._operations[operation.idempotency_key] = operation
            return operation, True

    def get(self, idempotency_key: str) -> Operation | None:
        return self._operations.get(idempotency_key)

    @contextmanager
    def account_lock(self, chain_id: int, address: str) -> Iterator[None]:
        with self._mutex:
            lock = self._account_locks.setdefault((chain_id, address.lower()), threading.RLock())
        with lock:
            yield

    def highest_nonce(self, chain_id: int, address: str) -> int | None:
        nonces = [op.nonce for op in self._account(chain_id, address) if op.nonce is not None]
        return max(nonces, default=None)

    def unfinished(self, chain_id: int, address: str) -> list[Operation]:
        open_ = [op for op in self._account(chain_id, address)
                 if op.status in (OperationStatus.pending, OperationStatus.submitted)]
        return sorted(open_, key=lambda op: (op.nonce is None, op.nonce or 0))

    def record_signed(self, idempotency_key: str, *, nonce: int, tx_hash: str, signed_raw_tx: bytes) -> Operation:
        return self._update(idempotency_key, lambda op: replace(
            op, nonce=nonce, signed_raw_tx=signed_raw_tx,
            tx_hashes=op.tx_hashes if tx_hash in op.tx_hashes else (*op.tx_hashes, tx_hash)))

    def mark_submitted(self, idempotency_key: str) -> Operation:
        return self._update(idempotency_key, lambda op: replace(op, status=OperationStatus.submitted))

    def mark_included(self, idempotency_key: str, *, tx_hash: str, block_number: int, block_hash: str,
                      gas_used: int) -> Operation:
        return self._update(idempotency_key, lambda op: replace(
            op, status=OperationStatus.included, mined_tx_hash=tx_hash, block_number=block_number,
            block_hash=block_hash, gas_used=gas_used))

    def mark_failed(self, idempotency_key: str, *, error_name: str | None, error_args: dict | None, detail: str,
                    release_nonce: bool, tx_hash: str | None = None, block_number: int | None = None,
                    gas_used: int | None = None) -> Operation:
        def fail(op: Operation) -> Operation:
            op = replace(op, status=OperationStatus.failed, error_name=error_name, error_args=error_args,
                         error_detail=detail, mined_tx_hash=tx_hash, block_number=block_number, gas_used=gas_used)
            return replace(op, nonce=None, signed_raw_tx=None) if release_nonce else op
        return self._update(idempotency_key, fail)

    def reopen(self, idempotency_key: str) -> Operation:
        return self._update(idempotency_key, lambda op: replace(
            op, status=OperationStatus.pending, error_name=None, error_args=None, error_detail=None))

    def _account(self, chain_id: int, address: str) -> list[Operation]:
        with self._mutex:
            return [op for op in self._operations.values()
                    if op.chain_id == chain_id and op.from_address.lower() == address.lower()]

    def _update(self, key: str, change: Callable[[Operation], Operation]) -> Operation:
        with self._mutex:
            self._operations[key] = change(self._operations[key])
            return self._operations[key]
