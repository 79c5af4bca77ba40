"""Chain errors: provider and library failures are translated into these at the client boundary."""

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
    """A call or transaction reverted; `error_name`/`error_args` hold the decoded custom error."""

    status = 409
    slug = "contract-reverted"
    title = "Contract reverted"

    def __init__(self, detail: str, error_name: str | None = None, error_args: dict | None = None) -> None:
        super().__init__(detail, error=error_name, args=error_args or {})
        self.error_name = error_name
        self.error_args = error_args or {}
