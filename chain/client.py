"""One web3 client per RPC URL; library errors become ours at this boundary, idempotent reads are retried."""

from __future__ import annotations

from dataclasses import dataclass

import requests
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import Web3Exception

from chain import artifacts
from chain.deployments import Deployment
from chain.errors import RpcError
from chain.retry import DEFAULT_RETRY, RetryPolicy, with_retries


@dataclass(frozen=True)
class BlockRef:
    number: int
    hash: bytes
    parent_hash: bytes
    timestamp: int


class ChainClient:
    def __init__(self, rpc_url: str, timeout: float = 10.0, retry: RetryPolicy = DEFAULT_RETRY) -> None:
        self.rpc_url = rpc_url
        self.retry = retry
        # `timeout` bounds each HTTP call; web3's own retry loop is off so ours is the only one.
        self.w3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": timeout},
                                         exception_retry_configuration=None))

    def contract(self, deployment: Deployment, name: str) -> Contract:
        """A handle on a deployed contract: ABI from the build artifact, address from the deployment record."""
        return self.w3.eth.contract(address=deployment.address(name), abi=artifacts.load(name).abi)

    def chain_id(self) -> int:
        return self._call(lambda: self.w3.eth.chain_id)

    def block(self, ref: int | str = "latest") -> BlockRef | None:
        raw = self._call(lambda: self.w3.eth.get_block(ref))
        if raw is None:
            return None
        return BlockRef(number=raw["number"], hash=bytes(raw["hash"]), parent_hash=bytes(raw["parentHash"]),
                        timestamp=raw["timestamp"])

    def head(self) -> BlockRef:
        block = self.block("latest")
        if block is None:
            raise RpcError(f"{self.rpc_url} returned no latest block")
        return block

    def finalized(self) -> BlockRef | None:
        """The node's `finalized` block, or None where the node has no such tag."""
        try:
            return self.block("finalized")
        except RpcError:
            return None

    def code_at(self, address: str) -> bytes:
        return bytes(self._call(lambda: self.w3.eth.get_code(Web3.to_checksum_address(address))))

    def _call(self, fn):
        """Run an idempotent read with retries; the last failure becomes RpcError."""
        try:
            return with_retries(fn, self.retry)
        except (Web3Exception, requests.RequestException, OSError, ValueError) as err:
            raise RpcError(f"RPC call to {self._safe_url} failed: {type(err).__name__}: {err}") from err

    @property
    def _safe_url(self) -> str:
        # Provider URLs often embed an API key in the path: show only scheme and host.
        from urllib.parse import urlsplit

        parts = urlsplit(self.rpc_url)
        return f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")
