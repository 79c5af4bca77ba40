"""Sending transactions: EIP-1559 fees with a floor on the priority fee, receipt waiting with a timeout."""

from __future__ import annotations

from dataclasses import dataclass

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.exceptions import ContractCustomError, ContractLogicError, TimeExhausted, Web3Exception

from chain.errors import ContractReverted, RpcError, TxTimeout


@dataclass(frozen=True)
class TxResult:
    tx_hash: str
    block_number: int
    gas_used: int
    contract_address: str | None


class TransactionSender:
    """Signs locally and sends raw transactions from one account."""

    def __init__(self, w3: Web3, account: LocalAccount, min_priority_fee_wei: int = 0,
                 receipt_timeout_s: float = 120.0) -> None:
        self.w3 = w3
        self.account = account
        self.min_priority_fee_wei = min_priority_fee_wei
        self.receipt_timeout_s = receipt_timeout_s

    def fees(self) -> dict[str, int]:
        base_fee = self.w3.eth.get_block("latest")["baseFeePerGas"]
        priority = max(self.w3.eth.max_priority_fee, self.min_priority_fee_wei)
        return {"maxPriorityFeePerGas": priority, "maxFeePerGas": 2 * base_fee + priority}

    def send(self, tx: dict) -> TxResult:
        """Fill nonce, gas and fees, sign, send, wait; a revert raises ContractReverted."""
        try:
            tx = {**tx, "from": self.account.address, "chainId": self.w3.eth.chain_id,
                  "nonce": self.w3.eth.get_transaction_count(self.account.address, "pending"), **self.fees()}
            tx["gas"] = tx.get("gas") or int(self.w3.eth.estimate_gas(tx) * 1.2)
            signed = self.account.sign_transaction(tx)
            tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
            receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=self.receipt_timeout_s)
        except (ContractCustomError, ContractLogicError) as err:
            raise ContractReverted(f"transaction would revert: {err}") from err
        except TimeExhausted as err:
            raise TxTimeout(f"transaction not mined within {self.receipt_timeout_s:.0f}s") from err
        except (Web3Exception, OSError, ValueError) as err:
            raise RpcError(f"sending transaction failed: {type(err).__name__}: {err}") from err
        if receipt["status"] != 1:
            raise ContractReverted(f"transaction {tx_hash.to_0x_hex()} reverted in block {receipt['blockNumber']}")
        return TxResult(tx_hash=receipt["transactionHash"].to_0x_hex(), block_number=receipt["blockNumber"],
                        gas_used=receipt["gasUsed"], contract_address=receipt.get("contractAddress"))
