"""Chain errors: provider and library failures are translated into these at the client boundary.

Revert data is decoded into `ContractReverted` by `chain.revert` (custom errors from every artifact's ABI,
plus `Error(string)` and `Panic(uint256)`).
"""

from __future__ import annotations

from harmoni.errors import HarmoniError


class ChainError(HarmoniError):
    status = 502
    slug = "chain-error"
    title = "Chain error"


class RpcError(ChainError):
    slug = "rpc-error"
    title = "Chain RPC unavailable"


class TxTimeout(ChainError):
    status = 504
    slug = "tx-timeout"
    title = "Transaction not mined in time"


class ContractReverted(ChainError):
    """A call or transaction reverted; `error_name`/`error_args` hold the decoded custom error.

    `error_args` is JSON-friendly: addresses checksummed, bytes as 0x hex, integers as int, structs as
    dicts. `data` is the raw revert data (0x hex) when the node returned any.
    """

    status = 409
    slug = "contract-reverted"
    title = "Contract reverted"

    def __init__(self, detail: str, error_name: str | None = None, error_args: dict | None = None,
                 data: str | None = None) -> None:
        super().__init__(detail, error=error_name, args=error_args or {})
        self.error_name = error_name
        self.error_args = error_args or {}
        self.data = data


class IdempotencyConflict(ChainError):
    """An idempotency key was reused for a different transaction (other target, data, value or sender)."""

    status = 409
    slug = "idempotency-key-reused"
    title = "Idempotency key reused"
