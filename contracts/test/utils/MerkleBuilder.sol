// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice Builds `@openzeppelin/merkle-tree` StandardMerkleTree trees over `(address, uint256)` leaves, for tests:
/// leaves double-hashed, sorted ascending by hash, laid out as a complete binary tree in an array (leaf i of the
/// sorted list at index `length - 1 - i`), parents hashed over the sorted pair.
library MerkleBuilder {
    struct Tree {
        bytes32[] nodes;
        bytes32[] sortedLeaves;
    }

    function leaf(address account, uint256 amount) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(account, amount))));
    }

    function hashPair(bytes32 a, bytes32 b) internal pure returns (bytes32) {
        return a < b ? keccak256(abi.encode(a, b)) : keccak256(abi.encode(b, a));
    }

    function build(address[] memory accounts, uint256[] memory amounts) internal pure returns (Tree memory tree) {
        uint256 n = accounts.length;
        require(n != 0 && n == amounts.length, "MerkleBuilder: bad input");
        bytes32[] memory leaves = new bytes32[](n);
        for (uint256 i; i < n; ++i) {
            leaves[i] = leaf(accounts[i], amounts[i]);
        }
        // Insertion sort: test trees are small.
        for (uint256 i = 1; i < n; ++i) {
            bytes32 key = leaves[i];
            uint256 j = i;
            while (j > 0 && leaves[j - 1] > key) {
                leaves[j] = leaves[j - 1];
                --j;
            }
            leaves[j] = key;
        }
        bytes32[] memory nodes = new bytes32[](2 * n - 1);
        for (uint256 i; i < n; ++i) {
            nodes[nodes.length - 1 - i] = leaves[i];
        }
        for (uint256 k = nodes.length - n; k > 0; --k) {
            uint256 i = k - 1;
            nodes[i] = hashPair(nodes[2 * i + 1], nodes[2 * i + 2]);
        }
        tree.nodes = nodes;
        tree.sortedLeaves = leaves;
    }

    function root(Tree memory tree) internal pure returns (bytes32) {
        return tree.nodes[0];
    }

    function proof(Tree memory tree, address account, uint256 amount) internal pure returns (bytes32[] memory) {
        bytes32 target = leaf(account, amount);
        uint256 n = tree.sortedLeaves.length;
        uint256 index = type(uint256).max;
        for (uint256 i; i < n; ++i) {
            if (tree.sortedLeaves[i] == target) {
                index = tree.nodes.length - 1 - i;
                break;
            }
        }
        require(index != type(uint256).max, "MerkleBuilder: leaf not in tree");
        uint256 depth;
        for (uint256 i = index; i > 0; i = (i - 1) / 2) {
            ++depth;
        }
        bytes32[] memory result = new bytes32[](depth);
        for (uint256 d; index > 0; ++d) {
            result[d] = tree.nodes[index % 2 == 1 ? index + 1 : index - 1];
            index = (index - 1) / 2;
        }
        return result;
    }
}
