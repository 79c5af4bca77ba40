"""StandardMerkleTree, the tree of `@openzeppelin/merkle-tree` 1.x (dump format "standard-v1"), in Python.

Auditors check our payout roots with the JS library or OpenZeppelin's `MerkleProof`, so every byte here follows
the library: leaf = keccak256(keccak256(abi.encode(types, value))); a node hashes its two children sorted; leaves
are sorted by hash and stored at the end of one array in reverse order (leaf i at `len(tree) - 1 - i`), node i
having children 2i+1 and 2i+2; the root is `tree[0]`. Hashes leave this module as 0x-prefixed lowercase hex.

Values are Python values: ints for (u)intN, address strings as given (the payouts code passes checksummed ones),
bools, hex strings or bytes for bytesN. `dump()` writes ints as decimal strings, like the JS library does for
uint256 (JSON has no big integers); `load()` turns them back into ints.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import eth_abi
from Crypto.Hash import keccak as _keccak
from Crypto.Util import _raw_api
from eth_abi.grammar import BasicType, TupleType, parse

from harmoni.errors import NotFound, ValidationFailed

FORMAT = "standard-v1"

_HEX_32 = re.compile(r"0x[0-9a-fA-F]{64}")
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


class InvalidMerkleTree(ValidationFailed):
    """A dump that is not a valid standard-v1 tree, or a value that does not fit the leaf encoding."""

    slug = "invalid-merkle-tree"
    title = "Invalid Merkle tree"


class LeafNotInTree(NotFound):
    slug = "merkle-leaf-not-found"
    title = "Leaf not in Merkle tree"


def _public_keccak(data: bytes) -> bytes:
    return _keccak.new(data=data, digest_bits=256).digest()


class _ReusedKeccak(threading.local):
    """One pycryptodome keccak state per thread, reset for each message: a 50k-leaf tree takes 150k hashes, and
    `keccak.new` spends two thirds of each on allocating and freeing its state (0.78 s against 0.24 s).

    This reaches into pycryptodome's cffi binding (`_raw_keccak_lib`, the one `keccak.new` itself calls);
    `_fast_keccak()` checks it against the public API once and falls back to that if anything differs."""

    def __init__(self) -> None:
        state = _raw_api.VoidPointer()
        if _keccak._raw_keccak_lib.keccak_init(state.address_of(), _raw_api.c_size_t(64), _raw_api.c_ubyte(24)):
            raise ValueError("keccak_init failed")
        self.owner = _raw_api.SmartPointer(state.get(), _keccak._raw_keccak_lib.keccak_destroy)  # frees it
        self.state = self.owner.get()
        self.out = _raw_api.ffi.new("uint8_t[32]")
        self.digest = _raw_api.ffi.buffer(self.out)


def _fast_keccak() -> Callable[[bytes], bytes]:
    try:
        if _raw_api.backend != "cffi":
            return _public_keccak
        local = _ReusedKeccak()
        lib = _keccak._raw_keccak_lib
        reset, absorb, squeeze = lib.keccak_reset, lib.keccak_absorb, lib.keccak_digest

        def keccak(data: bytes) -> bytes:
            if type(data) is not bytes:  # cffi takes bytes for a uint8_t*, not a bytearray or memoryview
                data = bytes(data)
            state = local.state
            # 0x01: Keccak's padding (SHA-3's would be 0x06); each call answers 0, or an error code
            if reset(state) or absorb(state, data, len(data)) or squeeze(state, local.out, 32, 0x01):
                raise ValueError("keccak failed in pycryptodome")
            return local.digest[:]

        samples = (b"", b"abc", bytes(range(256)) * 3)
        if all(keccak(sample) == _public_keccak(sample) for sample in samples):
            return keccak
    except (AttributeError, TypeError, ValueError):  # another pycryptodome: its internals moved
        pass
    return _public_keccak


keccak: Callable[[bytes], bytes] = _fast_keccak()
keccak.__doc__ = "keccak256 of `data` (what Solidity's `keccak256` returns)."


def node_hash(a: bytes, b: bytes) -> bytes:
    """keccak256 of the two children, smaller first (OpenZeppelin `Hashes.commutativeKeccak256`)."""
    return keccak(a + b if a <= b else b + a)


def process_proof(leaf: bytes, proof: Sequence[str | bytes]) -> bytes:
    """The root that `proof` leads to from `leaf`."""
    computed = leaf
    for sibling in proof:
        computed = node_hash(computed, _node_bytes(sibling))
    return computed


class StandardMerkleTree:
    """A complete binary tree over ABI-encoded values; build it with `of`, or `load` a dump."""

    def __init__(self, tree: list[bytes], values: list[tuple[list[Any], int]], leaf_encoding: list[str]) -> None:
        """Internal: `tree` as raw 32-byte nodes, `values` as (value, tree index). Use `of` or `load`."""
        self._tree = tree
        self._values = values
        self.leaf_encoding = leaf_encoding
        self._codec = _LeafCodec(leaf_encoding)
        self._index_by_hash: dict[bytes, int] | None = None

    def __reduce__(self) -> tuple:
        """Pickled as its nodes in one string and its values (the leaf codec is rebuilt from the encoding)."""
        return _unpickle_tree, (b"".join(self._tree), self._values, self.leaf_encoding)

    @classmethod
    def of(cls, values: Sequence[Sequence[Any]], leaf_encoding: Sequence[str], *,
           sort_leaves: bool = True) -> StandardMerkleTree:
        """Build a tree over `values` (each a sequence matching `leaf_encoding`), like `StandardMerkleTree.of`."""
        codec = _LeafCodec(list(leaf_encoding))
        normalized = [codec.normalize(value) for value in values]
        if not normalized:
            raise InvalidMerkleTree("a Merkle tree needs at least one leaf")
        hashes = [codec.hash(value) for value in normalized]
        # Python's sort is stable like JS's, so equal leaves keep the order of the values.
        order = sorted(range(len(hashes)), key=hashes.__getitem__) if sort_leaves else list(range(len(hashes)))
        tree = _make_tree([hashes[i] for i in order])
        last = len(tree) - 1
        tree_index = [0] * len(normalized)
        for leaf_index, value_index in enumerate(order):
            tree_index[value_index] = last - leaf_index
        return cls(tree, list(zip(normalized, tree_index, strict=True)), codec.encoding)

    @classmethod
    def load(cls, data: Mapping[str, Any]) -> StandardMerkleTree:
        """Read a standard-v1 dump (ours or the JS library's) and check every node and leaf, like `load` in JS."""
        if data.get("format") != FORMAT:
            raise InvalidMerkleTree(f"unknown Merkle tree format {data.get('format')!r}, expected {FORMAT!r}")
        encoding = data.get("leafEncoding")
        if not isinstance(encoding, list) or not encoding or not all(isinstance(t, str) for t in encoding):
            raise InvalidMerkleTree("a standard-v1 dump needs a leafEncoding list of ABI types")
        raw_tree = data.get("tree")
        if not isinstance(raw_tree, list) or not raw_tree:
            raise InvalidMerkleTree("a standard-v1 dump needs a non-empty tree")
        if not all(isinstance(node, str) and _HEX_32.fullmatch(node) for node in raw_tree):
            raise InvalidMerkleTree("every tree node must be 32 bytes of 0x-prefixed hex")
        tree = [bytes.fromhex(node[2:]) for node in raw_tree]
        codec = _LeafCodec(encoding)
        values = []
        for entry in data.get("values") or []:
            if not isinstance(entry, Mapping) or not isinstance(entry.get("treeIndex"), int):
                raise InvalidMerkleTree("every value needs a `value` and an integer `treeIndex`")
            values.append((codec.normalize(entry.get("value")), entry["treeIndex"]))
        loaded = cls(tree, values, encoding)
        loaded.validate()
        return loaded

    @staticmethod
    def verify_proof(root: str | bytes, leaf_encoding: Sequence[str], value: Sequence[Any],
                     proof: Sequence[str | bytes]) -> bool:
        """Whether `proof` places `value` under `root`, without a tree (JS `StandardMerkleTree.verify`)."""
        codec = _LeafCodec(list(leaf_encoding))
        leaf = codec.hash(codec.normalize(value))
        return process_proof(leaf, proof) == _node_bytes(root)

    # -- reading -------------------------------------------------------------------------------------------

    @property
    def root(self) -> str:
        return _hex(self._tree[0])

    def __len__(self) -> int:
        return len(self._values)

    def at(self, index: int) -> list[Any]:
        """The value at position `index` of the input order."""
        return self._values[self._value_index(index)][0]

    def entries(self) -> Iterator[tuple[int, list[Any]]]:
        """(input position, value) pairs, in input order."""
        for i, (value, _) in enumerate(self._values):
            yield i, value

    def leaf_hash(self, leaf: int | Sequence[Any]) -> str:
        """The leaf hash of a value, or of the value at input position `leaf`."""
        return _hex(self._leaf_hash_of(leaf))

    def proof(self, leaf: int | Sequence[Any]) -> list[str]:
        """Sibling hashes from the leaf up to the root, for the value at input position `leaf` or for a value."""
        value_index = leaf if isinstance(leaf, int) else self._lookup(leaf)
        return [_hex(self._tree[i]) for i in proof_positions(self._values[self._value_index(value_index)][1])]

    @property
    def nodes(self) -> list[bytes]:
        """Every node, root first, in the standard-v1 layout (what `dump()["tree"]` holds as hex)."""
        return list(self._tree)

    def tree_index(self, value_index: int) -> int:
        """Where the value at input position `value_index` sits in `nodes`."""
        return self._values[self._value_index(value_index)][1]

    def verify(self, leaf: int | Sequence[Any], proof: Sequence[str | bytes]) -> bool:
        """Whether `proof` places the value (or the value at input position `leaf`) under this root."""
        return process_proof(self._leaf_hash_of(leaf), proof) == self._tree[0]

    def dump(self) -> dict[str, Any]:
        """The standard-v1 JSON document (`StandardMerkleTree.load` in JS reads it back)."""
        return {
            "format": FORMAT,
            "leafEncoding": list(self.leaf_encoding),
            "tree": [_hex(node) for node in self._tree],
            "values": [{"value": _json_value(value), "treeIndex": index} for value, index in self._values],
        }

    def validate(self) -> None:
        """Check that each value sits at its leaf and that every inner node hashes its children."""
        tree, size = self._tree, len(self._tree)
        if size % 2 == 0:
            raise InvalidMerkleTree(f"a complete binary tree has an odd number of nodes, not {size}")
        for value, index in self._values:
            if not size // 2 <= index < size:
                raise InvalidMerkleTree(f"treeIndex {index} is not a leaf of a tree of {size} nodes")
            if tree[index] != self._codec.hash(value):
                raise InvalidMerkleTree(f"the value at treeIndex {index} does not hash to that leaf")
        for i in range(size // 2 - 1, -1, -1):
            if tree[i] != node_hash(tree[2 * i + 1], tree[2 * i + 2]):
                raise InvalidMerkleTree(f"tree node {i} is not the hash of its children")

    # -- internals -----------------------------------------------------------------------------------------

    def _value_index(self, index: int) -> int:
        if not 0 <= index < len(self._values):
            raise LeafNotInTree(f"no value at position {index} (the tree has {len(self._values)})")
        return index

    def _leaf_hash_of(self, leaf: int | Sequence[Any]) -> bytes:
        if isinstance(leaf, int):
            return self._tree[self._values[self._value_index(leaf)][1]]
        return self._codec.hash(self._codec.normalize(leaf))

    def _lookup(self, value: Sequence[Any]) -> int:
        if self._index_by_hash is None:
            # Built on first use; like the JS library, a repeated leaf resolves to its last position.
            self._index_by_hash = {self._tree[index]: i for i, (_, index) in enumerate(self._values)}
        found = self._index_by_hash.get(self._codec.hash(self._codec.normalize(value)))
        if found is None:
            raise LeafNotInTree(f"{list(value)!r} is not a leaf of this tree")
        return found


def _unpickle_tree(nodes: bytes, values: list[tuple[list[Any], int]], leaf_encoding: list[str]) -> StandardMerkleTree:
    return StandardMerkleTree([nodes[i:i + 32] for i in range(0, len(nodes), 32)], values, leaf_encoding)


def proof_positions(tree_index: int) -> Iterator[int]:
    """The tree indexes of a node's proof: its sibling, then its parent's sibling, up to the root."""
    while tree_index > 0:
        yield tree_index + 1 if tree_index % 2 else tree_index - 1
        tree_index = (tree_index - 1) // 2


def _make_tree(leaves: list[bytes]) -> list[bytes]:
    """The node array over sorted leaves: leaves at the end in reverse order, parents before children."""
    count = len(leaves)
    tree = [b""] * (count - 1) + leaves[::-1]
    # Local names: this loop runs once per inner node (99,999 times for a 100k-leaf tree).
    hash_ = keccak
    for i in range(count - 2, -1, -1):
        a, b = tree[2 * i + 1], tree[2 * i + 2]
        tree[i] = hash_(a + b if a <= b else b + a)
    return tree


# -- leaf encoding ---------------------------------------------------------------------------------------------


class _LeafCodec:
    """Checks values against a leaf encoding and hashes them: keccak256(keccak256(abi.encode(types, value))).

    Static elementary types are encoded word by word (several times faster than eth_abi, which matters at 100k
    leaves); anything else (string, bytes, arrays, tuples) goes through eth_abi.
    """

    def __init__(self, encoding: list[str]) -> None:
        try:
            self.types = [parse(t) for t in encoding]
            for abi_type in self.types:
                abi_type.validate()
        except Exception as err:
            raise InvalidMerkleTree(f"invalid leaf encoding {encoding!r}: {err}") from err
        self.encoding = encoding
        words = [_word_encoder(t) for t in self.types]
        self._words = words if all(words) else None

    def normalize(self, value: Any) -> list[Any]:
        """The value in Python form (numbers as ints), or InvalidMerkleTree."""
        if isinstance(value, str | bytes) or not isinstance(value, Sequence) or len(value) != len(self.types):
            raise InvalidMerkleTree(f"leaf value {value!r} does not match the leaf encoding {self.encoding!r}")
        try:
            return [_normalize(t, v) for t, v in zip(self.types, value, strict=True)]
        except (TypeError, ValueError, OverflowError) as err:
            raise InvalidMerkleTree(f"leaf value {list(value)!r} does not fit {self.encoding!r}: {err}") from err

    def hash(self, value: list[Any]) -> bytes:
        """The leaf hash of a normalized value."""
        if self._words is not None:
            encoded = b"".join([encode(v) for encode, v in zip(self._words, value, strict=True)])
        else:
            encoded = eth_abi.encode(self.encoding, [_abi_value(t, v) for t, v in zip(self.types, value, strict=True)])
        return keccak(keccak(encoded))


def _word_encoder(abi_type: BasicType | TupleType) -> Callable[[Any], bytes] | None:
    """A one-word encoder for a static elementary type, else None."""
    if not isinstance(abi_type, BasicType) or abi_type.arrlist:
        return None
    base, sub = abi_type.base, abi_type.sub
    if base == "address":
        return lambda v: bytes(12) + bytes.fromhex(v[2:])
    if base == "uint":
        return lambda v: v.to_bytes(32, "big")
    if base == "int":
        return lambda v: v.to_bytes(32, "big", signed=True)
    if base == "bool":
        return lambda v: (1 if v else 0).to_bytes(32, "big")
    if base == "bytes" and sub:
        return lambda v: _as_bytes(v).ljust(32, b"\0")
    return None


def _normalize(abi_type: BasicType | TupleType, value: Any) -> Any:
    if abi_type.arrlist:
        size = abi_type.arrlist[-1]
        if isinstance(value, str | bytes) or not isinstance(value, Sequence) or (size and len(value) != size[0]):
            raise ValueError(f"{value!r} is not a {abi_type.to_type_str()}")
        return [_normalize(abi_type.item_type, v) for v in value]
    if isinstance(abi_type, TupleType):
        if isinstance(value, str | bytes) or not isinstance(value, Sequence) or len(value) != len(abi_type.components):
            raise ValueError(f"{value!r} is not a {abi_type.to_type_str()}")
        return [_normalize(t, v) for t, v in zip(abi_type.components, value, strict=True)]
    base, sub = abi_type.base, abi_type.sub
    if base in ("uint", "int"):
        number = _as_int(value)
        low, high = (0, 2**sub) if base == "uint" else (-(2 ** (sub - 1)), 2 ** (sub - 1))
        if not low <= number < high:
            raise ValueError(f"{number} is out of range for {base}{sub}")
        return number
    if base == "address":
        if not isinstance(value, str) or not _ADDRESS.fullmatch(value):
            raise ValueError(f"{value!r} is not a 0x-prefixed 20-byte address")
        return value
    if base == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"{value!r} is not a bool")
        return value
    if base == "bytes":
        if sub and len(_as_bytes(value)) > sub:
            raise ValueError(f"{value!r} is longer than bytes{sub}")
        _as_bytes(value)  # raises for anything but bytes or 0x-hex
        return value
    if base == "string":
        if not isinstance(value, str):
            raise ValueError(f"{value!r} is not a string")
        return value
    raise ValueError(f"unsupported ABI type {abi_type.to_type_str()}")


def _abi_value(abi_type: BasicType | TupleType, value: Any) -> Any:
    """A normalized value in the form eth_abi wants (bytes for bytes types, tuples for tuples)."""
    if abi_type.arrlist:
        return [_abi_value(abi_type.item_type, v) for v in value]
    if isinstance(abi_type, TupleType):
        return tuple(_abi_value(t, v) for t, v in zip(abi_type.components, value, strict=True))
    return _as_bytes(value) if abi_type.base == "bytes" else value


def _json_value(value: Any) -> Any:
    """Numbers as decimal strings and bytes as hex, like the JS library's dumps."""
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    return value


def _as_int(value: Any) -> int:
    """An int from an int or a decimal / 0x-hex string (how the JS library's dumps carry numbers)."""
    if isinstance(value, bool):
        raise ValueError("a bool is not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value):
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"0x[0-9a-fA-F]+", value):
        return int(value, 16)
    raise ValueError(f"{value!r} is not an integer")


def _as_bytes(value: Any) -> bytes:
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    if isinstance(value, str) and re.fullmatch(r"0x([0-9a-fA-F]{2})*", value):
        return bytes.fromhex(value[2:])
    raise ValueError(f"{value!r} is neither bytes nor 0x-prefixed hex")


def _node_bytes(node: str | bytes) -> bytes:
    raw = _as_bytes(node)
    if len(raw) != 32:
        raise InvalidMerkleTree(f"a Merkle node is 32 bytes, got {len(raw)}")
    return raw


def _hex(node: bytes) -> str:
    return "0x" + node.hex()
