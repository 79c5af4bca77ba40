"""Merkle vectors from `ledger/merkle.py` for the web app's verifier (web/src/auditor/vectors/python-trees.json).

`python -m tests.web.merkle_vectors > web/src/auditor/vectors/python-trees.json` writes them; the Vitest suite
rebuilds each tree with `@openzeppelin/merkle-tree` and checks root and proofs, and `test_merkle_vectors.py` checks
the committed file is what Python writes today.
"""

from __future__ import annotations

import json
import random

from ledger.merkle import StandardMerkleTree

ENCODING = ["address", "uint256"]


def _address(rng: random.Random) -> str:
    from web3 import Web3

    return Web3.to_checksum_address("0x" + rng.randbytes(20).hex())


def vectors() -> list[dict]:
    rng = random.Random(17)
    out = []
    for size in (1, 2, 3, 7, 50):
        leaves = [[_address(rng), rng.randrange(1, 10**12)] for _ in range(size)]
        tree = StandardMerkleTree.of(leaves, ENCODING)
        out.append({"dump": tree.dump(), "root": tree.root,
                    "proofs": [{"leaf": [account, str(amount)], "proof": tree.proof(i)}
                               for i, (account, amount) in enumerate(leaves)]})
    return out


def render() -> str:
    return json.dumps(vectors(), indent=1) + "\n"


if __name__ == "__main__":
    print(render(), end="")
