"""Random but valid ledger activity on a local anvil chain, for indexer tests and benchmarks.

Transactions go out as JSON-RPC batches of `eth_sendTransaction` from anvil's unlocked dev accounts
(no signing in Python), so tens of thousands of events can be produced quickly. The generator keeps a
small model of the chain (assets, splits, periods); after a reorg it re-reads what it needs.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field

from eth_abi import encode as abi_encode
from eth_utils import keccak

from chain.client import ChainClient
from chain.deployments import Deployment
from chain.rpc import JsonRpc
from chain.wallets import anvil_dev_account
from indexer.decoder import EventDecoder, RawLog
from ledger.merkle import StandardMerkleTree

NATIVE = "0x0000000000000000000000000000000000000000"
SCALE = 1_000_000
PAYOUT_LEAF = ["address", "uint256"]
INDEXED = ("RightsRegistry", "SplitVault", "PayoutDistributor", "HarmoniEditions")


def random_split(rng: random.Random, accounts: list[str], max_recipients: int = 4) -> tuple[list[str], list[int]]:
    recipients = sorted(rng.sample(accounts, rng.randint(1, min(max_recipients, len(accounts)))),
                        key=lambda a: int(a, 16))
    cuts = sorted(rng.sample(range(1, SCALE), len(recipients) - 1))
    allocations = [b - a for a, b in zip([0, *cuts], [*cuts, SCALE], strict=True)]
    return recipients, allocations


def leaf(account: str, cumulative: int) -> bytes:
    """Root of a one-leaf payout tree, which is its @openzeppelin/merkle-tree leaf hash."""
    tree = StandardMerkleTree.of([[account, cumulative]], PAYOUT_LEAF)
    return bytes.fromhex(tree.root[2:])


@dataclass
class Model:
    assets: dict[int, tuple[list[str], list[int]]] = field(default_factory=dict)  # asset -> split
    controllers: dict[int, str] = field(default_factory=dict)
    pending: dict[int, str] = field(default_factory=dict)
    frozen: set[int] = field(default_factory=set)
    works: list[int] = field(default_factory=list)
    editions: list[int] = field(default_factory=list)
    codes: int = 0
    period: int = 0
    root: bytes = bytes(32)
    cumulative_total: int = 0


class Workload:
    def __init__(self, rpc_url: str, deployment: Deployment, seed: int = 1, accounts: int = 8) -> None:
        self.rpc = JsonRpc(rpc_url, timeout_s=120)
        self.rng = random.Random(seed)
        self.deployment = deployment
        self.accounts = [anvil_dev_account(i).address for i in range(accounts)]
        self.admin, self.relayer = self.accounts[0], self.accounts[1]
        self.chain = ChainClient(rpc_url)
        self.contracts = {name: self.chain.contract(deployment, name) for name in deployment.contracts}
        self.model = Model()
        self._encoders: dict[tuple[str, str], tuple[bytes, list[str]]] = {}
        self._nonces: dict[str, int] = {}
        self.automine = True

    # -- plumbing ----------------------------------------------------------------------------------------
    def encode(self, contract: str, fn: str, args: list) -> str:
        """Calldata via eth_abi with a cached selector (web3's encode_abi is ~30x slower)."""
        key = (contract, fn)
        if key not in self._encoders:
            abi = next(i for i in self.contracts[contract].abi if i.get("type") == "function" and i["name"] == fn)
            types = [i["type"] for i in abi["inputs"]]
            self._encoders[key] = (keccak(text=f"{fn}({','.join(types)})")[:4], types)
        selector, types = self._encoders[key]
        return "0x" + (selector + abi_encode(types, args)).hex()

    def tx(self, sender: str, contract: str, fn: str, args: list, value: int = 0, gas: int = 600_000) -> dict:
        return {"from": sender, "to": self.deployment.address(contract), "data": self.encode(contract, fn, args),
                "value": hex(value), "gas": hex(gas)}

    def send(self, txs: list[dict], mine: bool = False) -> int:
        """Send a batch; returns how many the node accepted (invalid ones are simply dropped).

        Nonces are assigned here: the node serves a batch concurrently and would hand one nonce out twice.
        """
        accepted = 0
        for tx in txs:
            sender = tx["from"]
            if sender not in self._nonces:
                self._nonces[sender] = int(self.rpc.call("eth_getTransactionCount", [sender, "pending"]), 16)
            tx["nonce"] = hex(self._nonces[sender])
            self._nonces[sender] += 1
        for start in range(0, len(txs), 200):
            chunk = txs[start:start + 200]
            payload = [{"jsonrpc": "2.0", "id": i, "method": "eth_sendTransaction", "params": [t]}
                       for i, t in enumerate(chunk)]
            answers = self.rpc._post(payload)
            hashes = [a["result"] for a in answers if "result" in a]
            accepted += len(hashes)
            if self.automine and hashes:  # anvil answers before it has mined: wait for the block
                while self.rpc.call("eth_getTransactionReceipt", [hashes[-1]]) is None:
                    pass
        if accepted < len(txs):
            self._nonces.clear()  # a rejected nonce leaves a gap: ask the node again next time
        if mine:
            self.rpc.call("anvil_mine", ["0x1"])
        return accepted

    def setup_payouts(self) -> None:
        """Give the relayer payout tokens and let the distributor pull them."""
        self.send([self.tx(self.admin, "DevStablecoin", "mint", [self.relayer, 10**30]),
                   self.tx(self.relayer, "DevStablecoin", "approve",
                           [self.deployment.address("PayoutDistributor"), 2**256 - 1])])

    def bulk(self, min_events: int, per_block: int = 400) -> int:
        """Fill blocks of `per_block` random transactions until at least `min_events` events were emitted.

        The node serves a batch concurrently, so the order inside a block is not ours: each block is
        planned on a scratch copy of the model, and the model then learns what really happened from the
        block's own events.
        """
        self.rpc.call("evm_setAutomine", [False])
        self.automine = False
        self.rpc.call("evm_setBlockGasLimit", [hex(2_000_000_000)])
        decoder = EventDecoder({n: self.deployment.address(n) for n in INDEXED})
        events = 0
        try:
            while events < min_events:
                settled, self.model = self.model, copy.deepcopy(self.model)
                next_id = len(settled.controllers) + 1
                txs = []
                for _ in range(per_block):
                    tx, next_id = self.random_action(next_id)
                    txs.append(tx)
                settled.codes, self.model = self.model.codes, settled
                self.send(txs)
                self.rpc.call("anvil_mine", ["0x1"])
                head = self.rpc.call("eth_getBlockByNumber", ["latest", False])
                logs = self.rpc.call("eth_getLogs", [{"blockHash": head["hash"], "address": decoder.addresses}])
                for raw in logs:
                    event = decoder.decode(RawLog.from_rpc(raw))
                    if event is not None:
                        self.learn(event.name, event.args)
                events += len(logs)
        finally:
            self.rpc.call("evm_setAutomine", [True])
            self.automine = True
        return events

    def learn(self, name: str, a: dict) -> None:
        """Bring the model up to date with one event that happened on chain."""
        m = self.model
        match name:
            case "AssetRegistered":
                m.controllers[a["assetId"]] = a["controller"]
                if a["kind"] == 0:
                    m.works.append(a["assetId"])
            case "SplitUpdated":
                m.assets[a["assetId"]] = (list(a["recipients"]), list(a["allocations"]))
            case "ControllerTransferStarted":
                m.pending[a["assetId"]] = a["pendingController"]
            case "ControllerTransferred":
                m.controllers[a["assetId"]] = a["newController"]
                m.pending.pop(a["assetId"], None)
            case "AssetFrozen":
                m.frozen.add(a["assetId"])
            case "AssetUnfrozen":
                m.frozen.discard(a["assetId"])
                m.controllers[a["assetId"]] = a["controller"]
            case "EditionCreated":
                m.editions.append(a["editionId"])
            case "PeriodPublished":
                m.period, m.root, m.cumulative_total = a["periodId"], bytes.fromhex(a["root"][2:]), a["cumulativeTotal"]

    def resync(self) -> None:
        """Rebuild the model from the chain after a reorg dropped some of our transactions."""
        self._nonces.clear()
        registry = self.contracts["RightsRegistry"]
        count = registry.functions.assetCount().call()
        self.model.assets = {k: v for k, v in self.model.assets.items() if k <= count}
        self.model.works = [w for w in self.model.works if w <= count]
        for asset_id in list(self.model.assets):
            if registry.functions.splitHash(asset_id).call() != registry.functions.hashSplit(
                    *self.model.assets[asset_id]).call():
                self.model.assets.pop(asset_id)  # split unknown now: leave that asset alone
            else:
                self.model.controllers[asset_id] = registry.functions.controllerOf(asset_id).call()
                self.model.pending.pop(asset_id, None)
                if registry.functions.isFrozen(asset_id).call():
                    self.model.frozen.add(asset_id)
                else:
                    self.model.frozen.discard(asset_id)
        distributor = self.contracts["PayoutDistributor"]
        self.model.period = distributor.functions.currentPeriodId().call()
        self.model.root = distributor.functions.currentRoot().call()
        self.model.cumulative_total = distributor.functions.cumulativeTotal().call()

    # -- actions -----------------------------------------------------------------------------------------
    def _code(self, kind: str) -> bytes:
        self.model.codes += 1
        n = self.model.codes
        if kind == "work":
            return b"T" + str(n).zfill(10).encode() + b"\0"
        return b"US" + b"HRM" + b"26" + str(n).zfill(5).encode()[-5:]

    def register(self, asset_id: int) -> dict:
        """Register the asset that will get id `asset_id` (the caller sends these in order)."""
        controller = self.rng.choice(self.accounts)
        split = random_split(self.rng, self.accounts)
        self.model.assets[asset_id] = split
        self.model.controllers[asset_id] = controller
        if not self.model.works or self.rng.random() < 0.4:
            self.model.works.append(asset_id)
            return self.tx(controller, "RightsRegistry", "registerWork",
                           [controller, self._code("work"), f"ipfs://work-{asset_id}", *split])
        works = sorted(set(self.rng.sample(self.model.works, min(2, len(self.model.works)))))
        content = keccak(text=f"audio-{asset_id}-{self.model.codes}")
        if self.model.codes >= 99_999:
            raise RuntimeError("ISRC designations exhausted for this workload")
        return self.tx(controller, "RightsRegistry", "registerRecording",
                       [controller, self._code("recording"), content, works, f"ipfs://rec-{asset_id}", *split])

    def random_action(self, next_asset_id: int) -> tuple[dict, int]:
        """One valid-looking transaction; returns it and the next free asset id."""
        m, rng = self.model, self.rng
        roll = rng.random()
        asset_id = rng.randint(1, max(len(m.controllers), 1))  # ids are dense: O(1) instead of a list copy
        if asset_id not in m.assets or roll < 0.25:
            return self.register(next_asset_id), next_asset_id + 1
        controller = m.controllers[asset_id]
        if asset_id in m.frozen and roll < 0.84:  # split and controller changes revert while frozen
            roll = 0.5
        if roll < 0.35:
            split = random_split(rng, self.accounts)
            m.assets[asset_id] = split
            return self.tx(controller, "RightsRegistry", "updateSplit", [asset_id, *split]), next_asset_id
        if roll < 0.65:
            amount = rng.randint(1, 10**15)
            return self.tx(rng.choice(self.accounts), "SplitVault", "deposit", [asset_id, NATIVE, amount],
                           value=amount), next_asset_id
        if roll < 0.75:
            return self.tx(rng.choice(self.accounts), "SplitVault", "distribute",
                           [asset_id, NATIVE, *m.assets[asset_id]]), next_asset_id
        if roll < 0.80:
            return self.tx(rng.choice(self.accounts), "SplitVault", "withdraw",
                           [rng.choice(self.accounts), NATIVE]), next_asset_id
        if roll < 0.82:
            new_controller = rng.choice(self.accounts)
            m.pending[asset_id] = new_controller
            return self.tx(controller, "RightsRegistry", "transferController",
                           [asset_id, new_controller]), next_asset_id
        if roll < 0.84 and asset_id in m.pending:
            m.controllers[asset_id] = m.pending.pop(asset_id)
            return self.tx(m.controllers[asset_id], "RightsRegistry", "acceptController", [asset_id]), next_asset_id
        if roll < 0.86:
            m.frozen.add(asset_id)
            return self.tx(self.admin, "RightsRegistry", "freeze", [asset_id, keccak(text="dispute")]), next_asset_id
        if roll < 0.88:
            m.frozen.discard(asset_id)
            return self.tx(self.admin, "RightsRegistry", "unfreeze", [asset_id, NATIVE]), next_asset_id
        if roll < 0.90:
            return self.tx(controller, "RightsRegistry", "setMetadataURI",
                           [asset_id, f"ipfs://meta-{rng.randint(0, 10**9)}"]), next_asset_id
        if roll < 0.93:
            m.editions.append(len(m.editions) + 1)
            return self.tx(controller, "HarmoniEditions", "createEdition",
                           [asset_id, NATIVE, 10**12, 1000, 0, 2**40, 50, 500]), next_asset_id
        if roll < 0.96 and m.editions:
            edition = rng.choice(m.editions)
            quantity = rng.randint(1, 3)
            return self.tx(rng.choice(self.accounts), "HarmoniEditions", "mint", [edition, quantity],
                           value=10**12 * quantity), next_asset_id
        return self.publish_period(), next_asset_id

    def publish_period(self) -> dict:
        m = self.model
        account = self.rng.choice(self.accounts)
        m.cumulative_total += self.rng.randint(1, 10**9)
        root = leaf(account, m.cumulative_total)  # a one-leaf tree: its root is the leaf
        previous, m.root = m.root, root
        m.period += 1
        return self.tx(self.relayer, "PayoutDistributor", "publishPeriod",
                       [m.period, root, m.cumulative_total, keccak(text=f"statement-{m.period}"),
                        f"ipfs://statement-{m.period}", previous])

    def claim_latest(self) -> list[dict]:
        """Claim the single leaf of the current period, if any."""
        m = self.model
        return [self.tx(a, "PayoutDistributor", "claim", [a, m.cumulative_total, [], m.root])
                for a in self.accounts if leaf(a, m.cumulative_total) == m.root]

    def next_asset_id(self) -> int:
        return self.contracts["RightsRegistry"].functions.assetCount().call() + 1
