"""What writing the managed chain's whole state at every block costs (`chain.node.ChainClock`).

Builds a chain of `--blocks` blocks (every `--tx-every`-th with a transfer), then times `AnvilNode.persist()`
(anvil_dumpState, decompress, write, fsync, rename) against mining one block (`evm_mine`, the baseline) in the
same run. Prints one JSON line. Usage: python scripts/bench_chain_state.py [--blocks 5000] [--tx-every 10]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chain.node import AnvilNode, rpc_call
from tests.conftest import free_port


def _timed(fn, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=5000)
    parser.add_argument("--tx-every", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        node = AnvilNode(free_port(), 31337, Path(tmp) / "state.json", mined_by_caller=True,
                         extra_args=("--slots-in-an-epoch", "1"))
        node.start()
        try:
            sender = rpc_call(node.url, "eth_accounts")[0]
            for number in range(args.blocks):
                if number % args.tx_every == 0:
                    rpc_call(node.url, "eth_sendTransaction", [{"from": sender, "value": "0x1",
                                                                "to": "0x000000000000000000000000000000000000dEaD"}])
                node.mine()
            persist_ms = _timed(node.persist, args.repeat)
            mine_ms = _timed(node.mine, args.repeat)
            size = node.persist()
        finally:
            node.stop()
    print(json.dumps({"blocks": args.blocks, "state_mb": round(size / 2**20, 2), "persist_ms": round(persist_ms, 2),
                      "baseline_mine_ms": round(mine_ms, 2), "ratio": round(persist_ms / mine_ms, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
