"""Chain operations: every transaction the platform sends, keyed by the business operation it performs.

`PostgresOperationStore` is the `chain.sender.OperationStore` that services use. Unlike request code it
commits each write at once, on sessions of its own: a signed transaction must be durable before the node
sees it, whatever the caller's transaction does afterwards. Nonces are allocated under a session-level
advisory lock keyed by (chain id, address), held on a connection of its own until the node has the
transaction; a crashed process loses its connection and so its lock.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal

from eth_account.signers.local import LocalAccount
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    Engine,
    Index,
    LargeBinary,
    Numeric,
    String,
    Text,
    Uuid,
    any_,
    case,
    func,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker
from web3 import Web3

from chain.sender import Operation, OperationStatus, TransactionSender
from harmoni.db import Base, get_engine
from harmoni.errors import ServiceUnavailable
from harmoni.settings import Settings

log = logging.getLogger(__name__)

_STATUSES = ", ".join(f"'{s.value}'" for s in OperationStatus)


class ChainOperation(Base):
    """One business operation on chain (a registration, a payout publication, a mint) and its transactions."""

    __tablename__ = "chain_operations"
    __table_args__ = (
        CheckConstraint(f"status in ({_STATUSES})", name="status"),
        # Two operations never hold the same nonce of an account (a released nonce is NULL).
        Index("ix_chain_operations_account_nonce", "chain_id", "from_address", "nonce", unique=True,
              postgresql_where=text("nonce is not null")),
        Index("ix_chain_operations_account_status", "chain_id", "from_address", "status"),
        Index("ix_chain_operations_included", "chain_id", "block_number",
              postgresql_where=text("status = 'included'")),
        Index("ix_chain_operations_confirmed", "chain_id", "block_number",
              postgresql_where=text("status = 'confirmed'")),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(64))
    chain_id: Mapped[int] = mapped_column(BigInteger)
    from_address: Mapped[str] = mapped_column(String(42))
    to_address: Mapped[str | None] = mapped_column(String(42))  # NULL: contract creation
    data: Mapped[bytes] = mapped_column(LargeBinary)
    value: Mapped[Decimal] = mapped_column(Numeric(78, 0))
    nonce: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), default=OperationStatus.pending.value)
    # Every transaction signed for this operation, oldest first (fee bumps, re-signs); at most one is mined.
    tx_hashes: Mapped[list[str]] = mapped_column(ARRAY(String(66)), default=list)
    # The latest signed transaction, persisted before it is broadcast.
    signed_raw_tx: Mapped[bytes | None] = mapped_column(LargeBinary)
    mined_tx_hash: Mapped[str | None] = mapped_column(String(66))
    block_number: Mapped[int | None] = mapped_column(BigInteger)
    block_hash: Mapped[str | None] = mapped_column(String(66))
    gas_used: Mapped[int | None] = mapped_column(BigInteger)
    error_name: Mapped[str | None] = mapped_column(String(128))
    error_args: Mapped[dict | None] = mapped_column(JSONB(none_as_null=True))
    error_detail: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(),
                                                 onupdate=func.now())

    def to_operation(self) -> Operation:
        return Operation(
            id=self.id, idempotency_key=self.idempotency_key, kind=self.kind, chain_id=self.chain_id,
            from_address=self.from_address, to_address=self.to_address, data=bytes(self.data),
            value=int(self.value), status=OperationStatus(self.status), nonce=self.nonce,
            tx_hashes=tuple(self.tx_hashes or ()),
            signed_raw_tx=bytes(self.signed_raw_tx) if self.signed_raw_tx is not None else None,
            mined_tx_hash=self.mined_tx_hash, block_number=self.block_number, block_hash=self.block_hash,
            gas_used=self.gas_used,
            error_name=self.error_name, error_args=self.error_args, error_detail=self.error_detail)


def nonce_lock_key(chain_id: int, address: str) -> str:
    """Hashed by PostgreSQL (hashtextextended) into the bigint advisory lock of this account."""
    return f"harmoni.nonce:{chain_id}:{address.lower()}"


class PostgresOperationStore:
    """chain.sender.OperationStore on PostgreSQL, safe across threads, processes and restarts."""

    def __init__(self, engine: Engine, lock_timeout_s: float = 60.0) -> None:
        self.engine = engine
        self.lock_timeout_s = lock_timeout_s
        self._sessions = sessionmaker(bind=engine, expire_on_commit=False)

    @classmethod
    def from_url(cls, database_url: str, lock_timeout_s: float = 60.0) -> PostgresOperationStore:
        return cls(get_engine(database_url), lock_timeout_s)

    def create(self, operation: Operation) -> tuple[Operation, bool]:
        values = {"id": operation.id, "idempotency_key": operation.idempotency_key, "kind": operation.kind,
                  "chain_id": operation.chain_id, "from_address": Web3.to_checksum_address(operation.from_address),
                  "to_address": operation.to_address, "data": operation.data, "value": Decimal(operation.value),
                  "status": OperationStatus.pending.value, "tx_hashes": []}
        with self._sessions.begin() as session:
            inserted = session.scalars(
                insert(ChainOperation).values(**values)
                .on_conflict_do_nothing(index_elements=[ChainOperation.idempotency_key])
                .returning(ChainOperation)).one_or_none()
            if inserted is not None:
                return inserted.to_operation(), True
            existing = session.scalars(select(ChainOperation).where(
                ChainOperation.idempotency_key == operation.idempotency_key)).one()
            return existing.to_operation(), False

    def get(self, idempotency_key: str) -> Operation | None:
        with self._sessions() as session:
            row = session.scalars(select(ChainOperation).where(
                ChainOperation.idempotency_key == idempotency_key)).one_or_none()
            return row.to_operation() if row is not None else None

    @contextmanager
    def account_lock(self, chain_id: int, address: str) -> Iterator[None]:
        """pg_advisory_lock on a dedicated autocommit connection, so commits inside do not release it."""
        key = nonce_lock_key(chain_id, address)
        conn = self.engine.connect()
        try:
            conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.execute(text("select set_config('lock_timeout', :t, false)"),
                         {"t": f"{int(self.lock_timeout_s * 1000)}ms"})
            conn.execute(text("select pg_advisory_lock(hashtextextended(:k, 0))"), {"k": key})
            conn.execute(text("reset lock_timeout"))
        except DBAPIError as err:
            conn.invalidate()
            conn.close()
            if "lock timeout" in str(err.orig).lower():
                raise ServiceUnavailable(f"the nonce lock of {address} on chain {chain_id} was held for more "
                                         f"than {self.lock_timeout_s:.0f}s by another sender") from err
            raise
        try:
            yield
        finally:
            try:
                conn.execute(text("select pg_advisory_unlock(hashtextextended(:k, 0))"), {"k": key})
            except DBAPIError:
                # A pooled connection must never keep the lock: drop it, the server releases the lock.
                log.warning("could not release the nonce lock; discarding its connection", exc_info=True)
                conn.invalidate()
            finally:
                conn.close()

    def highest_nonce(self, chain_id: int, address: str) -> int | None:
        with self._sessions() as session:
            return session.scalar(select(func.max(ChainOperation.nonce)).where(
                ChainOperation.chain_id == chain_id,
                ChainOperation.from_address == Web3.to_checksum_address(address)))

    def unfinished(self, chain_id: int, address: str) -> list[Operation]:
        with self._sessions() as session:
            rows = session.scalars(select(ChainOperation).where(
                ChainOperation.chain_id == chain_id,
                ChainOperation.from_address == Web3.to_checksum_address(address),
                ChainOperation.status.in_([OperationStatus.pending.value, OperationStatus.submitted.value]),
            ).order_by(ChainOperation.nonce.asc().nulls_last(), ChainOperation.created_at))
            return [row.to_operation() for row in rows]

    def record_signed(self, idempotency_key: str, *, nonce: int, tx_hash: str, signed_raw_tx: bytes) -> Operation:
        # Appended in SQL, so two writers (say a bump racing a resume) cannot lose each other's hash.
        hashes = case((literal(tx_hash, String) == any_(ChainOperation.tx_hashes), ChainOperation.tx_hashes),
                      else_=func.array_append(ChainOperation.tx_hashes, tx_hash))
        return self._update(idempotency_key, nonce=nonce, signed_raw_tx=signed_raw_tx, tx_hashes=hashes)

    def mark_submitted(self, idempotency_key: str) -> Operation:
        return self._update(idempotency_key, status=OperationStatus.submitted.value)

    def mark_included(self, idempotency_key: str, *, tx_hash: str, block_number: int, block_hash: str,
                      gas_used: int) -> Operation:
        # Never moves a confirmed operation back: a late resume of one that was settled meanwhile leaves it.
        return self._update(idempotency_key, status=case(
            (ChainOperation.status == OperationStatus.confirmed.value, ChainOperation.status),
            else_=literal(OperationStatus.included.value)), mined_tx_hash=tx_hash, block_number=block_number,
            block_hash=block_hash, gas_used=gas_used)

    def mark_failed(self, idempotency_key: str, *, error_name: str | None, error_args: dict | None, detail: str,
                    release_nonce: bool, tx_hash: str | None = None, block_number: int | None = None,
                    gas_used: int | None = None) -> Operation:
        values: dict = {"status": OperationStatus.failed.value, "error_name": error_name, "error_args": error_args,
                        "error_detail": detail, "mined_tx_hash": tx_hash, "block_number": block_number,
                        "gas_used": gas_used}
        if release_nonce:
            values |= {"nonce": None, "signed_raw_tx": None}
        return self._update(idempotency_key, **values)

    def reopen(self, idempotency_key: str) -> Operation:
        return self._update(idempotency_key, status=OperationStatus.pending.value, error_name=None,
                            error_args=None, error_detail=None)

    def _update(self, idempotency_key: str, **values) -> Operation:
        with self._sessions.begin() as session:
            row = session.scalars(
                update(ChainOperation).where(ChainOperation.idempotency_key == idempotency_key)
                .values(**values, updated_at=func.now()).returning(ChainOperation)
                .execution_options(synchronize_session=False)).one()
            return row.to_operation()


def platform_sender(settings: Settings, w3: Web3, account: LocalAccount) -> TransactionSender:
    """A sender for one of the platform's accounts, its operations kept in PostgreSQL, tuned by settings."""
    return TransactionSender(w3, account, PostgresOperationStore.from_url(settings.database_url),
                             min_priority_fee_wei=settings.min_priority_fee_wei,
                             receipt_timeout_s=settings.tx_receipt_timeout_s,
                             stuck_after_s=settings.tx_stuck_after_s, max_bumps=settings.tx_max_bumps)
