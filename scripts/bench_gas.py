"""Gas of real HARMONI transactions on a fresh anvil, next to the public figures we compare against.

Starts its own anvil (free port, no state), deploys every contract, sends the transactions from anvil's unlocked
dev accounts and reads `gasUsed` of each receipt (the whole transaction: 21,000 base, calldata, execution, after
refunds). Prints one JSON line: each figure, the `reference` figures and `ratio_<figure>` = ours / reference.

    make bench-gas        # or: .venv/bin/python scripts/bench_gas.py [--seed N]
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import sys
import tempfile
from pathlib import Path

from eth_utils import keccak, to_checksum_address

from chain import artifacts
from chain.client import ChainClient
from chain.deploy import deploy_all
from chain.node import AnvilNode
from chain.wallets import anvil_dev_account
from ledger.merkle import StandardMerkleTree

NATIVE = "0x0000000000000000000000000000000000000000"
ZERO_ROOT = bytes(32)
SCALE = 1_000_000
METADATA_URI = "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"  # a typical CIDv1
CLAIM_LEAVES = 100_000
CLAIMS = 25

# Public figures: 0xSplits v1 (createSplit immutable; distributeETH to recipients already holding a balance) and
# Uniswap's MerkleDistributor (average first claim on a 100k-leaf tree). The repeat claim is held to Uniswap's too.
REFERENCE = {
    "register_2": 100_741,
    "register_10": 110_802,
    "distribute_2": 57_390,
    "distribute_10": 110_069,
    "distribute_100": 702_505,
    "claim_100k": 78_600,
    "claim_100k_repeat": 78_600,
}


class Bench:
    def __init__(self, rpc_url: str, data_dir: Path, seed: int) -> None:
        client = ChainClient(rpc_url, timeout=60)
        self.w3 = client.w3
        self.rng = random.Random(seed)
        self.deployer, self.relayer = anvil_dev_account(0).address, anvil_dev_account(1).address
        self.artist, self.fan = anvil_dev_account(2).address, anvil_dev_account(3).address
        deployment = deploy_all(client, anvil_dev_account(0), self.relayer, data_dir)
        self.c = {name: self.w3.eth.contract(address=deployment.address(name), abi=artifacts.load(name).abi)
                  for name in deployment.contracts}
        self.works = 0

    def gas(self, call, sender: str, value: int = 0) -> int:
        """Send through the node's unlocked account and return the receipt's gasUsed."""
        receipt = self.w3.eth.wait_for_transaction_receipt(call.transact({"from": sender, "value": value}))
        if receipt["status"] != 1:
            raise RuntimeError(f"{call.fn_name} reverted: {receipt['transactionHash'].hex()}")
        return receipt["gasUsed"]

    def split(self, count: int) -> tuple[list[str], list[int]]:
        """`count` fresh recipients, ascending, sharing 1e6 evenly (the remainder to the first)."""
        recipients = sorted((to_checksum_address(self.rng.randbytes(20)) for _ in range(count)),
                            key=lambda a: int(a, 16))
        allocations = [SCALE // count] * count
        allocations[0] += SCALE - sum(allocations)
        return recipients, allocations

    def register(self, recipients: list[str], allocations: list[int]) -> tuple[int, int]:
        """registerWork with this split; returns (asset id, gas)."""
        self.works += 1
        iswc = b"T" + str(self.works).zfill(10).encode() + b"\0"
        registry = self.c["RightsRegistry"]
        gas = self.gas(registry.functions.registerWork(self.artist, iswc, METADATA_URI, recipients, allocations),
                       self.artist)
        return registry.functions.assetCount().call(), gas

    def distribute_warm(self, count: int) -> int:
        """The second distribution of an asset: every recipient already holds a balance."""
        recipients, allocations = self.split(count)
        asset_id, _ = self.register(recipients, allocations)
        vault = self.c["SplitVault"]
        deposit = vault.functions.deposit(asset_id, NATIVE, 10**18)
        distribute = vault.functions.distribute(asset_id, NATIVE, recipients, allocations)
        self.gas(deposit, self.fan, value=10**18)
        self.gas(distribute, self.fan)
        self.gas(deposit, self.fan, value=10**18)
        return self.gas(distribute, self.fan)

    def publish(self, period: int, tree: StandardMerkleTree, total: int, previous: bytes) -> None:
        distributor = self.c["PayoutDistributor"]
        funded = total - distributor.functions.cumulativeTotal().call()
        self.gas(self.c["DevStablecoin"].functions.mint(self.relayer, funded), self.deployer)
        self.gas(self.c["DevStablecoin"].functions.approve(distributor.address, funded), self.relayer)
        self.gas(distributor.functions.publishPeriod(period, tree.root, total, keccak(text=f"statement-{period}"),
                                                     f"ipfs://statement-{period}", previous), self.relayer)

    def claims(self, tree: StandardMerkleTree, picks: list[int]) -> float:
        distributor = self.c["PayoutDistributor"]
        used = [self.gas(distributor.functions.claim(*tree.at(i), tree.proof(i), tree.root), self.fan)
                for i in picks]
        return sum(used) / len(used)

    def claim_100k(self) -> tuple[float, float]:
        """Average gas of first claims on a 100k-leaf tree, then of repeat claims after the next period."""
        leaves = [[to_checksum_address(self.rng.randbytes(20)), self.rng.randrange(10**6, 10**9)]
                  for _ in range(CLAIM_LEAVES)]
        picks = self.rng.sample(range(CLAIM_LEAVES), CLAIMS)
        first = StandardMerkleTree.of(leaves, ["address", "uint256"])
        self.publish(1, first, sum(amount for _, amount in leaves), ZERO_ROOT)
        first_gas = self.claims(first, picks)
        for i in picks:  # the claimed accounts earned more during period 2
            leaves[i][1] += self.rng.randrange(10**6, 10**9)
        second = StandardMerkleTree.of(leaves, ["address", "uint256"])
        self.publish(2, second, sum(amount for _, amount in leaves), bytes.fromhex(first.root[2:]))
        return first_gas, self.claims(second, picks)

    def mint_edition(self, asset_id: int) -> int:
        """A fan's native-token mint of one token of a new edition (platform fee to treasury, rest to the vault)."""
        editions = self.c["HarmoniEditions"]
        price = 10**16
        self.gas(editions.functions.createEdition(asset_id, NATIVE, price, 1000, 0, 0, 0, 500), self.artist)
        return self.gas(editions.functions.mint(editions.functions.editionCount().call(), 1), self.fan, value=price)

    def run(self) -> dict:
        figures: dict[str, float] = {}
        asset_ids = {}
        self.register(*self.split(1))  # the first registration also writes the asset counter from zero: not measured
        for count in (2, 10, 100):
            asset_ids[count], figures[f"register_{count}"] = self.register(*self.split(count))
        for count in (2, 10, 100):
            figures[f"distribute_{count}"] = self.distribute_warm(count)
        figures["claim_100k"], figures["claim_100k_repeat"] = self.claim_100k()
        figures["mint_edition"] = self.mint_edition(asset_ids[2])
        figures = {k: round(v) for k, v in figures.items()}
        ratios = {f"ratio_{k}": round(figures[k] / ref, 3) for k, ref in REFERENCE.items()}
        return {**figures, "reference": REFERENCE, **ratios}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1, help="seed of the random accounts and amounts")
    args = parser.parse_args(argv)
    artifacts.ensure_built()
    node = AnvilNode(free_port(), 31337, state_path=None)
    node.start()
    try:
        with tempfile.TemporaryDirectory(prefix="harmoni-bench-gas-") as data_dir:
            result = Bench(node.url, Path(data_dir), args.seed).run()
    finally:
        node.stop()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
