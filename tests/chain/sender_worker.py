"""A separate process sending through the shared store: `python -m tests.chain.sender_worker URL DB PREFIX N`.

Prints one line per mined transaction: `<key> <nonce> <tx hash>`.
"""

from __future__ import annotations

import sys

from chain.client import ChainClient
from chain.sender import TransactionSender
from chain.wallets import anvil_dev_account
from ledger.operations import PostgresOperationStore
from tests.chain.conftest import SENDER_INDEX


def main(rpc_url: str, database_url: str, prefix: str, count: int) -> None:
    client = ChainClient(rpc_url)
    account = anvil_dev_account(SENDER_INDEX)
    sender = TransactionSender(client.w3, account, PostgresOperationStore.from_url(database_url),
                               poll_interval_s=0.02, receipt_timeout_s=30)
    for i in range(count):
        key = f"{prefix}:{i}"
        result = sender.send(key, {"to": anvil_dev_account(7).address, "value": i + 1})
        print(key, result.nonce, result.tx_hash, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
