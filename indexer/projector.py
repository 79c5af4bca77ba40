"""Maps decoded events to projection rows. Pure: no I/O beyond the lookups handed in.

Two outputs per batch: rows for the append-only tables (by model), and the new state of every
asset the batch touched. `apply_to_asset` is also what rebuilds an asset after a reorg.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from indexer.decoder import DecodedEvent
from indexer.models import ChainEvent
from ledger import models as m
from ledger.splits import split_amount

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
ZERO_HASH = "0x" + "00" * 32
ASSET_KINDS = {0: "work", 1: "recording"}
REGISTRY = "RightsRegistry"

SplitLookup = Callable[[int, int], tuple[list[str], list[int]]]


@dataclass
class Batch:
    chain_id: int
    rows: dict[type, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    assets: dict[int, dict[str, Any]] = field(default_factory=dict)  # touched assets, full rows
    stored_asset_ids: set[int] = field(default_factory=set)  # those of them that already have a row
    splits: dict[tuple[int, int], tuple[list[str], list[int]]] = field(default_factory=dict)
    events: int = 0


def asset_ids_touched(events: list[DecodedEvent]) -> set[int]:
    return {e.args["assetId"] for e in events if e.contract == REGISTRY and "assetId" in e.args}


def split_versions_needed(events: list[DecodedEvent]) -> set[tuple[int, int]]:
    """Splits a batch's distributions refer to (the caller loads those not created in the batch)."""
    return {(e.args["assetId"], e.args["splitVersion"]) for e in events
            if e.contract == "SplitVault" and e.name == "Distributed"}


def _hex(value: bytes) -> str:
    return "0x" + value.hex()


def raw_row(chain_id: int, event: DecodedEvent) -> dict[str, Any]:
    log = event.log
    return {"chain_id": chain_id, "block_hash": log.block_hash, "log_index": log.log_index,
            "block_number": log.block_number, "tx_hash": log.tx_hash, "tx_index": log.tx_index,
            "address": log.address, "contract": event.contract, "event": event.name,
            "args": event.args}


def apply_to_asset(asset: dict[str, Any] | None, chain_id: int, event: DecodedEvent) -> dict[str, Any] | None:
    """The asset row after `event` (registry events only); None when `event` does not concern assets."""
    a, block = event.args, event.block_number
    if event.name == "AssetRegistered":
        return {"chain_id": chain_id, "asset_id": a["assetId"], "kind": ASSET_KINDS.get(a["kind"], str(a["kind"])),
                "controller": a["controller"], "pending_controller": None,
                "industry_code": bytes.fromhex(a["industryCode"][2:]).rstrip(b"\0").decode("ascii", "replace"),
                "content_hash": None if a["contentHash"] == ZERO_HASH else a["contentHash"],
                "work_ids": list(a["workIds"]), "metadata_uri": a["metadataURI"], "split_version": 0,
                "split_hash": ZERO_HASH, "split_recipients": [], "split_allocations": [], "split_locked": False,
                "frozen": False, "registered_block": block, "registered_tx": _hex(event.log.tx_hash),
                "updated_block": block}
    if asset is None:
        return None
    updated = {**asset, "updated_block": block}
    match event.name:
        case "SplitUpdated":
            updated.update(split_version=a["version"], split_hash=a["splitHash"],
                           split_recipients=list(a["recipients"]), split_allocations=list(a["allocations"]))
        case "SplitLocked":
            updated["split_locked"] = True
        case "MetadataURIUpdated":
            updated["metadata_uri"] = a["metadataURI"]
        case "ControllerTransferStarted":
            pending = a["pendingController"]
            updated["pending_controller"] = None if pending == ZERO_ADDRESS else pending
        case "ControllerTransferred":
            updated.update(controller=a["newController"], pending_controller=None)
        case "AssetFrozen":
            updated["frozen"] = True
        case "AssetUnfrozen":
            if a["controller"] != updated["controller"]:
                updated["pending_controller"] = None
            updated.update(frozen=False, controller=a["controller"])
        case _:
            return None
    return updated


