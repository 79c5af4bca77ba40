"""ledger.merkle against the reference, @openzeppelin/merkle-tree run by node, and against PayoutDistributor."""

import copy
import json
import pickle
import random
import shutil
import subprocess
import sys
import threading

import pytest
from Crypto.Util import _raw_api
from eth_utils import keccak as eth_keccak
from eth_utils import to_checksum_address
from hypothesis import given, settings
from hypothesis import strategies as st

from chain import artifacts
from chain.toolchain import NODE_MODULES, REPO_ROOT
from harmoni import processes
from harmoni.processes import in_forks
from ledger.merkle import (
    InvalidMerkleTree,
    LeafNotInTree,
    StandardMerkleTree,
    _fast_keccak,
    _public_keccak,
    keccak,
)

PAYOUT_LEAF = ["address", "uint256"]
OTHER_LEAF_TYPES = ["string", "bytes32", "bool", "int256", "uint8[]", "bytes"]
OTHER_LEAF_VALUES = [
    ["first", "0x" + "11" * 32, True, -5, [1, 2, 3], "0x"],
    ["", "0x" + "ab" * 32, False, 2**255 - 1, [], "0xdeadbeef"],
    ["üñí", "0x" + "00" * 32, True, -(2**255), [255], "0x00"],
]

# Reads {encoding, values, ours} on stdin; builds the same tree with the library, proves every value, and checks
# our dump with the library's own load() (which re-hashes every node) and both of its verify functions.
JS_CROSS_CHECK = """
const { StandardMerkleTree } = require("@openzeppelin/merkle-tree");
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const tree = StandardMerkleTree.of(input.values, input.encoding);
const ours = StandardMerkleTree.load(input.ours);
const oursVerify = input.ours.values.every(({ value }, i) => {
  const proof = ours.getProof(i);
  return ours.verify(i, proof) && StandardMerkleTree.verify(input.ours.tree[0], input.encoding, value, proof);
});
process.stdout.write(JSON.stringify({
  root: tree.root,
  proofs: input.values.map((_, i) => tree.getProof(i)),
  dump: tree.dump(),
  oursRoot: ours.root,
  oursVerify,
}));
"""


