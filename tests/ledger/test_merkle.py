"""ledger.merkle against the reference, @openzeppelin/merkle-tree run by node, and against PayoutDistributor."""

import json
import random
import shutil
import subprocess

import pytest
from eth_utils import to_checksum_address

from chain import artifacts
from chain.toolchain import NODE_MODULES, REPO_ROOT
from ledger.merkle import InvalidMerkleTree, LeafNotInTree, StandardMerkleTree

PAYOUT_LEAF = ["address", "uint256"]

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
    encoding = ["string", "bytes32", "bool", "int256", "uint8[]", "bytes"]
    values = [
        ["first", "0x" + "11" * 32, True, -5, [1, 2, 3], "0x"],
        ["", "0x" + "ab" * 32, False, 2**255 - 1, [], "0xdeadbeef"],
        ["üñí", "0x" + "00" * 32, True, -(2**255), [255], "0x00"],
    ]
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