class Projector:
    def __init__(self, chain_id: int) -> None:
        self.chain_id = chain_id
        self._handlers = {
            ("RightsRegistry", "SplitUpdated"): self._split_updated,
            ("RightsRegistry", "ControllerTransferStarted"): self._controller_transfer_started,
            ("RightsRegistry", "ControllerTransferred"): self._controller_transferred,
            ("RightsRegistry", "AssetFrozen"): self._asset_frozen,
            ("RightsRegistry", "AssetUnfrozen"): self._asset_unfrozen,
            ("SplitVault", "Deposited"): self._deposited,
            ("SplitVault", "Distributed"): self._distributed,
            ("SplitVault", "Withdrawn"): self._withdrawn,
            ("PayoutDistributor", "PeriodPublished"): self._period_published,
            ("PayoutDistributor", "Claimed"): self._claimed,
            ("HarmoniEditions", "EditionCreated"): self._edition_created,
            ("HarmoniEditions", "EditionMinted"): self._edition_minted,
            ("HarmoniEditions", "TransferSingle"): self._transfer_single,
            ("HarmoniEditions", "TransferBatch"): self._transfer_batch,
        }

    def project(self, events: list[DecodedEvent], batch: Batch, splits: SplitLookup) -> None:
        """Add every event's rows to `batch`; `batch.assets` must hold the touched assets' current rows."""
        for event in events:
            batch.rows[ChainEvent].append(raw_row(self.chain_id, event))
            batch.events += 1
            handler = self._handlers.get((event.contract, event.name))
            if event.contract == REGISTRY:
                self._asset_event(event, batch)
            if handler is not None:
                handler(event, batch, splits)

    def _base(self, event: DecodedEvent) -> dict[str, Any]:
        return {"chain_id": self.chain_id, "block_number": event.block_number, "log_index": event.log_index,
                "tx_hash": _hex(event.log.tx_hash)}

    def _asset_event(self, event: DecodedEvent, batch: Batch) -> None:
        asset_id = event.args.get("assetId")
        if asset_id is None:
            return
        before = batch.assets.get(asset_id)
        after = apply_to_asset(before, self.chain_id, event)
        if after is None:
            return
        batch.assets[asset_id] = after
        batch.rows[m.AssetHistory].append({**self._base(event), "asset_id": asset_id, "event": event.name,
                                           "details": event.args})
        if event.name == "AssetUnfrozen" and before is not None and before["controller"] != after["controller"]:
            batch.rows[m.ControllerChange].append({**self._base(event), "asset_id": asset_id, "change": "arbitrated",
                                                   "previous_controller": before["controller"],
                                                   "new_controller": after["controller"]})

    def _split_updated(self, event, batch, _splits) -> None:
        a = event.args
        batch.splits[(a["assetId"], a["version"])] = (list(a["recipients"]), list(a["allocations"]))
        batch.rows[m.SplitVersion].append({**self._base(event), "asset_id": a["assetId"], "version": a["version"],
                                           "split_hash": a["splitHash"], "recipients": list(a["recipients"]),
                                           "allocations": list(a["allocations"]),
                                           "block_hash": _hex(event.log.block_hash)})

    def _controller_transfer_started(self, event, batch, _splits) -> None:
        a = event.args
        batch.rows[m.ControllerChange].append({**self._base(event), "asset_id": a["assetId"], "change": "started",
                                               "previous_controller": a["controller"],
                                               "new_controller": a["pendingController"]})

    def _controller_transferred(self, event, batch, _splits) -> None:
        a = event.args
        batch.rows[m.ControllerChange].append({**self._base(event), "asset_id": a["assetId"], "change": "transferred",
                                               "previous_controller": a["previousController"],
                                               "new_controller": a["newController"]})

    def _asset_frozen(self, event, batch, _splits) -> None:
        a = event.args
        batch.rows[m.AssetFreeze].append({**self._base(event), "asset_id": a["assetId"], "frozen": True,
                                          "arbiter": a["arbiter"], "reason_hash": a["reasonHash"], "controller": None})

    def _asset_unfrozen(self, event, batch, _splits) -> None:
        a = event.args
        batch.rows[m.AssetFreeze].append({**self._base(event), "asset_id": a["assetId"], "frozen": False,
                                          "arbiter": a["arbiter"], "reason_hash": None, "controller": a["controller"]})

    def _deposited(self, event, batch, _splits) -> None:
        a = event.args
        batch.rows[m.VaultDeposit].append({**self._base(event), "asset_id": a["assetId"], "token": a["token"],
                                           "depositor": a["from"], "amount": a["amount"]})

    def _distributed(self, event, batch, splits) -> None:
        a = event.args
        key = (a["assetId"], a["splitVersion"])
        recipients, allocations = batch.splits.get(key) or splits(*key)
        batch.rows[m.VaultDistribution].append({**self._base(event), "asset_id": a["assetId"], "token": a["token"],
                                                "amount": a["amount"], "split_version": a["splitVersion"],
                                                "split_hash": a["splitHash"]})
        for position, (account, amount) in enumerate(
                zip(recipients, split_amount(a["amount"], allocations), strict=True)):
            batch.rows[m.VaultCredit].append({
                "chain_id": self.chain_id, "block_number": event.block_number, "log_index": event.log_index,
                "position": position, "asset_id": a["assetId"], "token": a["token"], "account": account,
                "amount": amount})

    def _withdrawn(self, event, batch, _splits) -> None:
        a = event.args
        batch.rows[m.VaultWithdrawal].append({**self._base(event), "account": a["account"], "token": a["token"],
                                              "amount": a["amount"], "caller": a["caller"]})

    def _period_published(self, event, batch, _splits) -> None:
        a = event.args
        batch.rows[m.PayoutPeriod].append({
            **self._base(event), "distributor": event.log.address, "period_id": a["periodId"], "root": a["root"],
            "previous_root": a["previousRoot"], "cumulative_total": a["cumulativeTotal"], "funded": a["funded"],
            "statement_hash": a["statementHash"], "statement_uri": a["statementURI"]})

    def _claimed(self, event, batch, _splits) -> None:
        a = event.args
        batch.rows[m.PayoutClaim].append({**self._base(event), "distributor": event.log.address,
                                          "account": a["account"], "amount": a["amount"],
                                          "cumulative_amount": a["cumulativeAmount"], "root": a["root"]})

    def _edition_created(self, event, batch, _splits) -> None:
        a = event.args
        batch.rows[m.Edition].append({
            **self._base(event), "edition_id": a["editionId"], "asset_id": a["assetId"], "creator": a["creator"],
            "payment_token": a["paymentToken"], "price": a["price"], "max_supply": a["maxSupply"],
            "sale_start": a["saleStart"], "sale_end": a["saleEnd"], "per_wallet_cap": a["perWalletCap"],
            "royalty_bps": a["royaltyBps"], "royalty_receiver": a["royaltyReceiver"],
            "platform_fee_bps": a["platformFeeBps"]})

    def _edition_minted(self, event, batch, _splits) -> None:
        a = event.args
        batch.rows[m.EditionMint].append({**self._base(event), "edition_id": a["editionId"], "recipient": a["to"],
                                          "quantity": a["quantity"], "paid": a["paid"], "fee": a["fee"],
                                          "order_id": a["orderId"]})

    def _transfer_single(self, event, batch, _splits) -> None:
        a = event.args
        self._transfers(event, batch, a["from"], a["to"], [a["id"]], [a["value"]])

    def _transfer_batch(self, event, batch, _splits) -> None:
        a = event.args
        self._transfers(event, batch, a["from"], a["to"], a["ids"], a["values"])

    def _transfers(self, event, batch, sender, recipient, ids, values) -> None:
        for position, (edition_id, amount) in enumerate(zip(ids, values, strict=True)):
            batch.rows[m.EditionTransfer].append({
                "chain_id": self.chain_id, "block_number": event.block_number, "log_index": event.log_index,
                "position": position, "edition_id": edition_id, "sender": sender, "recipient": recipient,
                "amount": amount})