def run_js(encoding: list[str], values: list[list], ours: dict) -> dict:
    if shutil.which("node") is None or not (NODE_MODULES / "@openzeppelin" / "merkle-tree").is_dir():
        pytest.fail("these tests need node and node_modules/@openzeppelin/merkle-tree: run `make deps`")
    payload = json.dumps({"encoding": encoding, "values": values, "ours": ours})
    result = subprocess.run(["node", "-e", JS_CROSS_CHECK], input=payload, capture_output=True, text=True,
                            cwd=REPO_ROOT, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def random_payouts(count: int, seed: int) -> list[list]:
    rng = random.Random(seed)
    values = [[to_checksum_address(rng.randbytes(20)), rng.randrange(1, 10**24)] for _ in range(count)]
    if count >= 2:
        values[-1][1] = 2**256 - 1  # the extremes of uint256 encode like any other amount
        values[0][1] = 0
    return values


@pytest.mark.parametrize("count", [1, 2, 7, 1000])
def test_payout_trees_match_the_js_library(count):
    values = random_payouts(count, seed=count)
    tree = StandardMerkleTree.of(values, PAYOUT_LEAF)
    ours = tree.dump()
    # The library's dumps carry uint256 as decimal strings; so do ours, and so does the input we give it.
    js = run_js(PAYOUT_LEAF, [v["value"] for v in ours["values"]], ours)

    assert tree.root == js["root"]
    assert [tree.proof(i) for i in range(count)] == js["proofs"]
    assert ours == js["dump"]
    assert js["oursRoot"] == tree.root and js["oursVerify"] is True

    theirs = StandardMerkleTree.load(js["dump"])
    assert theirs.root == tree.root
    assert [theirs.at(i) for i in range(count)] == values  # numbers back as ints, addresses as given
    assert all(theirs.proof(i) == tree.proof(i) for i in range(count))


def test_other_leaf_types_match_the_js_library():
    encoding, values = OTHER_LEAF_TYPES, OTHER_LEAF_VALUES
    tree = StandardMerkleTree.of(values, encoding)
    ours = tree.dump()
    js = run_js(encoding, [v["value"] for v in ours["values"]], ours)
    assert tree.root == js["root"]
    assert [tree.proof(i) for i in range(len(values))] == js["proofs"]
    assert js["oursVerify"] is True
    assert StandardMerkleTree.load(js["dump"]).root == tree.root


def test_every_proof_verifies_and_tampering_fails():
    rng = random.Random(7)
    for count in [*range(1, 18), 33, 100]:
        values = random_payouts(count, seed=1000 + count)
        tree = StandardMerkleTree.of(values, PAYOUT_LEAF)
        for i, (account, amount) in enumerate(values):
            proof = tree.proof(i)
            assert tree.proof([account, amount]) == proof
            assert tree.verify(i, proof) and tree.verify([account, amount], proof)
            assert StandardMerkleTree.verify_proof(tree.root, PAYOUT_LEAF, [account, amount], proof)
            assert not tree.verify([account, amount ^ 1], proof)
            other = to_checksum_address(rng.randbytes(20))
            assert not tree.verify([other, amount], proof)
            if proof:
                bent = list(proof)
                k = rng.randrange(len(bent))
                flipped = bytearray.fromhex(bent[k][2:])
                flipped[rng.randrange(32)] ^= 1 << rng.randrange(8)
                bent[k] = "0x" + flipped.hex()
                assert not tree.verify(i, bent)
                assert not tree.verify(i, proof[:-1])
            assert not tree.verify(i, [*proof, tree.root])


def test_load_refuses_a_tampered_dump():
    tree = StandardMerkleTree.of(random_payouts(9, seed=3), PAYOUT_LEAF)
    good = tree.dump()
    assert StandardMerkleTree.load(json.loads(json.dumps(good))).root == tree.root

    changed_value = json.loads(json.dumps(good))
    changed_value["values"][4]["value"][1] = str(int(changed_value["values"][4]["value"][1]) + 1)
    changed_node = json.loads(json.dumps(good))
    changed_node["tree"][3] = "0x" + "00" * 32
    changed_format = {**good, "format": "simple-v1"}
    for dump in (changed_value, changed_node, changed_format):
        with pytest.raises(InvalidMerkleTree):
            StandardMerkleTree.load(dump)


def test_bad_values_and_unknown_leaves_are_refused():
    tree = StandardMerkleTree.of(random_payouts(3, seed=5), PAYOUT_LEAF)
    with pytest.raises(LeafNotInTree):
        tree.proof(["0x" + "12" * 20, 1])
    with pytest.raises(LeafNotInTree):
        tree.proof(3)
    for bad in (["0x1234", 1], ["0x" + "12" * 20, -1], ["0x" + "12" * 20, 2**256], ["0x" + "12" * 20], "0x12"):
        with pytest.raises(InvalidMerkleTree):
            StandardMerkleTree.of([bad], PAYOUT_LEAF)
    with pytest.raises(InvalidMerkleTree):
        StandardMerkleTree.of([], PAYOUT_LEAF)


def test_leaves_match_the_payout_distributor(chain):
    distributor = chain.client.w3.eth.contract(address=chain.deployment.address("PayoutDistributor"),
                                               abi=artifacts.load("PayoutDistributor").abi)
    tree = StandardMerkleTree.of(random_payouts(5, seed=11), PAYOUT_LEAF)
    for i, (account, amount) in tree.entries():
        assert "0x" + distributor.functions.leaf(account, amount).call().hex() == tree.leaf_hash(i)


# -- keccak: the reused per-thread state --------------------------------------------------------------------------


def test_the_reused_keccak_state_is_in_use_here():
    assert _raw_api.backend == "cffi"
    fast = _fast_keccak()
    assert fast is not _public_keccak
    assert keccak is not _public_keccak
    assert fast(b"abc") == _public_keccak(b"abc") == eth_keccak(b"abc")


def test_keccak_matches_eth_utils_at_every_length_up_to_300():
    rng = random.Random(300)
    for length in range(301):  # crosses the 136-byte rate twice
        for _ in range(3):
            data = rng.randbytes(length)
            digest = keccak(data)
            assert type(digest) is bytes and digest == eth_keccak(data), length
    assert keccak(b"") == bytes.fromhex("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.binary(max_size=300), min_size=1, max_size=5))
def test_keccak_matches_eth_utils_for_random_inputs(messages):
    digests = [keccak(message) for message in messages]  # earlier digests must not change as the state is reused
    assert digests == [eth_keccak(message) for message in messages]


def test_keccak_is_right_in_many_threads_at_once():
    threads_count, per_thread = 8, 2_000
    inputs = [[random.Random(thread * 10_000 + i).randbytes(i % 301) for i in range(per_thread)]
              for thread in range(threads_count)]
    expected = [[eth_keccak(data) for data in batch] for batch in inputs]
    barrier = threading.Barrier(threads_count)
    got: list[list[bytes] | None] = [None] * threads_count

    def work(thread: int) -> None:
        barrier.wait()
        got[thread] = [keccak(data) for data in inputs[thread]]

    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, between and inside hashes
    try:
        threads = [threading.Thread(target=work, args=(thread,)) for thread in range(threads_count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        sys.setswitchinterval(previous)
    assert not any(thread.is_alive() for thread in threads)
    for thread in range(threads_count):
        assert got[thread] == expected[thread], f"thread {thread} got wrong digests"
    assert keccak(b"abc") == eth_keccak(b"abc")  # this thread's state is still right afterwards


# -- pickling ------------------------------------------------------------------------------------------------------


def assert_same_tree(clone: StandardMerkleTree, tree: StandardMerkleTree, values: list[list]) -> None:
    assert clone is not tree
    assert clone.root == tree.root
    assert clone.nodes == tree.nodes
    assert clone.dump() == tree.dump()
    assert len(clone) == len(tree) and clone.leaf_encoding == tree.leaf_encoding
    clone.validate()
    for i, value in enumerate(values):
        proof = tree.proof(i)
        assert clone.proof(i) == proof and clone.proof(value) == proof
        assert clone.at(i) == tree.at(i) and clone.tree_index(i) == tree.tree_index(i)
        assert clone.leaf_hash(i) == tree.leaf_hash(i)
        assert clone.verify(i, proof) and clone.verify(value, proof)
        assert StandardMerkleTree.verify_proof(clone.root, clone.leaf_encoding, value, proof)


@pytest.mark.parametrize("count", [1, 2, 7, 100])
@pytest.mark.parametrize("protocol", [0, pickle.DEFAULT_PROTOCOL, pickle.HIGHEST_PROTOCOL])
def test_a_pickled_tree_comes_back_the_same(count, protocol):
    values = random_payouts(count, seed=500 + count)
    tree = StandardMerkleTree.of(values, PAYOUT_LEAF)
    tree.proof(values[0])  # builds the lookup index, which the copy rebuilds on its own
    clone = pickle.loads(pickle.dumps(tree, protocol=protocol))  # noqa: S301 - our own bytes
    assert_same_tree(clone, tree, values)
    assert not clone.verify([values[0][0], values[0][1] + 1], clone.proof(0))
    with pytest.raises(LeafNotInTree):
        clone.proof(["0x" + "12" * 20, 1])


def test_a_pickled_tree_of_other_leaf_types_comes_back_the_same():
    encoding, values = OTHER_LEAF_TYPES, OTHER_LEAF_VALUES
    tree = StandardMerkleTree.of(values, encoding)
    assert_same_tree(copy.deepcopy(tree), tree, values)
    assert_same_tree(pickle.loads(pickle.dumps(tree)), tree, values)  # noqa: S301 - our own bytes


def test_a_tree_built_in_a_forked_child_comes_back_whole(monkeypatch):
    monkeypatch.setattr(processes, "other_threads", lambda: False)  # idle threads of earlier tests: fork anyway
    values = random_payouts(300, seed=77)
    here, there = in_forks(lambda: StandardMerkleTree.of(values, PAYOUT_LEAF),
                           lambda: StandardMerkleTree.of(values, PAYOUT_LEAF))
    assert_same_tree(there, here, values)


@pytest.mark.parametrize("wrap", [bytearray, memoryview])
def test_keccak_takes_any_bytes_like_value(wrap):
    data = bytes(range(200))
    assert keccak(wrap(data)) == eth_keccak(data)
