"""The Merkle vectors the web app's verifier is tested against are what `ledger/merkle.py` writes today."""

from chain.toolchain import REPO_ROOT
from tests.web.merkle_vectors import render

VECTORS = REPO_ROOT / "web" / "src" / "auditor" / "vectors" / "python-trees.json"


def test_committed_vectors_are_pythons():
    assert VECTORS.read_text() == render(), "regenerate: python -m tests.web.merkle_vectors > " + str(VECTORS)
